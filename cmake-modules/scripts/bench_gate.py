#!/usr/bin/env python3
"""perfproj's benchmark gate: does HEAD regress against BASE? (standard library only)

  bench_gate.py deterministic --base BENCH --head BENCH [--filter REGEX] [--markdown FILE]
  bench_gate.py walltime      --base BENCH --head BENCH [--filter REGEX] [--markdown FILE]
  bench_gate.py revisions     [--base REV] [--head REV] [--preset release] [--mode deterministic|walltime]
                              [--filter REGEX] [--markdown FILE]

deterministic  Each benchmark runs alone under callgrind, with a fixed cache
               geometry. Loops written `for (auto _ : perfproj::measured(state))`
               are counted alone, in the last of two repetitions (one-time
               costs fall in the first), and divided by their iteration count,
               so the numbers are exact and repeatable: instructions per iteration and
               estimated cycles (L1 hits + 5 x LL hits + 35 x RAM accesses).
               Fails above +2% instructions or +3% estimated cycles, warns
               above +1%.
walltime       Base and head run interleaved, in random order, for several
               rounds of repetitions. A benchmark regresses when head is slower
               with significance (one-sided Mann-Whitney U test, p < 0.01), by
               at least 5% at the median, and again in a confirming re-run of
               just the suspects.
revisions      Builds BASE (a git worktree) and HEAD (the working tree, or REV)
               with a preset, then compares every benchmark executable they share
               (listed in <build>/perfproj-benchmarks.txt). Without --base, BASE
               is where this branch forked from its upstream (git merge-base
               HEAD @{upstream}), else from origin's default branch, else the
               previous commit; the report says which.

Results are a Markdown table on stdout, also appended to --markdown FILE (e.g.
"$GITHUB_STEP_SUMMARY"). Exit status: 0 no regression (warnings allowed),
1 regression, 2 usage error or a failure to run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

# Deterministic thresholds (fractions).
FAIL_INSTRUCTIONS = 0.02
FAIL_CYCLES = 0.03
WARN = 0.01
# Cache geometry fixed whatever the machine: results must not depend on it.
CACHE_GEOMETRY = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]
# Wall-time decision.
ALPHA = 0.01
MIN_EFFECT = 0.05


class GateError(Exception):
    """Something to report in one line with exit status 2."""


def run(command: Sequence[str | Path], cwd: Path | None = None) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise GateError(f"{Path(str(command[0])).name} failed ({result.returncode}): {' | '.join(tail)}")
    return result.stdout


def exact(name: str) -> str:
    """A Google Benchmark filter matching exactly `name`."""
    return "^" + re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", name) + "$"


def list_benchmarks(binary: Path, pattern: str) -> list[str]:
    out = run([binary, "--benchmark_list_tests=true", f"--benchmark_filter={pattern}"])
    return [line.strip() for line in out.splitlines() if line.strip()]


# ---- deterministic mode -------------------------------------------------------------------


@dataclass
class Counts:
    instructions: float  # per iteration
    cycles: float  # estimated, per iteration


def estimated_cycles(events: Counter[str]) -> int:
    accesses = events["Ir"] + events["Dr"] + events["Dw"]
    l1_misses = events["I1mr"] + events["D1mr"] + events["D1mw"]
    ll_misses = events["ILmr"] + events["DLmr"] + events["DLmw"]
    return (accesses - l1_misses) + 5 * (l1_misses - ll_misses) + 35 * ll_misses


def callgrind_counts(binary: Path, name: str, min_time: float = 0.01) -> Counts | str:
    """Per-iteration counts of one benchmark, or why there are none.

    Google Benchmark picks the iteration count from the time a first run took,
    so it changes with the machine's load. Counts of the whole process divided
    by the total would then move with it wherever the loop holds a one-time
    cost (a lazy static, a CPU-dispatched function choosing its copy on its
    first call). Two repetitions and the counts of the last run alone leave
    every one-time cost in an earlier run.
    """
    threads = re.search(r"threads:(\d+)", name)
    if threads and int(threads.group(1)) > 1:
        return "not measured: callgrind serializes threads"
    with tempfile.TemporaryDirectory(prefix="perfproj-gate-") as scratch:
        run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--cache-sim=yes", *CACHE_GEOMETRY,
             f"--callgrind-out-file={scratch}/callgrind.out", binary, f"--benchmark_filter={exact(name)}",
             f"--benchmark_min_time={min_time}", "--benchmark_repetitions=2"])
        counted = last_measured_run([path.read_text(errors="replace") for path in dumps_in_order(Path(scratch))])
    if counted is None:
        return "not measured: its loop does not use perfproj::measured(state)"
    return counted


def dumps_in_order(scratch: Path) -> list[Path]:
    """callgrind.out.1, .2, ... in the order callgrind wrote them."""
    numbered = [(int(path.suffix[1:]), path) for path in scratch.glob("callgrind.out.*") if path.suffix[1:].isdigit()]
    return [path for _, path in sorted(numbered)]


def last_measured_run(dumps: Sequence[str]) -> Counts | None:
    """Per-iteration counts of the last dump perfproj::measured wrote."""
    for text in reversed(dumps):
        label = re.search(r"^desc: Trigger: Client Request: perfproj-bench iterations=(\d+)", text, re.M)
        events = re.search(r"^events: (.*)$", text, re.M)
        summary = re.search(r"^(?:summary|totals): (.*)$", text, re.M)
        if label and events and summary and int(label.group(1)) > 0:
            totals = Counter(dict(zip(events.group(1).split(), map(int, summary.group(1).split()))))
            iterations = int(label.group(1))
            return Counts(totals["Ir"] / iterations, estimated_cycles(totals) / iterations)
    return None


@dataclass
class Row:
    name: str
    cells: list[str]
    verdict: str  # "REGRESSION", "warning", "faster", "ok", or a note


def change(base: float, head: float) -> float:
    return head / base - 1 if base else 0.0


def deterministic(base: Path, head: Path, pattern: str) -> list[Row]:
    names = sorted(set(list_benchmarks(base, pattern)) | set(list_benchmarks(head, pattern)))
    base_names = set(list_benchmarks(base, pattern))
    head_names = set(list_benchmarks(head, pattern))
    jobs = [(binary, name) for name in names for binary, known in ((base, base_names), (head, head_names))
            if name in known]
    # valgrind is single-threaded: run the measurements side by side.
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        results = dict(zip(jobs, pool.map(lambda job: callgrind_counts(*job), jobs)))
    rows = []
    for name in names:
        old = results.get((base, name), "new in head")
        new = results.get((head, name), "removed in head")
        if not isinstance(old, Counts) or not isinstance(new, Counts):
            note = new if isinstance(old, Counts) else old
            rows.append(Row(name, ["", "", "", "", "", ""], str(note)))
            continue
        d_ir = change(old.instructions, new.instructions)
        d_cycles = change(old.cycles, new.cycles)
        if d_ir > FAIL_INSTRUCTIONS or d_cycles > FAIL_CYCLES:
            verdict = "REGRESSION"
        elif d_ir > WARN or d_cycles > WARN:
            verdict = "warning"
        elif d_ir < -WARN or d_cycles < -WARN:
            verdict = "faster"
        else:
            verdict = "ok"
        rows.append(Row(name, [f"{old.instructions:,.0f}", f"{new.instructions:,.0f}", f"{d_ir:+.2%}",
                               f"{old.cycles:,.0f}", f"{new.cycles:,.0f}", f"{d_cycles:+.2%}"], verdict))
    return rows


DETERMINISTIC_HEADER = ["instructions/iter base", "head", "change", "est. cycles/iter base", "head", "change"]


# ---- wall-time mode -----------------------------------------------------------------------


def walltime_samples(binary: Path, pattern: str, repetitions: int, min_time: float) -> dict[str, list[float]]:
    out = run([binary, f"--benchmark_filter={pattern}", f"--benchmark_repetitions={repetitions}",
               "--benchmark_enable_random_interleaving=true", f"--benchmark_min_time={min_time}",
               "--benchmark_format=json"])
    samples: dict[str, list[float]] = {}
    for entry in json.loads(out[out.index("{"):])["benchmarks"]:
        if entry.get("run_type", "iteration") == "iteration" and not entry.get("error_occurred"):
            samples.setdefault(entry.get("run_name", entry["name"]), []).append(float(entry["real_time"]))
    return samples


def mann_whitney_greater(head: list[float], base: list[float]) -> float:
    """p-value of the one-sided Mann-Whitney U test that head tends to be larger."""
    n_head, n_base = len(head), len(base)
    if n_head == 0 or n_base == 0:
        return 1.0
    pooled = sorted([(value, 0) for value in head] + [(value, 1) for value in base])
    ranks = [0.0] * len(pooled)
    ties = []
    start = 0
    while start < len(pooled):
        end = start
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[start][0]:
            end += 1
        for position in range(start, end + 1):
            ranks[position] = (start + end) / 2 + 1
        ties.append(end - start + 1)
        start = end + 1
    rank_sum = sum(rank for rank, (_, side) in zip(ranks, pooled) if side == 0)
    u = rank_sum - n_head * (n_head + 1) / 2
    n = n_head + n_base
    tie_term = sum(t ** 3 - t for t in ties) / (n * (n - 1)) if n > 1 else 0.0
    variance = n_head * n_base / 12 * ((n + 1) - tie_term)
    if variance <= 0:
        return 1.0
    z = (u - n_head * n_base / 2 - 0.5) / math.sqrt(variance)  # continuity correction
    return 0.5 * math.erfc(z / math.sqrt(2))


@dataclass
class Timing:
    base: dict[str, list[float]] = field(default_factory=dict)
    head: dict[str, list[float]] = field(default_factory=dict)


def time_interleaved(base: Path, head: Path, pattern: str, rounds: int, repetitions: int,
                     min_time: float, rng: random.Random) -> Timing:
    timing = Timing()
    for _ in range(rounds):
        sides = [(base, timing.base), (head, timing.head)]
        rng.shuffle(sides)
        for binary, pool in sides:
            for name, values in walltime_samples(binary, pattern, repetitions, min_time).items():
                pool.setdefault(name, []).extend(values)
    return timing


def suspects(timing: Timing) -> dict[str, tuple[float, float]]:
    """Benchmarks where head is significantly and substantially slower: name -> (change, p)."""
    found = {}
    for name, head in timing.head.items():
        base = timing.base.get(name, [])
        if not base:
            continue
        slower = change(statistics.median(base), statistics.median(head))
        p = mann_whitney_greater(head, base)
        if p < ALPHA and slower > MIN_EFFECT:
            found[name] = (slower, p)
    return found


def walltime(base: Path, head: Path, pattern: str, rounds: int, repetitions: int, min_time: float,
             seed: int) -> list[Row]:
    rng = random.Random(seed)
    timing = time_interleaved(base, head, pattern, rounds, repetitions, min_time, rng)
    first = suspects(timing)
    confirmed: dict[str, tuple[float, float]] = {}
    if first:
        union = "|".join(exact(name) for name in sorted(first))
        confirmed = suspects(time_interleaved(base, head, union, rounds, repetitions, min_time, rng))
    rows = []
    for name in sorted(set(timing.base) | set(timing.head)):
        old, new = timing.base.get(name), timing.head.get(name)
        if not old or not new:
            rows.append(Row(name, ["", "", "", ""], "new in head" if new else "removed in head"))
            continue
        d = change(statistics.median(old), statistics.median(new))
        p = mann_whitney_greater(new, old)
        if name in confirmed:
            verdict = "REGRESSION"
        elif name in first:
            verdict = "not confirmed"
        elif d < -MIN_EFFECT and mann_whitney_greater(old, new) < ALPHA:
            verdict = "faster"
        else:
            verdict = "ok"
        rows.append(Row(name, [f"{statistics.median(old):,.1f}", f"{statistics.median(new):,.1f}", f"{d:+.1%}",
                               f"{p:.3g}"], verdict))
    return rows


WALLTIME_HEADER = ["median base (ns)", "median head (ns)", "change", "p (head slower)"]


# ---- reporting ----------------------------------------------------------------------------


def markdown(title: str, header: list[str], rows: list[Row]) -> tuple[str, bool]:
    regressions = sum(row.verdict == "REGRESSION" for row in rows)
    warnings = sum(row.verdict == "warning" for row in rows)
    lines = [f"### {title}", "", "| benchmark | " + " | ".join(header) + " | verdict |",
             "|---|" + "---:|" * len(header) + "---|"]
    for row in rows:
        verdict = f"**{row.verdict}**" if row.verdict == "REGRESSION" else row.verdict
        lines.append(f"| `{row.name}` | " + " | ".join(row.cells) + f" | {verdict} |")
    if regressions:
        summary = f"**{regressions} regression(s).**"
    elif warnings:
        summary = f"No regression; {warnings} warning(s)."
    else:
        summary = "No regression."
    lines += ["", summary, ""]
    return "\n".join(lines), regressions == 0


def report(text: str, markdown_file: str | None) -> None:
    print(text)
    if markdown_file:
        with open(markdown_file, "a", encoding="utf-8") as out:
            out.write(text + "\n")


# ---- building two revisions ---------------------------------------------------------------


def read_manifest(build_dir: Path) -> dict[str, Path]:
    manifest = build_dir / "perfproj-benchmarks.txt"
    if not manifest.exists():
        raise GateError(f"{manifest} is missing: no perfproj_benchmark() target in this build")
    entries = {}
    for line in manifest.read_text().splitlines():
        if "=" in line:
            name, path = line.split("=", 1)
            entries[name] = Path(path)
    return entries


def build_benchmarks(tree: Path, build_dir: Path, preset: str) -> dict[str, Path]:
    print(f"bench_gate: building {tree} ({preset}) in {build_dir}", file=sys.stderr)
    run(["cmake", "--preset", preset, "-B", build_dir], cwd=tree)
    benchmarks = read_manifest(build_dir)
    run(["cmake", "--build", build_dir, "--target", *benchmarks], cwd=tree)
    return benchmarks


def _succeeds(command: Sequence[str], cwd: Path) -> str | None:
    result = subprocess.run(list(command), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def default_base(top: Path) -> tuple[str, str]:
    """(revision, why) to compare HEAD with when --base is not given."""
    for upstream, why in (("@{upstream}", "where this branch forked from its upstream"),
                          ("origin/HEAD", "where this branch forked from origin's default branch")):
        fork = _succeeds(["git", "merge-base", "HEAD", upstream], top)
        head = _succeeds(["git", "rev-parse", "HEAD"], top)
        if fork and fork != head:
            return fork, why
    parent = _succeeds(["git", "rev-parse", "--verify", "-q", "HEAD~1"], top)
    if parent:
        return parent, "the previous commit (no upstream to compare with)"
    raise GateError("no base to compare with: the branch has no upstream and HEAD has no parent commit; "
                    "pass --base REV")


def revisions(args: argparse.Namespace, compare: Callable[[Path, Path], tuple[str, bool]]) -> bool:
    top = Path(run(["git", "rev-parse", "--show-toplevel"]).strip())
    if args.base is None:
        args.base, why = default_base(top)
        print(f"bench_gate: base {args.base[:12]}: {why}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="perfproj-gate-") as scratch:
        work = Path(scratch)
        trees = {}
        try:
            for side, revision in (("base", args.base), ("head", args.head)):
                if revision is None:
                    trees[side] = top
                else:
                    run(["git", "worktree", "add", "--detach", work / side, revision], cwd=top)
                    trees[side] = work / side
            built = {side: build_benchmarks(trees[side], work / f"{side}-build", args.preset)
                     for side in ("base", "head")}
        finally:
            for side in ("base", "head"):
                if side in trees and trees[side] != top:
                    subprocess.run(["git", "worktree", "remove", "--force", str(trees[side])], cwd=top,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shared = sorted(set(built["base"]) & set(built["head"]))
        if not shared:
            raise GateError("base and head have no benchmark executable in common")
        passed = True
        for name in shared:
            text, ok = compare(built["base"][name], built["head"][name])
            report(text.replace("### ", f"### {name}: ", 1), args.markdown)
            passed = passed and ok
        return passed


# ---- command line -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--filter", default=".", help="benchmarks to compare (a regex, as --benchmark_filter)")
        sub.add_argument("--markdown", help="also append the Markdown report to this file")
        sub.add_argument("--rounds", type=int, default=3, help="wall time: interleaved rounds")
        sub.add_argument("--repetitions", type=int, default=5, help="wall time: repetitions per round")
        sub.add_argument("--min-time", type=float, default=0.05, help="wall time: seconds per repetition")
        sub.add_argument("--seed", type=int, default=None, help="wall time: random order seed")

    for name in ("deterministic", "walltime"):
        sub = commands.add_parser(name, help=f"compare two benchmark executables ({name})")
        sub.add_argument("--base", type=Path, required=True)
        sub.add_argument("--head", type=Path, required=True)
        common(sub)
    sub = commands.add_parser("revisions", help="build two git revisions and compare their benchmarks")
    sub.add_argument("--base", default=None,
                     help="base revision (default: the fork point from the upstream, else the previous commit)")
    sub.add_argument("--head", default=None, help="head revision (default: the working tree)")
    sub.add_argument("--preset", default="release", help="configure preset for both builds")
    sub.add_argument("--mode", choices=("deterministic", "walltime"), default="deterministic")
    common(sub)
    args = parser.parse_args(argv)

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)

    def compare_with(mode: str) -> Callable[[Path, Path], tuple[str, bool]]:
        def compare(base: Path, head: Path) -> tuple[str, bool]:
            for binary in (base, head):
                if not binary.exists():
                    raise GateError(f"{binary} does not exist")
            if mode == "deterministic":
                if shutil.which("valgrind") is None:
                    raise GateError("valgrind is not installed: install the Debian package valgrind")
                rows = deterministic(base, head, args.filter)
                return markdown("benchmark gate, deterministic (callgrind)", DETERMINISTIC_HEADER, rows)
            rows = walltime(base, head, args.filter, args.rounds, args.repetitions, args.min_time, seed)
            title = (f"benchmark gate, wall time ({args.rounds} rounds x {args.repetitions} repetitions, "
                     f"seed {seed})")
            return markdown(title, WALLTIME_HEADER, rows)
        return compare

    try:
        if args.command == "revisions":
            passed = revisions(args, compare_with(args.mode))
        else:
            text, passed = compare_with(args.command)(args.base, args.head)
            report(text, args.markdown)
    except GateError as error:
        print(f"bench_gate: error: {error}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
