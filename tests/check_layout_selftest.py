# SPDX-License-Identifier: LGPL-2.1-or-later
"""Cases for check_layout.py --self-test: each layout check runs on a made-up tree (and,
for the call graph, objects compiled from made-up C files with a made-up build.ninja),
once where the limit holds, where it must pass, and once where it is broken, where it
must fail and name what broke it."""
import os
import shutil
import subprocess
import tempfile


def write(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)


def lines(n, text="x;"):
    return "".join("%s\n" % text for _ in range(n))


def expect(result, want_ok, *needles):
    """A case's verdict on RESULT, a check's (ok, reason, details)."""
    ok, reason, details = result
    text = "\n".join([reason] + details)
    missing = [n for n in needles if n not in text]
    if ok != want_ok:
        return False, "the check said %s, wanted %s: %s" % (
            "ok" if ok else "not ok", "ok" if want_ok else "not ok", reason), details
    if missing:
        return False, "the check's report lacks %s: %s" % (", ".join(missing), reason), details
    return True, "%s as wanted: %s" % ("passed" if ok else "failed", reason), []


# The broker of the fixture: exe.c (the executable's own object) calls into an archive
# broker/lib.a (top.c, mid.c, stray1.c, stray2.c) and common/lib.a (leaf.c). stray1 and
# stray2 call each other but nothing calls them, so the linker leaves them out and so
# must the check.
FIXTURE_C = {
    "broker/exe.c": "void top(void);\nint main(void) { top(); return 0; }\n",
    "broker/top.c": "void mid(void);\nvoid top(void) { mid(); }\n",
    "broker/mid.c": "void leaf(void);\nvoid mid(void) { leaf(); }\n",
    "common/leaf.c": "int leaf_count;\nvoid leaf(void) { leaf_count++; }\n",
    "common/leaf_cycle.c": "void top(void);\nvoid leaf(void) { top(); }\n",
    "broker/stray1.c": "void stray2(void);\nvoid stray1(void) { stray2(); }\n",
    "broker/stray2.c": "void stray1(void);\nvoid stray2(void) { stray1(); }\n",
}


def broker_fixture(tmp, leaf):
    """SOURCE and BUILD of a fixture whose leaf is LEAF (a file of FIXTURE_C)."""
    src, build = os.path.join(tmp, "src"), os.path.join(tmp, "build")
    for rel, text in FIXTURE_C.items():
        write(src, rel, text)
    objs = {
        "broker/sandbox-broker.p/exe.c.o": "broker/exe.c",
        "broker/libb.a.p/top.c.o": "broker/top.c",
        "broker/libb.a.p/mid.c.o": "broker/mid.c",
        "broker/libb.a.p/stray1.c.o": "broker/stray1.c",
        "broker/libb.a.p/stray2.c.o": "broker/stray2.c",
        "common/libc.a.p/leaf.c.o": leaf,
    }
    ninja = []
    cc = os.environ.get("CC", "cc").split()
    for obj, c in objs.items():
        os.makedirs(os.path.dirname(os.path.join(build, obj)), exist_ok=True)
        subprocess.run(cc + ["-c", "-o", os.path.join(build, obj), os.path.join(src, c)],
                       check=True, capture_output=True)
        ninja += ["build %s: c_COMPILER ../src/%s" % (obj, c), " DEPFILE = %s.d" % obj, ""]
    libb = [o for o in objs if o.startswith("broker/libb")]
    ninja += ["build broker/libb.a: STATIC_LINKER " + " ".join(libb), "",
              "build common/libc.a: STATIC_LINKER common/libc.a.p/leaf.c.o", "",
              "build broker/sandbox-broker: c_LINKER broker/sandbox-broker.p/exe.c.o"
              " | broker/libb.a common/libc.a",
              " LINK_ARGS = -Wl,--start-group broker/libb.a common/libc.a -Wl,--end-group", ""]
    write(build, "build.ninja", "\n".join(ninja))
    return src, build


def self_test_cases(m):
    tmp = tempfile.mkdtemp(prefix="sbx-layout-")

    def tree(name, files):
        root = os.path.join(tmp, name)
        for rel, text in files.items():
            write(root, rel, text)
        return root

    # a: 600 lines pass, 601 do not, anywhere below the source dirs; other files and
    # other directories are not counted.
    a_ok = {"helper/x.c": lines(600), "tests/progs/y.h": lines(10), "docs/z.c": lines(900),
            "broker/notes.txt": lines(900)}
    a_bad = dict(a_ok, **{"broker/big.c": lines(601), "tests/fuzz/deep/d.c": lines(700)})
    # b: 1,200 lines of code beside blank and comment-only lines of every style pass;
    # one more does not.
    comments = "/* a\n * b\n */\n// c\n\t// d\n   \n\n\t/* e */\n"
    b_ok = {"helper/a.c": comments + lines(700, "\tint a;"), "helper/h.h": comments + lines(500, "int b;")}
    b_bad = dict(b_ok, **{"helper/h.h": comments + lines(501, "int b;")})
    a_ok_root, a_bad_root = tree("a-ok", a_ok), tree("a-bad", a_bad)
    b_ok_root, b_bad_root = tree("b-ok", b_ok), tree("b-bad", b_bad)

    def c_case(leaf, want_ok, *needles):
        def run():
            src, build = broker_fixture(os.path.join(tmp, "c-" + os.path.basename(leaf)), leaf)
            return expect(m.check_broker_cycles(src, build), want_ok, *needles)
        return run

    def tarjan_case():
        g = {"a": {"b": 1}, "b": {"c": 1, "a": 1}, "c": {"d": 1}, "d": {"e": 1}, "e": {"c": 1, "f": 1},
             "f": {"f": 1}, "g": {}}
        got = sorted(c for c in m.tarjan(g) if len(c) > 1)
        want = [["a", "b"], ["c", "d", "e"]]
        cyc = m.shortest_cycle(g, ["c", "d", "e"])
        if got != want or cyc != ["c", "d", "e", "c"]:
            return False, "components %s, cycle %s; wanted %s, [c, d, e, c]" % (got, cyc, want), []
        return True, "components %s, cycle %s" % (got, cyc), []

    def cleanup():
        shutil.rmtree(tmp)
        return True, "removed the fixtures", []

    return [
        ("a passes on a tree of files of at most 600 lines",
         lambda: expect(m.check_file_length(a_ok_root), True, "2 files")),
        ("a fails on 601 and 700 lines and names both",
         lambda: expect(m.check_file_length(a_bad_root), False, "broker/big.c (601)",
                        "tests/fuzz/deep/d.c (700)")),
        ("a fails on a tree without sources",
         lambda: expect(m.check_file_length(tmp), False, "no source files")),
        ("b passes on 1,200 lines of code among comments and blanks",
         lambda: expect(m.check_helper_size(b_ok_root), True, "1200 lines")),
        ("b fails on 1,201 lines of code and says so",
         lambda: expect(m.check_helper_size(b_bad_root), False, "1201 lines", "helper/h.h: 501")),
        ("tarjan finds exactly the components of more than one node", tarjan_case),
        ("c passes on objects that call only downwards (unlinked members left out)",
         c_case("common/leaf.c", True, "4 objects, 3 edges, no cycle")),
        ("c fails on a cycle of three objects and names files and symbols",
         c_case("common/leaf_cycle.c", False, "broker/mid.c <-> broker/top.c <-> common/leaf_cycle.c",
                "broker/top.c -> broker/mid.c (mid)", "common/leaf_cycle.c -> broker/top.c (top)",
                "e.g. broker/mid.c -[leaf]-> common/leaf_cycle.c -[top]-> broker/top.c -[mid]->")),
        ("c fails without a build to read",
         lambda: expect(m.check_broker_cycles(tmp, os.path.join(tmp, "nothing")), False,
                        "cannot find the broker's objects")),
        ("fixtures removed", cleanup),
    ]
