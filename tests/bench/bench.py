#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Benchmarks, as ratios measured in one run:
- launch of `sandbox-helper --policy=minimal -- /bin/true` against native
  /bin/true and against bwrap with a comparable root;
- brokered openat+close against native and against a bare notification
  round trip (fstat, answered CONTINUE);
- python3 importing email, json and http.client, sandboxed against native;
- this project configuring and building itself with meson and ninja,
  sandboxed (policies/build.policy) against native;
- a TCP connect+close on loopback, brokered against native (python), and
  in C: through the client library (sbx_client_connect), seccomp-brokered
  and native;
- sbx_spawn with a broker process against a broker in the launcher's
  process (SBX_BROKER_IN_PROCESS);
- headless chromium rendering a page to a screenshot, its renderers
  sandboxed (--renderer-cmd-prefix) against unsandboxed.
Usage: bench.py BUILD_DIR [--quick]"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

build = os.path.abspath(sys.argv[1])
quick = "--quick" in sys.argv
helper = os.path.join(build, "helper", "sandbox-helper")
bench_open = os.path.join(build, "tests", "bench_open")
runs = 10 if quick else 40


def launch(cmd):
    """Median wall time of running CMD, in milliseconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def ns_per_open(prefix, n):
    out = subprocess.run(prefix + [bench_open, "/usr/lib/x86_64-linux-gnu/libc.so.6", str(n)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip())


native = launch(["/bin/true"])
sandboxed = launch([helper, "--policy=minimal", "--", "/bin/true"])
print(f"launch /bin/true: native {native:.2f} ms, sandbox-helper {sandboxed:.2f} ms, "
      f"ratio {sandboxed / native:.1f}x")
bwrap = shutil.which("bwrap")
if bwrap:
    cmd = [bwrap, "--unshare-all", "--die-with-parent",
           "--ro-bind", "/usr/bin/true", "/usr/bin/true",
           "--ro-bind", "/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
           "--ro-bind", "/usr/lib64", "/usr/lib64",
           "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
           "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
           "--symlink", "usr/bin", "/bin", "/bin/true"]
    if subprocess.run(cmd, stderr=subprocess.DEVNULL).returncode == 0:
        bw = launch(cmd)
        print(f"launch /bin/true: bwrap {bw:.2f} ms, sandbox-helper/bwrap ratio {sandboxed / bw:.2f}x")
    else:
        print("launch /bin/true: bwrap cannot create namespaces here; no peer figure")
else:
    print("launch /bin/true: bwrap not installed; no peer figure")

n = 2000 if quick else 20000
nat = ns_per_open([], n)
sbx = ns_per_open([helper, "--policy=minimal", "--"], n)
print(f"openat+close: native {nat / 1000:.2f} us, brokered {sbx / 1000:.2f} us, ratio {sbx / nat:.1f}x")
def per_op(prefix, mode):
    return float(subprocess.run(prefix + [bench_open, mode, str(n)], check=True, capture_output=True,
                                text=True).stdout.strip())


box = [helper, "--policy=minimal", "--"]
rt, rt_nat = per_op(box, "--fchdir"), per_op([], "--fchdir")
fs, fs_nat = per_op(box, "--fstat"), per_op([], "--fstat")
print(f"notification round trip (fchdir, answered CONTINUE): {rt / 1000:.2f} us (native {rt_nat / 1000:.2f} us); "
      f"openat+close is {sbx / rt:.1f} round trips")
print(f"fstat (on the broker's copy of the fd): {fs / 1000:.2f} us (native {fs_nat / 1000:.2f} us)")
cl = float(subprocess.run([helper, "--policy=minimal", "--client", "--",
                           os.path.join(build, "tests", "clientprobe"), "bench",
                           "/usr/lib/x86_64-linux-gnu/libc.so.6", str(n)],
                          check=True, capture_output=True, text=True).stdout)
print(f"open+close through the client library: {cl / 1000:.2f} us (seccomp-brokered {sbx / 1000:.2f} us, "
      f"native {nat / 1000:.2f} us); client/seccomp {cl / sbx:.2f}x, client/native {cl / nat:.1f}x")

py = ["/usr/bin/python3", "-c", "import email, json, http.client"]
nat = launch(py)
sbx = launch([helper, "--policy=shell", "--"] + py)
print(f"python3 -c 'import email, json, http.client': native {nat:.1f} ms, sandboxed {sbx:.1f} ms, "
      f"ratio {sbx / nat:.2f}x")

src = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def build_once(sandboxed):
    """Copy the source tree, then time meson setup + ninja; seconds."""
    with tempfile.TemporaryDirectory() as d:
        tree = os.path.join(d, "src")
        shutil.copytree(src, tree, ignore=lambda d, names: [
            n for n in names if n == ".git" or (d == src and n.startswith("build"))])
        steps = [["meson", "setup", "b"], ["ninja", "-C", "b"]]
        pre = [helper, "--policy=build", f"--write={tree}", f"--exec={tree}/**", f"--chdir={tree}", "--"]
        t = time.perf_counter()
        for st in steps:
            cmd = (pre + ["/usr/bin/meson" if st[0] == "meson" else "/usr/bin/ninja"] + st[1:]
                   if sandboxed else st)
            subprocess.run(cmd, cwd=tree, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t


rounds = 1 if quick else 3
nat_b, sbx_b = [], []
for _ in range(rounds):  # alternate, so drift hits both alike
    nat_b.append(build_once(False))
    sbx_b.append(build_once(True))
nb, sb = statistics.median(nat_b), statistics.median(sbx_b)
print(f"meson setup + ninja of this project: native {nb:.2f} s, sandboxed {sb:.2f} s, ratio {sb / nb:.3f}x "
      f"(sydbox 2.0.1 built Paludis at 1.063x)")

# Brokered connect latency: a TCP connect+close to a listener on loopback.
CONNECT = r"""
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
t = time.perf_counter()
for _ in range(n):
    s = socket.socket()
    s.connect(("127.0.0.1", port))
    s.close()
print((time.perf_counter() - t) / n * 1e6)
"""
lst = subprocess.Popen(["/usr/bin/python3", "-c",
                        "import socket, sys\n"
                        "s = socket.create_server(('127.0.0.1', 0), backlog=4096)\n"
                        "print(s.getsockname()[1], flush=True)\n"
                        "while True: s.accept()[0].close()"],
                       stdout=subprocess.PIPE, text=True)
try:
    port = int(lst.stdout.readline())
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(CONNECT)
    os.chmod(f.name, 0o644)
    k = 300 if quick else 3000
    nat = float(subprocess.run(["/usr/bin/python3", f.name, str(port), str(k)],
                               check=True, capture_output=True, text=True).stdout)
    sbx = float(subprocess.run([helper, "--policy=shell", f"--read={f.name}", f"--connect=tcp 127.0.0.1:{port}",
                                "--", "/usr/bin/python3", f.name, str(port), str(k)],
                               check=True, capture_output=True, text=True).stdout)
    print(f"TCP connect+close on loopback: native {nat:.1f} us, brokered {sbx:.1f} us, ratio {sbx / nat:.1f}x")
    os.unlink(f.name)
    probe = os.path.join(build, "tests", "clientprobe")
    rule = f"--connect=tcp 127.0.0.1:{port}"

    def connect_ns(prefix, how):
        return float(subprocess.run(prefix + [probe, "bench-connect", str(port), str(k), how],
                                    check=True, capture_output=True, text=True).stdout)
    c_nat = connect_ns([], "sys")
    c_sbx = connect_ns([helper, "--policy=minimal", rule, "--"], "sys")
    c_cl = connect_ns([helper, "--policy=minimal", "--client", rule, "--"], "client")
    print(f"TCP connect+close in C: through the client library {c_cl / 1000:.1f} us, seccomp-brokered "
          f"{c_sbx / 1000:.1f} us, native {c_nat / 1000:.1f} us; client/seccomp {c_cl / c_sbx:.2f}x, "
          f"client/native {c_cl / c_nat:.1f}x")
finally:
    lst.kill()
    lst.wait()

# Launch through libsandbox-client: the broker as its own process (sbx_spawn,
# one launcher per run) against the broker in the launcher's process
# (SBX_BROKER_IN_PROCESS, one launcher for all runs).
launcher = os.path.join(build, "tests", "launcher")
env = dict(os.environ, SBX_HELPER=helper)
n = runs
t = time.perf_counter()
for _ in range(n):
    subprocess.run([launcher, "minimal", "--", "/bin/true"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
separate = (time.perf_counter() - t) / n * 1000
t = time.perf_counter()
subprocess.run([launcher, f"--in-process={n}", "minimal", "--", "/bin/true"], check=True, env=env,
               stdout=subprocess.DEVNULL)
inproc = (time.perf_counter() - t) / n * 1000
print(f"sbx_spawn of /bin/true: broker process {separate:.2f} ms, broker in the launcher's process "
      f"{inproc:.2f} ms, ratio {inproc / separate:.2f}x")

# Chromium: the test page (tests/chromium/server.py) rendered to a screenshot
# by headless chromium, with its renderers sandboxed by sandbox-helper and
# unsandboxed, alternating; median wall time of the whole browser run.
chromium = shutil.which("chromium")
if chromium:
    source = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "release"), "w").close()
        srv = subprocess.Popen([sys.executable, os.path.join(source, "tests", "chromium", "server.py"), d],
                               stdout=subprocess.PIPE, text=True)
        try:
            port = srv.stdout.readline().strip()
            if not port:
                raise SystemExit("chromium: the page server did not start")
            url = f"http://127.0.0.1:{port}/page.html"

            def render(prefix):
                shutil.rmtree(os.path.join(d, "profile"), ignore_errors=True)
                cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                       "--disable-background-networking", "--disable-component-update",
                       "--disable-sync", "--no-first-run", f"--user-data-dir={d}/profile",
                       "--window-size=400,300", f"--screenshot={d}/shot.png"] + prefix + [url]
                t = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, HOME=d))
                return (time.perf_counter() - t) * 1000
            prefix = [f"--renderer-cmd-prefix={helper} --policy=chromium-renderer --"]
            render([])  # warm the page cache
            nat, sbx = [], []
            for _ in range(3 if quick else 8):
                nat.append(render([]))
                sbx.append(render(prefix))
            n, s = statistics.median(nat), statistics.median(sbx)
            print(f"chromium --screenshot of the test page: unsandboxed renderers {n:.0f} ms, "
                  f"sandboxed renderers {s:.0f} ms, ratio {s / n:.2f}x")
        finally:
            srv.kill()
            srv.wait()
else:
    print("chromium: not installed; no render figure")
