"""Benchmark statistics on hand-built numbers: UE-weighted SLA, CI half-widths, per-seed aggregation."""

from __future__ import annotations

import math

import numpy as np

from training.bench import ue_violations
from training.report import METRICS, SLICES, RunResult, aggregate, ci95, targets


def test_ue_violations_counts_unserved_ues_as_violating() -> None:
    viol = np.zeros((1, 2, 3), dtype=bool)
    viol[0, 1, 0] = True  # cell 1 misses the eMBB SLA
    serving = np.array([[0, 1, 1, -1]])
    ue_slice = np.array([0, 0, 2, 1])
    assert ue_violations(viol, serving, ue_slice).tolist() == [[False, True, False, True]]


def test_ci95_is_student_t_half_width() -> None:
    assert ci95([1.0]) == 0.0
    x = [1.0, 2.0, 3.0]
    assert math.isclose(ci95(x), 4.302652729911275 * 1.0 / math.sqrt(3), rel_tol=1e-9)


def _run(seed: int, scen: str, energy: float) -> RunResult:
    m = dict.fromkeys(METRICS, 1.0) | {"energy_kwh": energy}
    return RunResult("ai", scen, seed, m, {s: dict.fromkeys(METRICS, 0.5) for s in SLICES})


def test_aggregate_averages_scenarios_within_a_seed_then_over_seeds() -> None:
    runs = [_run(1, "a", 1.0), _run(1, "b", 3.0), _run(2, "a", 4.0), _run(2, "b", 6.0)]
    agg = aggregate(runs)
    assert agg["energy_kwh"]["mean"] == 3.5  # seed means 2 and 5
    assert math.isclose(agg["energy_kwh"]["ci95"], 12.706204736174698 * math.sqrt(4.5) / math.sqrt(2))
    assert agg["per_slice"]["urllc"]["rlf"] == {"mean": 0.5, "ci95": 0.0}


def test_targets_are_evaluated_against_the_right_baselines() -> None:
    def pol(energy: float, sla: float) -> dict:
        d = {m: {"mean": 1.0, "ci95": 0.0} for m in METRICS}
        d["energy_kwh"] = {"mean": energy, "ci95": 0.0}
        d["sla_violation_rate"] = {"mean": sla, "ci95": 0.0}
        return d

    doc = {"task": "energy", "policies": {"ai": pol(0.7, 0.016), "always_on": pol(1.0, 0.01),
                                          "threshold": pol(0.8, 0.01)}}
    rows = targets("energy", doc)
    assert [ok for _, _, ok in rows] == [True, True, False]  # 0.7x always_on, 0.875x threshold, +0.6 pp
