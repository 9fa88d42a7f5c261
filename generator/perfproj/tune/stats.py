"""The statistics of timing on a noisy, shared machine (tune and the benchmark scripts share them).

Variants run interleaved, one run each per round, so a change of the
machine's speed hits all of them alike. Speed is the median over rounds of the
per-round ratio to the reference (>1 = faster), with a seeded bootstrap
confidence interval. "Significantly faster" needs that interval wholly above 1
and p < 0.01 (the benchmark gate's level) in a one-sided Wilcoxon signed-rank
test of the per-round ratios.

Why a paired test and not the gate's Mann-Whitney test of the raw times: the
gate compares two builds whose runs it cannot pair, but tune's rounds are
pairs. A shared cloud vCPU changes speed in steps (one workload here ran 0.052 s
twenty times, then 0.042 s twenty times), so raw times from different rounds
differ by more than the builds do, and an unpaired test misses a difference
that every single round shows.
"""

from __future__ import annotations

import math
import random
import statistics
from typing import Sequence

SIGNIFICANCE = 0.01
CONFIDENCE = 0.95


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
    """p-value of "`times` are faster than `reference`, round by round" (one-sided Wilcoxon signed-rank test).

    Exact: the null distribution of the positive rank sum is counted over every
    sign pattern (ranks doubled so tied, averaged ranks stay whole numbers).
    """
    differences = [math.log(ref / time) for time, ref in zip(times, reference) if time > 0 and ref > 0]
    differences = [value for value in differences if value != 0.0]
    if not differences:
        return 1.0
    ordered = sorted(range(len(differences)), key=lambda index: abs(differences[index]))
    doubled = [0] * len(differences)  # twice each rank
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and abs(differences[ordered[end + 1]]) == abs(differences[ordered[start]]):
            end += 1
        for position in range(start, end + 1):
            doubled[ordered[position]] = start + end + 2  # twice the average of ranks start+1 .. end+1
        start = end + 1
    observed = sum(rank for rank, value in zip(doubled, differences) if value > 0)
    counts = [1] + [0] * sum(doubled)  # counts[w]: sign patterns whose positive doubled-rank sum is w
    for rank in doubled:
        for total in range(len(counts) - 1, rank - 1, -1):
            counts[total] += counts[total - rank]
    return float(sum(counts[observed:]) / 2 ** len(doubled))


def significantly_faster(times: Sequence[float], reference: Sequence[float]) -> bool:
    low, _ = interval(times, reference)
    return low > 1.0 and p_faster(times, reference) < SIGNIFICANCE


def clearly_slower(times: Sequence[float], reference: Sequence[float]) -> bool:
    """Whole confidence interval below 1: no more rounds can make it win."""
    _, high = interval(times, reference)
    return high < 1.0
