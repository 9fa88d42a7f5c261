#!/usr/bin/env python3
"""perfproj's benchmark history: record every commit's results, plot them, flag slow drifts.
(Standard library only, like bench_gate.py, so CI needs nothing but Python.)

  bench_history.py record --build-dir DIR --history DIR [--instructions]
  bench_history.py plot   --history DIR --out DIR [--window 20] [--markdown FILE]
  bench_history.py tune   --results .perfproj/tune/results.json --out FILE.svg

record  Reads the Google Benchmark JSON the `bench` target wrote
        (DIR/bench-results/*.json: the median of its repetitions) and, with
        --instructions, the benchmark gate's callgrind counts per iteration
        (exact and repeatable, see bench_gate.py), and stores them as
        HISTORY/<commit>.json with the commit's date and subject. CI runs it on
        every push to main and keeps HISTORY in a branch of its own.
plot    One SVG per benchmark (HISTORY/plots/<name>.svg): the metric commit by
        commit (instructions per iteration when recorded, else the median
        time), with the noise band of its first commits. A Markdown summary
        (also appended to --markdown FILE, e.g. "$GITHUB_STEP_SUMMARY") lists
        every benchmark with a sparkline, and charts the flagged ones.
        A benchmark is flagged as a slow drift when, over the last --window
        commits, it rises steadily (a one-sided Mann-Kendall trend test,
        p < 0.01) by more than 2% (instructions) or 5% (time) in all, with no
        single step the benchmark gate would have failed: five +1% changes in
        a row pass five pull-request gates, and add up to a 5% regression.
        Exit status 0, or 1 with --fail-on-drift when something drifts.
tune    The table of `perfproj tune` as a bar chart: speed vs plain Release,
        with each candidate's confidence interval.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

sys.dont_write_bytecode = True  # no __pycache__ inside the project's cmake/perfproj/
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_gate  # noqa: E402  (the gate's callgrind counting and thresholds: one implementation)

TIME_UNITS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
DRIFT_THRESHOLD = {"instructions": 0.02, "real_time_ns": 0.05}
STEP_THRESHOLD = {"instructions": bench_gate.FAIL_INSTRUCTIONS, "real_time_ns": 0.05}
SIGNIFICANCE = 0.01
SPARKS = "▁▂▃▄▅▆▇█"


class HistoryError(Exception):
    pass


# ---- record ---------------------------------------------------------------------------------


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise HistoryError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def read_google_benchmark(path: Path) -> dict[str, dict[str, float]]:
    """name -> {"real_time_ns": ..., "cpu_time_ns": ...}: the median aggregate, else the single run."""
    data = json.loads(path.read_text())
    found: dict[str, dict[str, float]] = {}
    for entry in data.get("benchmarks", []):
        if entry.get("error_occurred"):
            continue
        aggregate = entry.get("run_type") == "aggregate"
        if aggregate and entry.get("aggregate_name") != "median":
            continue
        name = entry.get("run_name", entry["name"]) if aggregate else entry["name"]
        if not aggregate and name in found:
            continue
        scale = TIME_UNITS.get(entry.get("time_unit", "ns"), 1.0)
        found[name] = {"real_time_ns": float(entry["real_time"]) * scale,
                       "cpu_time_ns": float(entry["cpu_time"]) * scale}
    return found


def record(build_dir: Path, history: Path, instructions: bool, commit: str | None) -> Path:
    results = sorted((build_dir / "bench-results").glob("*.json"))
    if not results:
        raise HistoryError(f"no benchmark results in {build_dir}/bench-results: build the `bench` target first")
    benchmarks: dict[str, dict[str, float]] = {}
    for path in results:
        benchmarks.update(read_google_benchmark(path))
    if instructions:
        for binary in bench_gate.read_manifest(build_dir).values():
            for name in benchmarks:
                if name in bench_gate.list_benchmarks(binary, bench_gate.exact(name)):
                    counts = bench_gate.callgrind_counts(binary, name)
                    if isinstance(counts, bench_gate.Counts):
                        benchmarks[name].update(instructions=counts.instructions, cycles=counts.cycles)
    sha = commit or _git("rev-parse", "HEAD")
    timestamp, subject = _git("show", "-s", "--format=%ct%x00%s", sha).split("\0", 1)
    history.mkdir(parents=True, exist_ok=True)
    target = history / f"{sha}.json"
    target.write_text(json.dumps({"commit": sha, "timestamp": int(timestamp), "subject": subject,
                                  "benchmarks": benchmarks}, indent=1, sort_keys=True) + "\n")
    return target


# ---- analysis -------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    metric: str  # "instructions" or "real_time_ns"
    commits: list[str]
    values: list[float]


@dataclass
class Verdict:
    series: Series
    change: float  # relative, first to last over the window (Sen's slope)
    p_value: float  # one-sided Mann-Kendall, rising
    largest_step: float
    flag: str  # "drift", "step", or ""


def load(history: Path) -> list[dict[str, Any]]:
    records = []
    for path in history.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except ValueError as error:
            raise HistoryError(f"{path} is not valid JSON: {error}") from error
        if isinstance(data, dict) and "benchmarks" in data and "timestamp" in data:
            records.append(data)
    return sorted(records, key=lambda data: (data["timestamp"], data["commit"]))


def series(records: list[dict[str, Any]]) -> list[Series]:
    names = sorted({name for data in records for name in data["benchmarks"]})
    found = []
    for name in names:
        points = [(data["commit"], data["benchmarks"][name]) for data in records if name in data["benchmarks"]]
        metric = "instructions" if all("instructions" in values for _, values in points) else "real_time_ns"
        found.append(Series(name, metric, [commit for commit, _ in points],
                            [float(values[metric]) for _, values in points]))
    return found


def mann_kendall_rising(values: Sequence[float]) -> float:
    """p-value of the one-sided Mann-Kendall test for an upward trend (normal approximation)."""
    n = len(values)
    if n < 4:
        return 1.0
    s = sum((values[j] > values[i]) - (values[j] < values[i]) for i in range(n) for j in range(i + 1, n))
    ties: dict[float, int] = {}
    for value in values:
        ties[value] = ties.get(value, 0) + 1
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties.values())) / 18
    if variance <= 0:
        return 1.0
    z = (s - 1) / math.sqrt(variance) if s > 0 else 0.0
    return 0.5 * math.erfc(z / math.sqrt(2))


def sen_slope(values: Sequence[float]) -> float:
    slopes = sorted((values[j] - values[i]) / (j - i) for i in range(len(values)) for j in range(i + 1, len(values)))
    return slopes[len(slopes) // 2] if slopes else 0.0


def judge(found: Series, window: int) -> Verdict:
    values = found.values[-window:]
    if len(values) < 2:
        return Verdict(found, 0.0, 1.0, 0.0, "")
    head = sorted(values[: max(1, len(values) // 4)])
    start = head[len(head) // 2]
    change = sen_slope(values) * (len(values) - 1) / start if start else 0.0
    steps = [(after / before - 1) for before, after in zip(values, values[1:]) if before]
    largest = max(steps, default=0.0)
    p_value = mann_kendall_rising(values)
    flag = ""
    if largest > STEP_THRESHOLD[found.metric]:
        flag = "step"
    elif p_value < SIGNIFICANCE and change > DRIFT_THRESHOLD[found.metric]:
        flag = "drift"
    return Verdict(found, change, p_value, largest, flag)


# ---- drawing --------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg_series(verdict: Verdict, window: int) -> str:
    """A line chart of the series with the noise band of its first quarter (hand-written SVG)."""
    found = verdict.series
    values = found.values
    width, height, left, right, top, bottom = 720, 280, 70, 20, 40, 40
    low, high = min(values), max(values)
    baseline = sorted(values[: max(1, len(values) // 4)])
    middle = baseline[len(baseline) // 2]
    spread = 1.4826 * sorted(abs(value - middle) for value in baseline)[len(baseline) // 2]
    band = (middle - 3 * spread, middle + 3 * spread)
    low, high = min(low, band[0]), max(high, band[1])
    if high == low:
        high, low = high + 1, low - 1

    def x(index: int) -> float:
        return left + (width - left - right) * (index / max(1, len(values) - 1))

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - (value - low) / (high - low))

    color = "#c0392b" if verdict.flag else "#2c6fbb"
    unit = "instructions / iteration" if found.metric == "instructions" else "median ns"
    title = f"{found.name}: {verdict.change:+.1%} over the last {min(window, len(values))} commits"
    if verdict.flag:
        title += f" ({'slow drift' if verdict.flag == 'drift' else 'step'}!)"
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" fill="{color}">{_escape(title)}</text>',
        f'<rect x="{left}" y="{y(band[1]):.1f}" width="{width - left - right}" '
        f'height="{max(1.0, y(band[0]) - y(band[1])):.1f}" fill="#dddddd" opacity="0.6"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
        f'<text x="{left - 6}" y="{y(high) + 4:.1f}" text-anchor="end">{high:,.0f}</text>',
        f'<text x="{left - 6}" y="{y(low) + 4:.1f}" text-anchor="end">{low:,.0f}</text>',
        f'<text x="{left}" y="{height - 12}">{_escape(found.commits[0][:8])}</text>',
        f'<text x="{width - right}" y="{height - 12}" text-anchor="end">{_escape(found.commits[-1][:8])}</text>',
        f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">'
        f'{len(values)} commits; grey: the first commits\' noise band; {unit}</text>',
        f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>',
        *(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>' for i, v in enumerate(values)),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def sparkline(values: Sequence[float]) -> str:
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, int((value - low) / (high - low) * len(SPARKS)))]
                   for value in values)


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def summary(verdicts: list[Verdict], window: int) -> str:
    flagged = [verdict for verdict in verdicts if verdict.flag]
    lines = [f"### Benchmark history: {len(verdicts)} benchmark(s), last {window} commits", "",
             "| benchmark | metric | trend | change | p (rising) | verdict |", "|---|---|---|---:|---:|---|"]
    for verdict in verdicts:
        found = verdict.series
        metric = "instructions/iter" if found.metric == "instructions" else "median time"
        verdict_text = {"drift": "**slow drift**", "step": "**step**", "": "ok"}[verdict.flag]
        lines.append(f"| {found.name} | {metric} | {sparkline(found.values[-window:])} | {verdict.change:+.2%} "
                     f"| {verdict.p_value:.3g} | {verdict_text} |")
    for verdict in flagged:
        values = verdict.series.values[-window:]
        lines += ["", "```mermaid", "xychart-beta", f'  title "{verdict.series.name}"',
                  f"  x-axis [{', '.join(str(i + 1) for i in range(len(values)))}]",
                  f"  line [{', '.join(f'{value:.1f}' for value in values)}]", "```"]
    lines += ["", "Slow drift: a steady rise (Mann-Kendall p < 0.01) beyond 2% (instructions) or 5% (time) "
              "over the window, none of its steps large enough for the pull-request gate."]
    return "\n".join(lines) + "\n"


def plot(history: Path, out: Path, window: int) -> list[Verdict]:
    records = load(history)
    if not records:
        raise HistoryError(f"no records in {history}: run `bench_history.py record` first")
    out.mkdir(parents=True, exist_ok=True)
    verdicts = [judge(found, window) for found in series(records)]
    for verdict in verdicts:
        (out / f"{safe_name(verdict.series.name)}.svg").write_text(svg_series(verdict, window))
    (out / "summary.md").write_text(summary(verdicts, window))
    return verdicts


def tune_chart(results: dict[str, Any]) -> str:
    """Bars of speed vs plain Release with confidence intervals, one per measured candidate."""
    rows = [row for row in results.get("candidates", []) if row.get("speed_vs_plain")]
    if not rows:
        raise HistoryError("the tune results hold no measured candidate")
    width, bar, left = 760, 24, 200
    height = 60 + bar * len(rows)
    top_speed = max(max(row["ci95"][1] for row in rows), 1.0) * 1.05

    def x(speed: float) -> float:
        return left + (width - left - 30) * speed / top_speed

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">', f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="10" y="20" font-size="14">perfproj tune: speed vs plain Release '
             f'(winner: {_escape(str(results.get("winner")))})</text>',
             f'<line x1="{x(1.0):.1f}" y1="30" x2="{x(1.0):.1f}" y2="{height - 10}" stroke="#888" '
             'stroke-dasharray="4"/>']
    for index, row in enumerate(rows):
        top = 36 + index * bar
        color = "#27ae60" if row["status"] == "winner" else "#2c6fbb"
        low, high = row["ci95"]
        parts += [f'<text x="{left - 8}" y="{top + 15}" text-anchor="end">{_escape(row["candidate"])}</text>',
                  f'<rect x="{left}" y="{top + 4}" width="{x(row["speed_vs_plain"]) - left:.1f}" '
                  f'height="{bar - 8}" fill="{color}"/>',
                  f'<line x1="{x(low):.1f}" y1="{top + bar / 2}" x2="{x(high):.1f}" y2="{top + bar / 2}" '
                  'stroke="black"/>',
                  f'<text x="{x(high) + 4:.1f}" y="{top + 15}">{row["speed_vs_plain"]:.3f}x</text>']
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# ---- command line -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("record", help="store this commit's benchmark results")
    sub.add_argument("--build-dir", type=Path, required=True)
    sub.add_argument("--history", type=Path, required=True)
    sub.add_argument("--instructions", action="store_true", help="also count instructions under callgrind")
    sub.add_argument("--commit", help="the commit to file them under (default: HEAD)")
    sub = commands.add_parser("plot", help="plot the history and flag slow drifts")
    sub.add_argument("--history", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--window", type=int, default=20, help="the commits a drift is judged over")
    sub.add_argument("--markdown", help="also append the summary to this file")
    sub.add_argument("--fail-on-drift", action="store_true", help="exit 1 when a benchmark drifts")
    sub = commands.add_parser("tune", help="chart the results of perfproj tune")
    sub.add_argument("--results", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "record":
            print(f"bench_history: recorded {record(args.build_dir, args.history, args.instructions, args.commit)}")
            return 0
        if args.command == "tune":
            args.out.write_text(tune_chart(json.loads(args.results.read_text())))
            print(f"bench_history: wrote {args.out}")
            return 0
        if args.window < 4:
            raise HistoryError("--window must be at least 4")
        verdicts = plot(args.history, args.out, args.window)
        text = (args.out / "summary.md").read_text()
        print(text, end="")
        if args.markdown:
            with open(args.markdown, "a", encoding="utf-8") as stream:
                stream.write(text)
        return 1 if args.fail_on_drift and any(verdict.flag for verdict in verdicts) else 0
    except (HistoryError, bench_gate.GateError, OSError, ValueError) as error:
        print(f"bench_history: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
