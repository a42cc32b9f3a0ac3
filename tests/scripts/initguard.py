# SPDX-License-Identifier: LGPL-2.1-or-later
# Drives tests/progs/initguard in a sandbox and reads the state of init
# and of the broker from outside, before and after the program tried to
# change them: limits, nice value, scheduling policy, CPUs allowed. Then
# the program executes EXEC, which must still work.
#   initguard.py HELPER INITGUARD EXEC [HELPER-OPTION...]
import os
import subprocess
import sys
import time

helper, prog, exe = sys.argv[1:4]
opts = sys.argv[4:]
failed = 0


def check(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what)
    failed += not cond


def state(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open("/proc/%d/status" % pid) as f:
        cpus = [l.split()[1] for l in f if l.startswith("Cpus_allowed_list")]
    with open("/proc/%d/limits" % pid) as f:
        limits = f.read()
    # fields[0] is the state (field 3): nice is field 19, policy 41
    return {"nice": fields[16], "policy": fields[38], "cpus": cpus, "limits": limits}


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except OSError:
                pass
    return out


def nspid_is_1(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("NSpid:"):
                return l.split()[-1] == "1"
    return False


p = subprocess.Popen([helper, "--policy=minimal", "--exec=" + exe] + opts + ["--", prog, exe],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
try:
    check(p.stdout.readline().strip() == "ready", "the program starts")
    # The broker is the helper's process (it became the broker), or its
    # child; init is the process whose pid in its namespace is 1.
    init = None
    for _ in range(50):
        cands = [c for c in children(p.pid) + [g for c in children(p.pid) for g in children(c)] if nspid_is_1(c)]
        if cands:
            init = cands[0]
            break
        time.sleep(0.1)
    check(init is not None, "init found from outside (host pid %s)" % init)
    before = state(init)
    broker_before = state(p.pid)
    p.stdin.write("go\n")
    lines = []
    for l in p.stdout:
        if l.strip() == "done":
            break
        lines.append(l.rstrip())
    after = state(init)
    broker_after = state(p.pid)
    bad = [l for l in lines if not l.startswith("ok")]
    check(lines and not bad, "%d calls: those against init refused, those against itself worked%s"
          % (len(lines), "".join("\n#     " + l for l in bad)))
    for k in before:
        check(before[k] == after[k], "init's %s unchanged" % k +
              ("" if before[k] == after[k] else " (%r, now %r)" % (before[k], after[k])))
    for k in broker_before:
        check(broker_before[k] == broker_after[k], "the broker's %s unchanged" % k)
    p.stdin.write("exec\n")
    p.stdin.close()
    last = p.stdout.readline().strip()
    check(last == "exec 0", "then an exec still works (%s)" % last)
    rc = p.wait(timeout=20)
    check(rc == 0, "the program's status is 0 (%d)" % rc)
finally:
    if p.poll() is None:
        p.kill()
        p.wait()
print("%d failed" % failed)
sys.exit(1 if failed else 0)
