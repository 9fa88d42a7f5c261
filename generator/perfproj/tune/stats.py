"""The statistics of timing on a noisy, shared machine (tune and the benchmark scripts share them).

Variants run interleaved, one run each per round, so a slow drift of the
machine's load hits all of them alike. Speed is the median over rounds of the
per-round ratio to the reference (>1 = faster), with a seeded bootstrap
confidence interval. "Significantly faster" is the benchmark gate's own test
(cmake-modules/scripts/bench_gate.py: a one-sided Mann-Whitney U test, p < 0.01) plus a
confidence interval that lies wholly above 1.
"""

from __future__ import annotations

import functools
import random
import statistics
from types import ModuleType
from typing import Sequence

from perfproj import resources

SIGNIFICANCE = 0.01
CONFIDENCE = 0.95


@functools.lru_cache(maxsize=None)
def _gate() -> ModuleType:
    gate = resources.data_dir("cmake-modules") / "scripts" / "bench_gate.py"
    return resources.load_module(gate, "perfproj_bench_gate")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def ratios(times: Sequence[float], reference: Sequence[float]) -> list[float]:
    """Per-round speed ratios (reference time / time: >1 = faster than the reference)."""
    return [ref / time for time, ref in zip(times, reference) if time > 0]


def speed(times: Sequence[float], reference: Sequence[float]) -> float:
    return median(ratios(times, reference))


def interval(times: Sequence[float], reference: Sequence[float],
             confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Bootstrap confidence interval of `speed` (seeded: the same samples give the same interval)."""
    values = ratios(times, reference)
    rng = random.Random(1)
    medians = sorted(median(rng.choices(values, k=len(values))) for _ in range(2000))
    tail = (1 - confidence) / 2
    return medians[int(tail * len(medians))], medians[int((1 - tail) * len(medians)) - 1]


def noise(values: Sequence[float]) -> float:
    """Median absolute deviation relative to the median: the run-to-run spread."""
    middle = median(values)
    return median([abs(value - middle) for value in values]) / middle if middle else 0.0


def p_faster(times: Sequence[float], reference: Sequence[float]) -> float:
    """p-value of "`times` are faster than `reference`" (the gate's one-sided Mann-Whitney U test)."""
    p: float = _gate().mann_whitney_greater(list(reference), list(times))
    return p


def significantly_faster(times: Sequence[float], reference: Sequence[float]) -> bool:
    low, _ = interval(times, reference)
    return low > 1.0 and p_faster(times, reference) < SIGNIFICANCE


def clearly_slower(times: Sequence[float], reference: Sequence[float]) -> bool:
    """Whole confidence interval below 1: no more rounds can make it win."""
    _, high = interval(times, reference)
    return high < 1.0
