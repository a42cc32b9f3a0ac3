#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Benchmarks, as ratios measured in one run:
- launch of `sandbox-helper --policy=minimal -- /bin/true` against native
  /bin/true and against the peers below;
- openat+close in the view (the kernel's, the default) and brokered
  (--strict) against native, and against a bare notification round trip
  (fchdir, answered CONTINUE, strict);
- fork+exec of an approved program inside the sandbox against inside
  bubblewrap and natively;
- python3 importing email, json and http.client, sandboxed against native
  and the peers;
- this project configuring and building itself with meson and ninja,
  sandboxed (policies/build.policy) against native;
- builds, each from a clean tree every run, natively, under
  `sandbox-helper --policy=build --write=TREE` and under the peers: Lua 5.4
  with `make -j2`, and this project with `ninja -j2` (meson setup once,
  outside the timing);
- a TCP connect+close on loopback, brokered against native (python), and
  in C: through the client library (sbx_client_connect), seccomp-brokered
  and native;
- launch and a brokered open under generated policies of 10, 100 and
  1,000 rules (the policy index keeps the decision from growing with them);
- 1, 10 and 100 sandboxes alive at once from one shared broker: start
  time and memory (broker, helper and init, Pss);
- sbx_spawn with a broker process against a broker in the launcher's
  process (SBX_BROKER_IN_PROCESS);
- 200 sandboxes in a row and 8 at a time, cold and from a warm pool
  (sbx_warm_new), against bubblewrap started the same way, and the time a
  warm sandbox takes from sbx_spawn to its end;
- headless chromium rendering a page to a screenshot, its renderers
  sandboxed (--renderer-cmd-prefix) against unsandboxed, and against
  unsandboxed through the prefix "env --" (the same process model: a
  renderer prefix turns Chromium's zygote off for renderers).

The peers, each with the view our policy gives, where they can run:
- bubblewrap: --unshare-all, read-only /usr and /etc, --proc, --dev, a
  private /tmp, the build tree writable;
- sydbox 2.2.0 with read checking on: reads allowed under /usr, /etc, /proc,
  /dev and the tree, writes in the tree (and a private TMPDIR) only, exec
  allowed. It is used when SBX_SYDBOX=/path/to/syd is set or WORKDIR/sydbox/bin/syd
  exists; otherwise the bench says why not and leaves it out.
Rows that time whole commands run every way in turn, the order rotated each
round, and print the median with the minimum and maximum.

Prepare everything once (as root; packages and the Lua source, no network
access after it):   tests/bench/prepare.sh
then:               tests/bench/bench.py BUILD_DIR [--quick]
WORKDIR is $SBX_BENCH_DIR, by default /var/tmp/sandbox-bench; the trees the
bench builds in are made under it and removed at the end.
A --quick run took 4.5 minutes and a full run 17.5 minutes on two cores shared with
other builds (load 5 to 8); on an idle machine both are shorter, and the
min-max spread narrower.
Usage: bench.py BUILD_DIR [--quick]"""
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    print(__doc__)
    sys.exit(0 if len(sys.argv) >= 2 else 2)
build = os.path.abspath(sys.argv[1])
if not os.access(os.path.join(build, "helper", "sandbox-helper"), os.X_OK):
    sys.exit("bench.py: %s is not a build directory (no helper/sandbox-helper in it); "
             "usage: bench.py BUILD_DIR [--quick]" % sys.argv[1])
quick = "--quick" in sys.argv
# The C library in its multiarch directory (whatever the architecture).
LIBC = (sorted(glob.glob("/usr/lib/*-linux-*/libc.so.6")) or ["/lib/libc.so.6"])[0]
LIBDIR = os.path.dirname(LIBC)
helper = os.path.join(build, "helper", "sandbox-helper")
bench_open = os.path.join(build, "tests", "bench_open")
runs = 10 if quick else 40


def ns_per_open(prefix, n):
    out = subprocess.run(prefix + [bench_open, LIBC, str(n)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip())


work = os.path.abspath(os.environ.get("SBX_BENCH_DIR", "/var/tmp/sandbox-bench"))
# Build rows get the same plain PATH every way, so each finds the same tools.
build_env = dict(os.environ, PATH="/usr/bin:/bin", LC_ALL="C")


def interleaved(ways, rounds, before=None, cwd=None, env=None):
    """Run each command in WAYS (name -> argv) ROUNDS times, one of each per
    round with the order rotated every round, so drift and warm caches fall
    on all alike. BEFORE() runs before each command, outside the timing.
    A peer that fails (exits non-zero) is said and dropped from the row; the
    native and sandboxed ways must work.
    Returns name -> list of wall times in seconds."""
    names = list(ways)
    times = {k: [] for k in names}
    for r in range(rounds):
        for k in names[r % len(names):] + names[:r % len(names)]:
            if k not in times:
                continue
            if before:
                before()
            t = time.perf_counter()
            done = subprocess.run(ways[k], cwd=cwd, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if done.returncode != 0 and k in ("native", "sandbox-helper"):
                raise subprocess.CalledProcessError(done.returncode, ways[k])
            if done.returncode != 0:
                print(f"  ({k} failed here with status {done.returncode}: left out of this row)")
                del times[k]
                continue
            times[k].append(time.perf_counter() - t)
    return times


def show(label, times, unit="ms"):
    """Print the median [min-max] of each way, its ratio to native (or,
    where no way is native, to the first), and sandbox-helper's ratio to
    each peer."""
    scale = 1000 if unit == "ms" else 1
    first = "native" if "native" in times else next(iter(times))
    base = statistics.median(times[first])
    n = len(times[first])
    print(f"{label} ({n} run{'s' if n > 1 else ''} each, interleaved; median [min-max]):")
    for k, v in times.items():
        m = statistics.median(v)
        ratio = "" if k == first else f"  {m / base:.3f}x {first}"
        print(f"  {k:15} {m * scale:9.2f} {unit} [{min(v) * scale:.2f}-"
              f"{max(v) * scale:.2f}]{ratio}")
    if "sandbox-helper" in times:
        sb = statistics.median(times["sandbox-helper"])
        peers = [f"sandbox-helper/{k} {sb / statistics.median(times[k]):.3f}x"
                 for k in ("bwrap", "sydbox") if k in times]
        if peers:
            print("  " + ", ".join(peers))


def find_bwrap():
    """bwrap's path, or None and why not."""
    path = shutil.which("bwrap")
    if not path:
        return None, "not installed"
    probe = [path, "--unshare-all", "--die-with-parent"] + BWRAP_VIEW + ["--", "/bin/true"]
    if subprocess.run(probe, stderr=subprocess.DEVNULL).returncode != 0:
        return None, "it cannot create namespaces here"
    return path, None


# bwrap's view for the peer rows: what our build policy reads, as read-only
# binds, its own /proc and /dev, and a private /tmp (the build policy's
# `tmpdir private`).
BWRAP_VIEW = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
              "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
              "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
              "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]


def bwrap_cmd(tree=None):
    cmd = [bwrap, "--unshare-all", "--die-with-parent"] + BWRAP_VIEW
    if tree:
        cmd += ["--bind", tree, tree, "--chdir", tree]
    return cmd + ["--"]


def sydbox_cmd(tree=None, tmp=None):
    """sydbox with the configuration a user would write for our build policy:
    read checking on (the system's /usr and /etc, /proc, /dev and the tree),
    writes only in the tree, a private TMPDIR and the usual devices, exec
    allowed, no network."""
    reads = ["/usr/***", "/etc/***", "/proc/***", "/dev/***"]
    writes = ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/fd/***", "/proc/self/fd/***"]
    for d in filter(None, (tree, tmp)):
        reads.append(f"{d}/***")
        writes.append(f"{d}/***")
    magic = ["core/sandbox/read:deny", "core/sandbox/write:deny", "core/sandbox/exec:allow",
             "core/sandbox/network:deny"]
    magic += [f"allowlist/read+{p}" for p in reads] + [f"allowlist/write+{p}" for p in writes]
    cmd = ["/usr/bin/env", f"TMPDIR={tmp}"] if tmp else []
    cmd.append(sydbox)
    for m in magic:
        cmd += ["-m", m]
    return cmd + ["--"]


def find_sydbox():
    """sydbox's path, or None and why not. It must be 2.2.0, run /bin/true,
    and refuse to read a file outside what it was told to allow."""
    given = os.environ.get("SBX_SYDBOX")
    path = given or os.path.join(work, "sydbox", "bin", "syd")
    if not os.path.exists(path):
        return None, (f"SBX_SYDBOX={given} does not exist" if given else
                      f"SBX_SYDBOX is not set and {path} does not exist")
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"{path} --version failed: {e}"
    version = (out.stdout.splitlines() or [""])[0]
    if version != "sydbox-2.2.0":
        return None, f"{path} is {version or 'not sydbox'!r}, not sydbox-2.2.0"
    global sydbox
    sydbox = path
    try:
        ok = subprocess.run(sydbox_cmd() + ["/bin/true"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=20).returncode == 0
        leak = subprocess.run(sydbox_cmd() + ["/usr/bin/head", "-c1", os.path.abspath(__file__)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return None, f"{path} did not finish running /bin/true within 20 s"
    if not ok:
        return None, f"{path} cannot run /bin/true here (kernel too old for its seccomp notify?)"
    if leak:
        return None, f"{path} let a read outside its allowlist through; read checking is not working"
    return path, None


bwrap, why = find_bwrap()
if not bwrap:
    print(f"bwrap not available: {why}")
sydbox, why = find_sydbox()
if sydbox:
    print(f"sydbox: {sydbox} (sydbox-2.2.0, read checking on)")
else:
    print(f"sydbox not available: {why}")


def peers(ways, tree=None, tmp=None, argv=()):
    """Add the bwrap and sydbox ways running ARGV to WAYS, where available."""
    if bwrap:
        ways["bwrap"] = bwrap_cmd(tree) + list(argv)
    if sydbox:
        ways["sydbox"] = sydbox_cmd(tree, tmp) + list(argv)
    return ways


true_ways = {"native": ["/bin/true"],
             "sandbox-helper": [helper, "--policy=minimal", "--", "/bin/true"]}
if bwrap:
    # A root holding only what /bin/true needs, as comparable to the minimal policy.
    true_ways["bwrap"] = [bwrap, "--unshare-all", "--die-with-parent",
                          "--ro-bind", "/usr/bin/true", "/usr/bin/true",
                          "--ro-bind", LIBDIR, LIBDIR] + (
                          ["--ro-bind", "/usr/lib64", "/usr/lib64"] if os.path.isdir("/usr/lib64") else []) + [
                          "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
                          "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                          "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
                          "/bin/true"]
if sydbox:
    true_ways["sydbox"] = sydbox_cmd() + ["/bin/true"]
launch_times = interleaved(true_ways, runs)
show("launch /bin/true", launch_times)

n = 2000 if quick else 20000
nat = ns_per_open([], n)
view = ns_per_open([helper, "--policy=minimal", "--"], n)
sbx = ns_per_open([helper, "--strict", "--policy=minimal", "--"], n)
print(f"openat+close: native {nat / 1000:.2f} us; in the view (the kernel's) {view / 1000:.2f} us, "
      f"ratio {view / nat:.2f}x; strict (brokered) {sbx / 1000:.2f} us, ratio {sbx / nat:.1f}x")
def per_op(prefix, mode):
    return float(subprocess.run(prefix + [bench_open, mode, str(n)], check=True, capture_output=True,
                                text=True).stdout.strip())


box = [helper, "--strict", "--policy=minimal", "--"]
rt, rt_nat = per_op(box, "--fchdir"), per_op([], "--fchdir")
fs, fs_nat = per_op(box, "--fstat"), per_op([], "--fstat")
print(f"notification round trip (fchdir, answered CONTINUE): {rt / 1000:.2f} us (native {rt_nat / 1000:.2f} us); "
      f"openat+close is {sbx / rt:.1f} round trips")
print(f"fstat (on the broker's copy of the fd): {fs / 1000:.2f} us (native {fs_nat / 1000:.2f} us)")
cl = float(subprocess.run([helper, "--policy=minimal", "--client", "--",
                           os.path.join(build, "tests", "clientprobe"), "bench",
                           LIBC, str(n)],
                          check=True, capture_output=True, text=True).stdout)
print(f"open+close through the client library: {cl / 1000:.2f} us (seccomp-brokered {sbx / 1000:.2f} us, "
      f"native {nat / 1000:.2f} us); client/seccomp {cl / sbx:.2f}x, client/native {cl / nat:.1f}x")

# Cost as the policy grows: generated policies of 10, 100 and 1,000 literal
# rules (on top of minimal) against launch time and a brokered open's time.
with tempfile.TemporaryDirectory() as gen:
    grown = {}
    for count in (10, 100, 1000):
        pf = os.path.join(gen, f"rules{count}.policy")
        with open(pf, "w") as f:
            f.write("include minimal\n")
            for i in range(count):
                f.write(f"{'read' if i % 2 else 'stat'} /srv/bench-rules/d{i % 50}/f{i}\n")
        grown[f"{count} rules"] = [helper, "--strict", f"--policy={pf}", "--"]
    grow_launch = interleaved({k: v + ["/bin/true"] for k, v in grown.items()}, runs)
    show("launch /bin/true, strict, as the policy grows", grow_launch)
    grow_open = {k: ns_per_open(v, n) for k, v in grown.items()}
    print("brokered openat+close as the policy grows: " +
          ", ".join(f"{k} {v / 1000:.2f} us" for k, v in grow_open.items()) +
          f"; 1,000 against 10 rules {grow_open['1000 rules'] / grow_open['10 rules']:.2f}x")

# fork+exec of an approved program inside the sandbox (its exec brokered,
# its image checked) against the same inside bubblewrap and natively; the
# loop runs in the sandbox, so launch is not in the figure. The loop's
# binary is copied where every way can read it.
bench_exec = os.path.join(build, "tests", "bench_exec")
with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
    os.chmod(d, 0o755)
    loop = os.path.join(d, "bench_exec")
    shutil.copy(bench_exec, loop)
    k = 50 if quick else 200
    exec_ways = {"native": [], "sandbox-helper": [helper, "--policy=minimal", f"--exec={loop}",
                                                   "--exec=/usr/bin/true", "--"]}
    if bwrap:
        exec_ways["bwrap"] = [bwrap, "--unshare-all", "--die-with-parent"] + BWRAP_VIEW + ["--ro-bind", d, d, "--"]
    per = {w: [] for w in exec_ways}
    for r in range(5 if quick else 10):
        for w, prefix in exec_ways.items():
            per[w].append(float(subprocess.run(prefix + [loop, "/usr/bin/true", str(k)], check=True,
                                               capture_output=True, text=True).stdout))
    med = {w: statistics.median(v) for w, v in per.items()}
    print("fork+exec+wait of /usr/bin/true inside: " +
          ", ".join(f"{w} {m:.0f} us [{min(per[w]):.0f}-{max(per[w]):.0f}]" for w, m in med.items()) +
          (f"; sandbox-helper/bwrap {med['sandbox-helper'] / med['bwrap']:.2f}x" if "bwrap" in med else ""))

py = ["/usr/bin/python3", "-c", "import email, json, http.client"]
py_ways = peers({"native": py, "sandbox-helper": [helper, "--policy=shell", "--"] + py}, argv=py)
show("python3 -c 'import email, json, http.client'", interleaved(py_ways, runs))

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
print(f"meson setup + ninja of this project: native {nb:.2f} s [{min(nat_b):.2f}-{max(nat_b):.2f}], "
      f"sandboxed {sb:.2f} s [{min(sbx_b):.2f}-{max(sbx_b):.2f}], ratio {sb / nb:.3f}x")

# Builds from a clean tree every run, the four ways. The trees live in a
# directory of their own under WORKDIR, removed whatever happens.
lua_tar = os.path.join(work, "lua.tar.gz")
os.makedirs(work, exist_ok=True)
scratch = tempfile.mkdtemp(prefix="run.", dir=work)
try:
    tmp = os.path.join(scratch, "tmp")  # sydbox's private TMPDIR
    os.mkdir(tmp)
    make = ["/usr/bin/make", "-j2"]
    if os.path.exists(lua_tar):
        luadir = os.path.join(scratch, "lua")
        top = subprocess.run(["tar", "-tzf", lua_tar], check=True, capture_output=True,
                             text=True).stdout.split("/", 1)[0]
        tree = os.path.join(luadir, top)

        def fresh_lua():
            shutil.rmtree(luadir, ignore_errors=True)
            os.mkdir(luadir)
            # Owned by whoever runs the bench, as a checkout of theirs would be.
            subprocess.run(["tar", "--no-same-owner", "-C", luadir, "-xzf", lua_tar], check=True)
            shutil.rmtree(tmp)
            os.mkdir(tmp)
        ways = peers({"native": make,
                      "sandbox-helper": [helper, "--policy=build", f"--write={tree}",
                                         f"--chdir={tree}", "--"] + make},
                     tree=tree, tmp=tmp, argv=make)
        show(f"{top} make -j2, clean tree each run",
             interleaved(ways, 2 if quick else 7, before=fresh_lua, cwd=tree, env=build_env), "s")
    else:
        print(f"Lua make -j2: no {lua_tar}; run tests/bench/prepare.sh first")

    # This project with ninja -j2: one copy of the source, meson setup once,
    # `ninja -t clean` before every run.
    tree = os.path.join(scratch, "src")
    shutil.copytree(src, tree, ignore=lambda d, names: [
        n for n in names if n == ".git" or (d == src and n.startswith("build"))])
    subprocess.run(["meson", "setup", "b"], cwd=tree, env=build_env, check=True,
                   stdout=subprocess.DEVNULL)
    ninja = ["/usr/bin/ninja", "-C", "b", "-j2"]

    def clean_build():
        subprocess.run(["/usr/bin/ninja", "-C", "b", "-t", "clean"], cwd=tree, check=True,
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp)
        os.mkdir(tmp)
    ways = peers({"native": ninja,
                  "sandbox-helper": [helper, "--policy=build", f"--write={tree}",
                                     f"--exec={tree}/**", f"--chdir={tree}", "--"] + ninja},
                 tree=tree, tmp=tmp, argv=ninja)
    show("ninja -j2 of this project, clean build dir each run",
         interleaved(ways, 2 if quick else 5, before=clean_build, cwd=tree, env=build_env), "s")
finally:
    shutil.rmtree(scratch, ignore_errors=True)

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

# Many starts: 200 sandboxes of /bin/true in a row and 8 at a time, per
# sandbox, through sbx_spawn cold (a broker process each, or one shared
# broker) and from a warm pool (sbx_warm_new), against bwrap started the
# same way; then the time from sbx_spawn to the sandbox's end when the pool
# is ready (30 ms untimed between starts).
warmsbx = os.path.join(build, "tests", "warmsbx")
wenv = dict(env, SBX_BROKER=os.path.join(build, "broker", "sandbox-broker"),
            SBX_WARM=os.path.join(build, "client", "sandbox-warm"))
count = 50 if quick else 200


def bwrap_many(count, par):
    """ms per sandbox: COUNT bwraps of /bin/true, PAR at a time."""
    t = time.perf_counter()
    live = []
    for _ in range(count):
        if len(live) >= par:
            live.pop(0).wait()
        live.append(subprocess.Popen(true_ways["bwrap"]))
    for p in live:
        p.wait()
    return (time.perf_counter() - t) / count * 1000


def warm_row(modes, par, gap=False):
    """name -> [ms per sandbox] over 3 interleaved rounds (with GAP: the
    median time from sbx_spawn to the end instead)."""
    got = {m: [] for m in modes}
    if bwrap and not gap:
        got["bwrap"] = []
    for r in range(3):
        for m in got:
            if m == "bwrap":
                got[m].append(bwrap_many(count, par))
                continue
            out = subprocess.run([warmsbx, "bench", str(count if not gap else 40), str(par),
                                  m + ("-gap" if gap else ""), "--", "/bin/true"],
                                 check=True, capture_output=True, text=True, env=wenv).stdout.split()
            got[m].append(float(out[1] if gap else out[0]))
    return got


for par in (1, 8):
    row = warm_row(["cold", "cold-shared", "warm", "warm-shared"], par)
    print(f"{count} sandboxes of /bin/true, {par} at a time, ms per sandbox (3 rounds, median [min-max]):")
    for k, v in row.items():
        ratio = f"  {statistics.median(v) / statistics.median(row['bwrap']):.2f}x bwrap" if "bwrap" in row else ""
        print(f"  {k:15} {statistics.median(v):7.2f} [{min(v):.2f}-{max(v):.2f}]{ratio}")
row = warm_row(["cold-shared", "warm-shared", "warm"], 1, gap=True)
lt = statistics.median(launch_times["bwrap"]) * 1000 if "bwrap" in launch_times else None
print("sbx_spawn to the sandbox's end, one at a time with the pool ready, ms (3 rounds of 40, median "
      "[min-max])" + (f"; bwrap's launch above: {lt:.2f} ms" if lt else "") + ":")
for k, v in row.items():
    ratio = f"  {statistics.median(v) / lt:.2f}x bwrap" if lt else ""
    print(f"  {k:15} {statistics.median(v):7.2f} [{min(v):.2f}-{max(v):.2f}]{ratio}")

# Cost as the work grows: 1, 10 and 100 sandboxes alive at once from one
# shared broker (sbx_broker_start_shared): how long they took to start, and
# the memory (Pss) of the broker, each helper and each init.
manysbx = os.path.join(build, "tests", "manysbx")
for count in (1, 10, 100):
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([manysbx, d, f"--rss={count}"], check=True, capture_output=True, text=True,
                             env=dict(env, SBX_BROKER=os.path.join(build, "broker", "sandbox-broker"))).stdout
        print("shared broker: " + "; ".join(l[2:] for l in out.splitlines() if l.startswith("# ")))

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
            # A renderer prefix makes Chromium start each renderer as a new
            # process of its own (no zygote): "env --" as the prefix is that
            # model unsandboxed, the sandbox's fair baseline.
            plain = ["--renderer-cmd-prefix=env --"]
            render([])  # warm the page cache
            nat, env_p, sbx = [], [], []
            for _ in range(3 if quick else 8):
                nat.append(render([]))
                env_p.append(render(plain))
                sbx.append(render(prefix))
            n, e, s = statistics.median(nat), statistics.median(env_p), statistics.median(sbx)
            print(f"chromium --screenshot of the test page: unsandboxed renderers {n:.0f} ms "
                  f"[{min(nat):.0f}-{max(nat):.0f}], unsandboxed through the prefix 'env --' {e:.0f} ms "
                  f"[{min(env_p):.0f}-{max(env_p):.0f}], sandboxed renderers {s:.0f} ms "
                  f"[{min(sbx):.0f}-{max(sbx):.0f}]; ratio {s / n:.2f}x unsandboxed, {s / e:.2f}x "
                  f"the same prefix unsandboxed")
        finally:
            srv.kill()
            srv.wait()
else:
    print("chromium: not installed; no render figure")
