#!/usr/bin/env python3
"""Is `perfproj tune`'s pick worth it? Its `tuned` preset against "always GCC
PGO" and plain Release, on each tuned project, side by side in one run.

    python3 tests/benchmarks/bench_tune.py PROJECT [PROJECT ...] [--rounds 15]

Each PROJECT is a generated or adopted project where `perfproj tune` has run:
its .perfproj/tune/results.json says how tune measured (the workload, the
--check, the training command), and the same workload times three builds,
made the way tune defines them (perfproj.tune.builds):

  plain Release   cmake -DCMAKE_BUILD_TYPE=Release, no preset
  GCC PGO         the PGO chain over the release preset with GCC, trained as tune trained
  tuned           cmake --workflow --preset tuned (tune's winner, rebuilt from its preset)

Every build must compute what plain Release computes (tune's own check) before
it is timed. The three run interleaved for --rounds rounds (A B C, B C A, ...),
pinned to one CPU where taskset is installed; each project gets a table of
medians, and a last table puts the projects side by side: the per-round speed
ratio to plain Release with its 95% bootstrap interval.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Variant, interleave, log, paired_speed, paired_speed_interval, ratio_table, run  # noqa: E402
from perfproj.project import record  # noqa: E402
from perfproj.tune import builds, candidates, measure  # noqa: E402

ALWAYS_GCC_PGO = candidates.Candidate(compiler="gcc", opt="pgo")


class Tuned:
    """One tuned project: how tune measured it, and its three builds."""

    def __init__(self, root: Path) -> None:
        results = root / ".perfproj/tune/results.json"
        if not results.is_file():
            raise SystemExit(f"{root} has no {results.relative_to(root)}: run `perfproj tune` there first")
        data = json.loads(results.read_text())
        if "request" not in data:
            raise SystemExit(f"{results} predates the record of tune's workload: run `perfproj tune` again")
        request = data["request"]
        self.root = root
        self.winner = str(data["winner"])
        self.workload = measure.Workload.create(request["workload"], request["check"], request["output_varies"])
        made = record.read_record_at(root)
        self.project = builds.Project(root, made.preset("release"), made.modules_dir, request["train_command"],
                                      candidates.discover().compilers, log)
        self.built: dict[str, builds.Built] = {}

    def build(self) -> list[Variant]:
        log(f"{self.root.name}: building plain Release")
        self.built["plain Release"] = builds.build_plain(self.project, "gcc")
        log(f"{self.root.name}: building GCC PGO (the PGO chain)")
        self.built["GCC PGO"] = builds.build_pgo_chain(self.project, ALWAYS_GCC_PGO)
        log(f"{self.root.name}: building tuned ({self.winner}) with cmake --workflow --preset tuned")
        run(["cmake", "--workflow", "--preset", "tuned", "--fresh"], self.root, dict(os.environ))
        self.built[f"tuned ({self.winner})"] = builds.Built(None, self.root / "build/tuned", 0.0, trained=True)
        reference = measure.run_once(self.workload, self.built["plain Release"], self.root)[1]
        for name, built in self.built.items():
            problem = measure.check(self.workload, built, self.root, reference)
            if problem:
                raise SystemExit(f"{self.root.name}: {name}: {problem}; not timed")
        return [Variant(name, [], str(built.build_dir)) for name, built in self.built.items()]

    def seconds(self, variant: Variant) -> float:
        return measure.run_once(self.workload, self.built[variant.name], self.root)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    tuned = [Tuned(path.resolve()) for path in args.projects]  # every project checked before anything builds
    measured = [(project, project.build()) for project in tuned]
    summary = ["| project | tune's pick | tuned vs plain (95% CI) | GCC PGO vs plain (95% CI) | tuned vs GCC PGO |",
               "|---|---|---:|---:|---:|"]
    for project, variants in measured:
        log(f"{project.root.name}: timing, {args.rounds} interleaved rounds")
        interleave(variants, args.rounds, project.seconds)
        plain, pgo, best = variants
        print(f"### {project.root.name}: {project.workload.describe()}\n")
        unit = "s" if project.workload.command else "(geometric mean of its benchmark times)"
        print(ratio_table(variants, unit, plain) + "\n")
        cells = []
        for variant in (best, pgo):
            low, high = paired_speed_interval(variant, plain)
            cells.append(f"{paired_speed(variant, plain):.3f} ({low:.3f}-{high:.3f})")
        summary.append(f"| {project.root.name} | {project.winner} | {cells[0]} | {cells[1]} "
                       f"| {paired_speed(best, pgo):.3f} |")
    print(f"### Side by side ({args.rounds} interleaved rounds per project; speed > 1 = faster)\n")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
