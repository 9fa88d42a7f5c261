"""The gate's arithmetic: the cycle estimate and the Mann-Whitney test."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter

from helpers.paths import SCRIPTS

_spec = importlib.util.spec_from_file_location("bench_gate", SCRIPTS / "bench_gate.py")
assert _spec and _spec.loader
gate = importlib.util.module_from_spec(_spec)
sys.modules["bench_gate"] = gate  # dataclasses look the module up by name
_spec.loader.exec_module(gate)


def test_estimated_cycles_weights_l1_ll_and_ram() -> None:
    events = Counter(Ir=1000, Dr=300, Dw=100, I1mr=10, D1mr=20, D1mw=10, ILmr=1, DLmr=4, DLmw=0)
    # 1400 accesses: 40 miss L1 (of which 5 miss LL too).
    assert gate.estimated_cycles(events) == (1400 - 40) + 5 * (40 - 5) + 35 * 5


def test_mann_whitney_sees_a_shift_and_not_noise() -> None:
    rng = random.Random(7)
    base = [100 + rng.gauss(0, 2) for _ in range(15)]
    same = [100 + rng.gauss(0, 2) for _ in range(15)]
    slower = [110 + rng.gauss(0, 2) for _ in range(15)]
    assert gate.mann_whitney_greater(slower, base) < 0.001
    assert gate.mann_whitney_greater(same, base) > gate.ALPHA
    assert gate.mann_whitney_greater(base, slower) > 0.99  # one-sided: faster is not "greater"
    assert gate.mann_whitney_greater([], base) == 1.0


def test_walltime_needs_both_significance_and_the_minimum_effect() -> None:
    base = [100.0 + i * 0.01 for i in range(20)]
    small = [102.0 + i * 0.01 for i in range(20)]  # significant but 2% < 5%
    large = [108.0 + i * 0.01 for i in range(20)]
    timing = gate.Timing(base={"a": base, "b": base}, head={"a": small, "b": large})
    assert set(gate.suspects(timing)) == {"b"}


def test_markdown_table_and_verdict() -> None:
    rows = [gate.Row("BM_A", ["1", "2", "+100%", "1", "2", "+100%"], "REGRESSION"),
            gate.Row("BM_B", ["1", "1", "+0%", "1", "1", "+0%"], "ok")]
    text, ok = gate.markdown("t", gate.DETERMINISTIC_HEADER, rows)
    assert not ok and "| `BM_A` |" in text and "**REGRESSION**" in text and "1 regression(s)" in text
    assert gate.markdown("t", gate.DETERMINISTIC_HEADER, rows[1:])[1]


def _dump(iterations: int | None, instructions: int) -> str:
    trigger = f"Client Request: perfproj-bench iterations={iterations}" if iterations is not None \
        else "Program termination"
    return (f"desc: Trigger: {trigger}\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n"
            f"summary: {instructions} 0 0 0 0 0 0 0 0\n")


def test_only_the_last_measured_run_counts() -> None:
    # The first run (1 iteration) paid a one-time cost of 500 instructions; the
    # process's final dump (program termination) has no perfproj label.
    dumps = [_dump(1, 600), _dump(10, 1000), _dump(10, 1000), _dump(None, 99)]
    counts = gate.last_measured_run(dumps)
    assert counts is not None and counts.instructions == 100 and counts.cycles == 100
    assert gate.last_measured_run([_dump(None, 99)]) is None
    assert gate.last_measured_run([_dump(3, 300), _dump(0, 0)]).instructions == 100


def test_dumps_are_read_in_the_order_callgrind_wrote_them(tmp_path) -> None:
    for number in (1, 2, 10, 11):
        (tmp_path / f"callgrind.out.{number}").write_text("")
    (tmp_path / "callgrind.out").write_text("")
    assert [path.name for path in gate.dumps_in_order(tmp_path)] == \
        ["callgrind.out.1", "callgrind.out.2", "callgrind.out.10", "callgrind.out.11"]
