"""cmake/perfproj/scripts/build_profile.py and build_profile_launcher.py: the report's
arithmetic on small, hand-made Clang traces, GCC time reports, Ninja logs and graphs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.packages import require
from helpers.paths import SCRIPTS
from perfproj.resources import load_module

PROFILE = load_module(SCRIPTS / "build_profile.py", "perfproj_build_profile_under_test")
LAUNCHER = load_module(SCRIPTS / "build_profile_launcher.py", "perfproj_build_profile_launcher_under_test")
SOURCE = Path("/src/demo")
STD = "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12"

# GCC 12's -ftime-report, as printed for one translation unit (shortened).
GCC_REPORT = """\

Time variable                                   usr           sys          wall           GGC
 phase setup                        :   0.00 (  0%)   0.00 (  0%)   0.01 (  2%)  1576k (  6%)
 phase parsing                      :   0.14 ( 78%)   0.26 ( 93%)   0.40 ( 83%)    22M ( 79%)
 phase opt and generate             :   0.01 (  6%)   0.00 (  0%)   0.07 ( 15%)   750k (  3%)
 |name lookup                       :   0.03 ( 17%)   0.05 ( 18%)   0.11 ( 23%)  1291k (  5%)
 template instantiation             :   0.06 ( 33%)   0.06 ( 21%)   0.13 ( 27%)  9167k ( 32%)
 TOTAL                              :   0.18          0.28          0.48           27M
"""


def event(name: str, start: int, duration: int, detail: str | None = None) -> dict[str, object]:
    found: dict[str, object] = {"pid": 1, "tid": 1, "ph": "X", "ts": start, "dur": duration, "name": name}
    if detail is not None:
        found["args"] = {"detail": detail}
    return found


def write_trace(build: Path, object_path: str, events: list[dict[str, object]]) -> Path:
    """A Clang -ftime-trace file next to its object, as Clang names it (x.cpp.o -> x.cpp.json)."""
    obj = build / object_path
    obj.parent.mkdir(parents=True, exist_ok=True)
    obj.write_bytes(b"")
    trace = obj.with_suffix(".json")
    metadata = {"ph": "M", "pid": 1, "tid": 1, "ts": 0, "name": "process_name", "args": {"name": "clang"}}
    trace.write_text(json.dumps({"traceEvents": [metadata, *events], "beginningOfTime": 0}))
    return trace


def clang_build(tmp_path: Path) -> Path:
    """Two translation units: both parse <string> (one through the project's header), one is slow."""
    build = tmp_path / "build"
    build.mkdir()
    (build / "CMakeCache.txt").write_text(f"CMAKE_HOME_DIRECTORY:INTERNAL={SOURCE}\n")
    write_trace(build, "CMakeFiles/demo.dir/src/a.cpp.o", [
        event("ExecuteCompiler", 0, 3_000_000),
        event("Source", 100, 1_500_000, f"{SOURCE}/include/demo/a.hpp"),
        event("Source", 200, 1_000_000, f"{STD}/string"),  # nested in a.hpp: inclusive times
        event("InstantiateClass", 2_000_000, 400_000, "std::vector<int>"),
        event("InstantiateFunction", 2_500_000, 100_000, "demo::f<int>"),
        event("CodeGen Function", 2_700_000, 50_000, "demo::g"),
        event("OptFunction", 2_800_000, 70_000, "demo::g"),
        event("Total Source", 0, 1_500_000),
    ])
    write_trace(build, "CMakeFiles/demo.dir/src/b.cpp.o", [
        event("ExecuteCompiler", 0, 1_000_000),
        event("Source", 100, 500_000, f"{STD}/string"),
        event("InstantiateClass", 600_000, 200_000, "std::vector<int>"),
        event("Total Source", 0, 500_000),
    ])
    (build / "compile_commands.json").write_text("[]")  # JSON with no object next to it: not a trace
    return build


# ---- Clang ---------------------------------------------------------------------------------


def test_clang_traces_are_summed_over_translation_units(tmp_path: Path) -> None:
    build = clang_build(tmp_path)
    profile = PROFILE.read_clang(build, SOURCE)
    assert [path.name for path in profile.traces] == ["a.cpp.json", "b.cpp.json"]
    assert profile.compile_seconds == pytest.approx(4.0)
    assert profile.source_seconds == pytest.approx(2.0)
    assert profile.slowest[1].name == "a.cpp.json"
    headers = PROFILE.top(profile.headers, 5)
    # ../ detours resolved; the project's header relative to the source tree.
    assert [(name, round(entry.seconds, 3), entry.count) for name, entry in headers] == [
        ("/usr/include/c++/12/string", 1.5, 2), ("include/demo/a.hpp", 1.5, 1)]
    templates = PROFILE.top(profile.templates, 1)
    assert templates[0][0] == "std::vector<int>" and templates[0][1].seconds == pytest.approx(0.6)
    assert templates[0][1].count == 2
    functions = dict(PROFILE.top(profile.functions, 5))
    assert functions[("optimize", "demo::g")].seconds == pytest.approx(0.07)
    assert functions[("IR generation", "demo::g")].seconds == pytest.approx(0.05)


def test_top_orders_by_time_then_name_and_cuts(tmp_path: Path) -> None:
    tallies: dict[str, object] = {}
    for name, seconds in [("b", 1.0), ("a", 1.0), ("c", 3.0), ("d", 0.5)]:
        PROFILE.tally(tallies, name, seconds)
    PROFILE.tally(tallies, "d", 0.25)
    assert [name for name, _ in PROFILE.top(tallies, 3)] == ["c", "a", "b"]
    assert tallies["d"].count == 2 and tallies["d"].seconds == pytest.approx(0.75)


def test_mangled_function_names_are_demangled() -> None:
    require("g++")  # c++filt: binutils, which g++ brings
    tallies = {("optimize", "_ZN4demo3runEv"): PROFILE.Tally(0.5, 1), ("optimize", "main"): PROFILE.Tally(0.1, 1)}
    readable = PROFILE.demangled_functions(tallies)
    assert set(readable) == {("optimize", "demo::run()"), ("optimize", "main")}


def test_a_broken_trace_is_one_error(tmp_path: Path) -> None:
    build = clang_build(tmp_path)
    (build / "CMakeFiles/demo.dir/src/b.cpp.json").write_text('{"traceEvents": [')
    with pytest.raises(PROFILE.ProfileError, match="b.cpp.json: not a readable Chrome trace"):
        PROFILE.read_clang(build, SOURCE)


# ---- GCC -----------------------------------------------------------------------------------


def test_a_gcc_time_report_is_read_by_wall_time() -> None:
    report = PROFILE.parse_time_report(GCC_REPORT, "CMakeFiles/demo.dir/src/a.cpp.o")
    assert report.total == pytest.approx(0.48)
    assert report.timers == {"phase setup": 0.01, "phase parsing": 0.40, "phase opt and generate": 0.07,
                             "name lookup (nested)": 0.11, "template instantiation": 0.13}
    with pytest.raises(PROFILE.ProfileError, match="no TOTAL line"):
        PROFILE.parse_time_report("warning: nothing\n", "x.o")


def test_gcc_reports_are_summed_and_stale_ones_skipped(tmp_path: Path) -> None:
    for name in ("a", "b", "gone"):
        (tmp_path / f"{name}.cpp.o.time-report.txt").write_text(GCC_REPORT)
        if name != "gone":
            (tmp_path / f"{name}.cpp.o").write_bytes(b"")
    reports = PROFILE.read_gcc(tmp_path)
    assert [report.unit for report in reports] == ["a.cpp.o", "b.cpp.o"]
    timers = PROFILE.gcc_timers(reports)
    assert timers["phase parsing"].seconds == pytest.approx(0.80) and timers["phase parsing"].count == 2
    text = "\n".join(PROFILE.gcc_section(reports, 3))
    assert "|   0.80 |   83% | phase parsing" in text  # share of the summed TOTALs (0.96 s)
    assert "template instantiation" in text and "a.cpp.o" in text


# ---- Ninja ---------------------------------------------------------------------------------

# Two builds: a full one, then one that rebuilt a.o and relinked. Times in ms.
NINJA_LOG = """# ninja log v5
0\t5\t0\tclean\t1
1\t3001\t0\ta.o\t11
2\t1002\t0\tb.o\t12
1002\t6002\t0\tc.o\t13
3001\t3501\t0\tlib.a\t14
6002\t8002\t0\tapp\t15
6002\t8002\t0\tapp.map\t15
0\t2000\t0\ta.o\t21
2000\t2500\t0\tlib.a\t22
2500\t4500\t0\tapp\t23
2500\t4500\t0\tapp.map\t23
4600\t4700\t0\tCMakeFiles/perfproj-build-profile\t24
"""


def test_the_ninja_log_is_read_into_steps() -> None:
    steps = PROFILE.parse_ninja_log(NINJA_LOG)
    assert [step.name for step in steps] == ["a.o", "b.o", "c.o", "lib.a", "app (+1 more)", "a.o", "lib.a",
                                             "app (+1 more)"]  # clean and the report are no build steps
    latest = {step.outputs[0]: step.seconds for step in PROFILE.latest_steps(steps)}
    assert latest == {"b.o": 1.0, "c.o": 5.0, "a.o": 2.0, "lib.a": 0.5, "app": 2.0}
    last = PROFILE.last_build(steps)
    assert [step.outputs[0] for step in last] == ["a.o", "lib.a", "app"]
    summary = PROFILE.parallelism(last)
    assert (summary.steps, summary.step_seconds, summary.wall_seconds) == (3, 4.5, 4.5)
    assert summary.average == pytest.approx(1.0)


def test_the_last_build_ends_where_an_output_repeats() -> None:
    # A recompacted log lists older runs in any order: the new build may end later than they did.
    log = "# ninja log v5\n0\t100\t0\tx.o\t1\n0\t200\t0\tx.o\t3\n"
    assert [step.seconds for step in PROFILE.last_build(PROFILE.parse_ninja_log(log))] == [0.2]
    full = PROFILE.parallelism(PROFILE.last_build(PROFILE.parse_ninja_log(
        "# ninja log v5\n0\t1000\t0\ta.o\t1\n0\t1000\t0\tb.o\t2\n1000\t1500\t0\tapp\t3\n")))
    assert full.step_seconds == pytest.approx(2.5) and full.wall_seconds == pytest.approx(1.5)
    assert full.average == pytest.approx(2.5 / 1.5)


@pytest.mark.parametrize("text", ["", "# ninja log v4\n", "# ninja log v5\n1\t2\ta.o\n",
                                  "# ninja log v5\nx\t2\t0\ta.o\t1\n"])
def test_a_bad_ninja_log_is_one_error(text: str) -> None:
    with pytest.raises(PROFILE.ProfileError):
        PROFILE.parse_ninja_log(text)


# `ninja -t graph` of: x.c -> x.o (cc); a.o b.o -> lib.a (ar); lib.a c.o | gen.h -> app app.map (link).
NINJA_DOT = """digraph ninja {
rankdir="LR"
node [fontsize=10, shape=box, height=0.25]
edge [fontsize=10]
"0x1" [label="app"]
"0x9" [label="link", shape=ellipse]
"0x9" -> "0x1"
"0x9" -> "0x8"
"0x2" -> "0x9" [arrowhead=none]
"0x3" -> "0x9" [arrowhead=none]
"0x7" -> "0x9" [arrowhead=none style=dotted]
"0x8" [label="app.map"]
"0x2" [label="lib.a"]
"0xa" [label="ar", shape=ellipse]
"0xa" -> "0x2"
"0x4" -> "0xa" [arrowhead=none]
"0x5" -> "0xa" [arrowhead=none]
"0x4" [label="a.o"]
"0x6" -> "0x4" [label=" cc"]
"0x6" [label="a.c"]
"0x5" [label="b.o"]
"0xb" -> "0x5" [label=" cc"]
"0xb" [label="b.c"]
"0x3" [label="c.o"]
"0xc" -> "0x3" [label=" cc"]
"0xc" [label="c.c"]
"0x7" [label="gen.h"]
}
"""


def test_the_critical_path_is_the_longest_chain_of_the_graph() -> None:
    graph = PROFILE.parse_ninja_graph(NINJA_DOT)
    assert sorted(tuple(outputs) for outputs in graph.outputs) == [
        ("a.o",), ("app", "app.map"), ("b.o",), ("c.o",), ("lib.a",)]
    assert sorted(graph.inputs[graph.producer["app.map"]]) == ["c.o", "gen.h", "lib.a"]  # order-only too
    steps = PROFILE.latest_steps(PROFILE.parse_ninja_log(NINJA_LOG))
    weights = PROFILE.edge_weights(graph, steps)
    total, chain = PROFILE.critical_path(graph, weights)
    # c.o (5 s) then app (2 s) beats a.o (2 s), lib.a (0.5 s), app (2 s).
    assert total == pytest.approx(7.0)
    assert [graph.outputs[edge][0] for edge in chain] == ["c.o", "app"]
    slow_archive = [weight * (10 if outputs == ["lib.a"] else 1) for weight, outputs in zip(weights, graph.outputs)]
    total, chain = PROFILE.critical_path(graph, slow_archive)
    assert total == pytest.approx(2.0 + 5.0 + 2.0)
    assert [graph.outputs[edge][0] for edge in chain] == ["a.o", "lib.a", "app"]


def test_a_cycle_is_refused() -> None:
    graph = PROFILE.Graph()
    graph.add_edge(["b"], ["a"])
    graph.add_edge(["a"], ["b"])
    with pytest.raises(PROFILE.ProfileError, match="cycle"):
        PROFILE.finish_times(graph, [1.0, 1.0])


def test_the_tables_are_markdown_that_reads_in_a_terminal() -> None:
    text = PROFILE.render(PROFILE.Table(["s", "step"], [["12.50", "a|b"], ["1.00", "c"]]))
    assert text.splitlines() == ["|     s | step |", "| ----: | ---- |", "| 12.50 | a\\|b |", "|  1.00 | c    |"]


# ---- the command ---------------------------------------------------------------------------


def run_report(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, SCRIPTS / "build_profile.py", *map(str, args)],
                          capture_output=True, text=True)


def ninja_build(tmp_path: Path) -> Path:
    """A build directory whose graph Ninja itself prints: c.o's command makes it the critical path."""
    require("ninja-build")
    build = clang_build(tmp_path)
    (build / "build.ninja").write_text(
        "rule cc\n  command = cc -c $in -o $out\nrule link\n  command = cc $in -o $out\n"
        "build a.o: cc a.c\nbuild b.o: cc b.c\nbuild c.o: cc c.c\nbuild lib.a: link a.o b.o\n"
        "build app app.map: link lib.a c.o\n")
    (build / ".ninja_log").write_text(NINJA_LOG)
    return build


def test_the_report_of_a_build(tmp_path: Path) -> None:
    build = ninja_build(tmp_path)
    result = run_report(build, "--top", "2")
    assert result.returncode == 0, result.stderr
    markdown = (build / "build-profile.md").read_text()
    assert markdown in result.stdout and f"wrote {build / 'build-profile.md'}" in result.stdout
    assert "Last build: 3 steps, 4.50 s of step time in 4.50 s: 1.00 steps at once" in markdown
    assert "Critical path: 7.00 s through 2 steps" in markdown
    chain = markdown.split("### The critical path, first step to last", 1)[1]
    assert chain.index("| 5.00 | c.o") < chain.index("| 2.00 | app app.map")
    assert "| 5.00 | c.o" in markdown.split("slowest steps", 1)[1]
    assert "/usr/include/c++/12/string" in markdown and "std::vector<int>" in markdown
    assert "ui.perfetto.dev" in markdown and "CMakeFiles/demo.dir/src/a.cpp.json" in markdown
    other = tmp_path / "elsewhere.md"
    assert run_report(build, "--top", "2", "--markdown", other).returncode == 0 and other.read_text() == markdown


def test_without_a_graph_the_longest_step_bounds_the_critical_path(tmp_path: Path) -> None:
    build = ninja_build(tmp_path)
    (build / "CMakeCache.txt").write_text(f"CMAKE_MAKE_PROGRAM:FILEPATH={tmp_path}/no-ninja\n")
    result = run_report(build)
    assert result.returncode == 0, result.stderr
    assert "Critical path: at least 5.00 s, the longest step" in result.stdout


def test_a_build_without_the_compilers_reports_still_gets_its_steps(tmp_path: Path) -> None:
    (tmp_path / ".ninja_log").write_text(NINJA_LOG)
    result = run_report(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "configure with -DPERFPROJ_BUILD_PROFILE=ON" in result.stdout and "| 5.00 | c.o" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["missing"], "is not a build directory"),
    (["."], "nothing to report in"),
    ([".", "--top", "0"], "--top: expected a positive whole number"),
    (["bad-log"], ".ninja_log:2: not a Ninja log line"),
])
def test_bad_input_is_one_line_and_exit_status_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bad-log").mkdir()
    (tmp_path / "bad-log/.ninja_log").write_text("# ninja log v5\nnot a line\n")
    result = subprocess.run([sys.executable, SCRIPTS / "build_profile.py", *args], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr


def test_help() -> None:
    result = run_report("--help")
    assert result.returncode == 0 and "BUILD_DIR [--top N] [--markdown FILE]" in result.stdout


# ---- the GCC launcher ----------------------------------------------------------------------

FAKE_GCC = """\
import sys
from pathlib import Path
args = sys.argv[1:]
status = int(args[args.index("--exit") + 1])
sys.stderr.write("a.cpp:1:1: warning: something\\n" + ({report!r} if status == 0 else "") + "after the report\\n")
if status == 0:
    Path(args[args.index("-o") + 1]).write_text("object")
sys.exit(status)
"""


def test_the_launcher_keeps_the_report_and_passes_the_rest_through(tmp_path: Path) -> None:
    compiler = tmp_path / "fake_gcc.py"
    compiler.write_text(FAKE_GCC.format(report=GCC_REPORT))
    command = [sys.executable, SCRIPTS / "build_profile_launcher.py", sys.executable, compiler,
               "-c", "a.cpp", "-o", "obj/a.cpp.o"]
    (tmp_path / "obj").mkdir()
    result = subprocess.run([*command, "--exit", "0"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stderr == "a.cpp:1:1: warning: something\nafter the report\n"
    assert (tmp_path / "obj/a.cpp.o.time-report.txt").read_text() == GCC_REPORT.lstrip("\n")

    failed = subprocess.run([*command, "--exit", "3"], cwd=tmp_path, capture_output=True, text=True)
    assert failed.returncode == 3 and "warning: something" in failed.stderr  # the compiler's status and words
    assert not (tmp_path / "obj/a.cpp.o.time-report.txt").exists()  # no report of an earlier compile left


def test_the_launcher_splits_stderr_and_finds_the_object() -> None:
    rest, report = LAUNCHER.split_report(b"note: x\n" + GCC_REPORT.encode() + b"more\n")
    assert rest == b"note: x\nmore\n" and report.startswith(b"Time variable") and report.endswith(b"27M\n")
    assert LAUNCHER.split_report(b"plain error\n") == (b"plain error\n", b"")
    assert LAUNCHER.object_file(["g++", "-o", "a.o", "-c", "a.cpp"]) == "a.o"
    assert LAUNCHER.object_file(["g++", "-ob.o", "-c", "b.cpp"]) == "b.o"
    assert LAUNCHER.object_file(["g++", "-E", "a.cpp"]) is None
