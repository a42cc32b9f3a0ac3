#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Layout checks: the limits docs and reviews hold the tree to.

  check_layout.py SOURCE BUILD   check the tree at SOURCE and the broker built in BUILD
  check_layout.py --self-test    run each check on made-up trees and objects, where it
                                 must pass on the clean one and fail on the bad one

Each case prints "ok - NAME" or "not ok - NAME: REASON" (one line; details follow as
"#" lines), then a last line "N passed, M failed". The exit status is 1 when any case
failed.

  a. every *.c and *.h under helper/, broker/, client/, common/ and tests/ is at most
     600 lines;
  b. the helper (helper/*.c, *.h) is at most 1,200 lines that are neither blank nor
     comment-only; a comment-only line is one whose first non-space characters are
     "/*", "*" or "//" (a line of code that starts with "*", a dereference, counts as
     comment: the rule is kept simple on purpose, and such lines are rare);
  c. the objects linked into sandbox-broker never call each other in a circle: object
     A -> object B when A has an undefined symbol that B defines (from nm); every
     strongly connected component of more than one object is a failure.
"""
import os
import re
import subprocess
import sys

MAX_LINES = 600
MAX_HELPER_CODE = 1200
SOURCE_DIRS = ("helper", "broker", "client", "common", "tests")
BROKER_TARGET = "broker/sandbox-broker"


def source_files(root, dirs, recursive=True):
    """Paths (relative to ROOT, sorted) of the *.c and *.h files under DIRS."""
    out = []
    for d in dirs:
        top = os.path.join(root, d)
        for cur, subdirs, files in os.walk(top):
            subdirs[:] = sorted(s for s in subdirs if not s.startswith(".")) if recursive else []
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(cur, f), root))
    return sorted(out)


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


# --- a. file length ---------------------------------------------------------------
def check_file_length(root):
    files = source_files(root, SOURCE_DIRS)
    if not files:
        return False, "no source files found under %s" % ", ".join(SOURCE_DIRS), []
    over = [(p, len(read_lines(os.path.join(root, p)))) for p in files]
    over = [(p, n) for p, n in over if n > MAX_LINES]
    if not over:
        return True, "%d files, none over %d lines" % (len(files), MAX_LINES), []
    return False, "%d of %d files over %d lines: %s" % (
        len(over), len(files), MAX_LINES, ", ".join("%s (%d)" % o for o in over)), []


# --- b. helper size ---------------------------------------------------------------
def code_lines(lines):
    """Lines that are neither blank nor comment-only."""
    n = 0
    for line in lines:
        s = line.lstrip()
        if s and not s.startswith(("/*", "*", "//")):
            n += 1
    return n


def check_helper_size(root):
    files = source_files(root, ("helper",))
    if not files:
        return False, "no helper sources under helper/", []
    per = [(p, code_lines(read_lines(os.path.join(root, p)))) for p in files]
    total = sum(n for _, n in per)
    details = ["%s: %d" % pn for pn in per]
    if total <= MAX_HELPER_CODE:
        return True, "the helper has %d lines of code (at most %d)" % (total, MAX_HELPER_CODE), details
    return False, "the helper has %d lines of code, over %d by %d" % (
        total, MAX_HELPER_CODE, total - MAX_HELPER_CODE), details


# --- c. broker call cycles --------------------------------------------------------
NINJA_BUILD = re.compile(r"^build (.+?): (\S+)(.*)$")


def ninja_edges(build):
    """(outputs, rule, explicit inputs, implicit inputs, variables) of build.ninja."""
    path = os.path.join(build, "build.ninja")
    edges = []
    cur = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = NINJA_BUILD.match(line)
            if m:
                ins = m.group(3).split(" || ")[0].split(" | ")
                cur = (m.group(1).split(), m.group(2), ins[0].split(),
                       ins[1].split() if len(ins) > 1 else [], {})
                edges.append(cur)
            elif cur and line.startswith(" ") and "=" in line:
                k, v = line.strip().split("=", 1)
                cur[4][k.strip()] = v.strip()
            elif not line.startswith(" "):
                cur = None
    return edges


def broker_objects(build):
    """The broker's direct objects, the archives linked with it ({archive: [objects]})
    and {object: source} (all paths relative to BUILD)."""
    edges = ninja_edges(build)
    sources = {}
    archives = {}
    link = None
    for outs, rule, ins, imp, var in edges:
        if "COMPILER" in rule and len(outs) == 1 and ins:
            sources[outs[0]] = ins[0]
        elif "STATIC_LINKER" in rule and len(outs) == 1:
            archives[outs[0]] = [i for i in ins if i.endswith(".o")]
        elif "LINKER" in rule and BROKER_TARGET in outs:
            link = (ins, imp, var.get("LINK_ARGS", "").split())
    if not link:
        raise LookupError("no link step for %s in %s/build.ninja" % (BROKER_TARGET, build))
    ins, imp, args = link
    direct = [i for i in ins if i.endswith(".o")]
    linked = {}
    for a in ins + imp + args:
        if a.endswith(".a") and a in archives and a not in linked:
            linked[a] = archives[a]
    return direct, linked, sources


def nm_symbols(build, obj):
    """(defined, undefined) global symbols of OBJ."""
    out = subprocess.run(["nm", "-P", os.path.join(build, obj)], check=True,
                         capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind in ("U", "w", "v"):
            undefined.add(name)
        elif kind in "TDBRCWVGSiu":
            defined.add(name)
    return defined, undefined


def linked_set(symbols, direct, archives):
    """What the linker takes: the direct objects, then every archive member that
    defines a symbol still undefined, until nothing more is pulled in (the broker's
    archives are in one --start-group, so their order does not matter)."""
    taken = list(direct)
    members = [o for objs in archives.values() for o in objs if o not in direct]
    while True:
        defined = set().union(*(symbols[o][0] for o in taken)) if taken else set()
        wanted = set().union(*(symbols[o][1] for o in taken)) - defined if taken else set()
        pulled = [o for o in members if o not in taken and symbols[o][0] & wanted]
        if not pulled:
            return taken
        taken += pulled


def call_graph(symbols, objects):
    """{A: {B: symbol}}: A uses SYMBOL, which B defines (the first by name)."""
    definers = {}
    for o in objects:
        for s in symbols[o][0]:
            definers.setdefault(s, []).append(o)
    graph = {o: {} for o in objects}
    for a in objects:
        for s in sorted(symbols[a][1]):
            for b in definers.get(s, []):
                if b != a and b not in graph[a]:
                    graph[a][b] = s
    return graph


def tarjan(graph):
    """Strongly connected components of GRAPH, each a sorted list."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return comps


def shortest_cycle(graph, comp):
    """A shortest cycle through COMP's first node, as a list of nodes (first again last)."""
    start, members = comp[0], set(comp)
    prev, todo = {start: None}, [start]
    while todo:
        nxt = []
        for v in todo:
            for w in sorted(graph[v]):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return list(reversed(path)) + [start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        todo = nxt
    return [start]


def cycle_report(graph, comps, name):
    """One line of files per component, its internal edges with a symbol each (every
    edge inside a component lies on a cycle), and a shortest cycle."""
    out = []
    for comp in comps:
        out.append("cycle among %d objects: %s" % (len(comp), ", ".join(name(o) for o in comp)))
        cyc = shortest_cycle(graph, comp)
        out.append("  e.g. " + " ".join(
            "%s -[%s]->" % (name(a), graph[a][b]) for a, b in zip(cyc, cyc[1:])) + " " + name(cyc[-1]))
        for a in comp:
            for b in sorted(graph[a]):
                if b in comp:
                    out.append("  %s -> %s (%s)" % (name(a), name(b), graph[a][b]))
    return out


def check_broker_cycles(root, build):
    try:
        direct, archives, sources = broker_objects(build)
    except (OSError, LookupError) as e:
        return False, "cannot find the broker's objects: %s" % e, []
    if not direct:
        return False, "the link step of %s names no objects" % BROKER_TARGET, []
    symbols = {}
    try:
        for o in set(direct) | {m for objs in archives.values() for m in objs}:
            symbols[o] = nm_symbols(build, o)
    except (OSError, subprocess.CalledProcessError) as e:
        return False, "nm failed (is the broker built?): %s" % e, []
    objects = linked_set(symbols, direct, archives)

    def name(o):
        src = sources.get(o)
        if src is None:
            return o
        return os.path.relpath(os.path.normpath(os.path.join(build, src)), root)

    graph = call_graph(symbols, objects)
    comps = [c for c in tarjan(graph) if len(c) > 1]
    if not comps:
        return True, "%d objects, %d edges, no cycle" % (
            len(objects), sum(len(e) for e in graph.values())), []
    return False, "%d cycle(s) among the broker's %d objects: %s" % (
        len(comps), len(objects), "; ".join(" <-> ".join(name(o) for o in c) for c in comps)), \
        cycle_report(graph, comps, name)


# --- running ----------------------------------------------------------------------
def run_cases(cases, out=sys.stdout):
    """Run (NAME, FUNCTION) cases; print ok/not ok lines and the count. Returns the
    number of failures."""
    passed = failed = 0
    for name, fn in cases:
        try:
            ok, reason, details = fn()
        except Exception as e:  # a crash in a check is that check's failure
            ok, reason, details = False, "the check crashed: %r" % e, []
        if ok:
            passed += 1
            print("ok - %s: %s" % (name, reason), file=out)
        else:
            failed += 1
            print("not ok - %s: %s" % (name, reason), file=out)
        for d in details:
            print("#   " + d, file=out)
    print("%d passed, %d failed" % (passed, failed), file=out)
    return failed


def layout_cases(root, build):
    return [
        ("a. every source file is at most %d lines" % MAX_LINES, lambda: check_file_length(root)),
        ("b. the helper is at most %d lines of code" % MAX_HELPER_CODE, lambda: check_helper_size(root)),
        ("c. the broker's objects call each other in no circle", lambda: check_broker_cycles(root, build)),
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        # The cases live beside this file; they take this module's checks.
        # No __pycache__ left in the source tree.
        sys.dont_write_bytecode = True
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from check_layout_selftest import self_test_cases
        sys.exit(1 if run_cases(self_test_cases(sys.modules[__name__])) else 0)
    if len(sys.argv) != 3:
        print("usage: check_layout.py SOURCE BUILD | --self-test", file=sys.stderr)
        sys.exit(2)
    src, bld = (os.path.abspath(p) for p in sys.argv[1:3])
    sys.exit(1 if run_cases(layout_cases(src, bld)) else 0)
