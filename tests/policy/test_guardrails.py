"""Guardrails on hand-built cases: coverage, absorb, wake on overload, rate limits, dwell, value sets, slicing."""

from __future__ import annotations

import numpy as np
from policy_helpers import sim_measurements

from ric.policy import (
    EnergyGuardConfig,
    HandoverGuardConfig,
    PolicyRunner,
    RateLimits,
    RunnerConfig,
    SlicingGuardConfig,
    make_guardrails,
)

CELLS = ["a", "b", "c", "d"]
# a - b - c - d in a line
LINE = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=bool)


def energy(**kw):
    cfg = {"max_sleep_fraction": 1.0, "rate": RateLimits(min_dwell_s=0.0), **kw}
    return make_guardrails("energy", EnergyGuardConfig(**cfg))


def levels(result):
    return result.controls["level"].astype(int).tolist()


def test_coverage_refuses_sleep_next_to_a_sleeping_neighbour():
    g = energy(min_awake_neighbours=1.0)
    load = {"load": np.array([0.05, 0.05, 0.05, 0.05])}
    g.commit(CELLS, g.apply(CELLS, {"level": np.array([2, 0, 0, 0])}, 0.0, inputs=load, neighbours=LINE), 0.0)
    r = g.apply(CELLS, {"level": np.array([2, 2, 0, 0])}, 1.0, inputs=load, neighbours=LINE)
    assert levels(r) == [2, 0, 0, 0]  # b's neighbour a sleeps: b stays active
    assert {iv.rule for iv in r.interventions} == {"coverage"} and r.interventions[0].cell == "b"


def test_coverage_cap_on_sleeping_fraction():
    g = energy(max_sleep_fraction=0.25, min_awake_neighbours=0.0)
    r = g.apply(CELLS, {"level": np.array([1, 1, 1, 1])}, 0.0, inputs={"load": np.array([0.3, 0.1, 0.2, 0.05])},
                neighbours=~np.eye(4, dtype=bool))
    assert levels(r) == [0, 0, 0, 1]  # one cell of four, the least loaded


def test_sleep_refused_when_neighbours_cannot_absorb_the_load():
    g = energy(absorb_max_load=0.7)
    r = g.apply(CELLS, {"level": np.array([0, 1, 0, 0])}, 0.0, inputs={"load": np.array([0.6, 0.3, 0.6, 0.1])},
                neighbours=LINE)
    assert levels(r) == [0, 0, 0, 0] and r.interventions[0].rule == "coverage_absorb"  # (0.6+0.6+0.3)/2 > 0.7
    r = g.apply(CELLS, {"level": np.array([0, 1, 0, 0])}, 0.0, inputs={"load": np.array([0.3, 0.3, 0.3, 0.1])},
                neighbours=LINE)
    assert levels(r) == [0, 1, 0, 0]


def test_wake_on_overload_is_immediate_despite_dwell():
    g = energy(rate=RateLimits(min_dwell_s=60.0), wake_load=0.8)
    low = {"load": np.array([0.1, 0.05, 0.1, 0.1])}
    g.commit(CELLS, g.apply(CELLS, {"level": np.array([0, 3, 0, 0])}, 0.0, inputs=low, neighbours=LINE), 0.0)
    # one second later the policy still wants b asleep, but a and c are overloaded
    r = g.apply(CELLS, {"level": np.array([0, 3, 0, 0])}, 1.0, inputs={"load": np.array([0.95, 0.0, 0.9, 0.1])},
                neighbours=LINE)
    assert levels(r) == [0, 0, 0, 0] and r.interventions[0].rule == "wake_overload"
    # and a policy that wakes a cell inside its dwell time is never held back
    g2 = energy(rate=RateLimits(min_dwell_s=60.0))
    g2.commit(CELLS, g2.apply(CELLS, {"level": np.array([0, 3, 0, 0])}, 0.0, inputs=low, neighbours=LINE), 0.0)
    assert levels(g2.apply(CELLS, {"level": np.zeros(4)}, 1.0, inputs=low, neighbours=LINE)) == [0, 0, 0, 0]


def test_dwell_holds_a_cell_that_changed_recently():
    g = energy(rate=RateLimits(min_dwell_s=10.0), max_level=4)
    low = {"load": np.array([0.1, 0.05, 0.1, 0.1])}
    g.commit(CELLS, g.apply(CELLS, {"level": np.zeros(4)}, 0.0, inputs=low, neighbours=LINE), 0.0)
    r = g.apply(CELLS, {"level": np.array([0, 2, 0, 0])}, 1.0, inputs=low, neighbours=LINE)
    assert levels(r) == [0, 2, 0, 0]  # first change of b: allowed
    g.commit(CELLS, r, 1.0)
    r = g.apply(CELLS, {"level": np.array([0, 4, 0, 0])}, 5.0, inputs=low, neighbours=LINE)
    assert levels(r) == [0, 2, 0, 0] and r.interventions[0].rule == "min_dwell"
    assert levels(g.apply(CELLS, {"level": np.array([0, 4, 0, 0])}, 11.5, inputs=low, neighbours=LINE))[1] == 4


def test_handover_value_sets_step_and_max_cells_changed():
    cfg = HandoverGuardConfig(rate=RateLimits({"cio_db": 2.0, "hysteresis_db": 1.0, "ttt_ms": 1.0},
                                              min_dwell_s=0.0, max_cells_changed=1))
    g = make_guardrails("handover", cfg)
    start = {"cio_db": np.zeros(4), "hysteresis_db": np.full(4, 2.0), "ttt_ms": np.full(4, 320.0)}
    r = g.apply(CELLS, start, 0.0)
    g.commit(CELLS, r, 0.0)
    want = {"cio_db": np.array([5.3, -9.0, 0.0, 1.0]), "hysteresis_db": np.array([2.2, 2.0, 2.0, 2.0]),
            "ttt_ms": np.array([1024.0, 320.0, 320.0, 320.0])}
    r = g.apply(CELLS, want, 1.0)
    # bounds: CIO snapped to Q-OffsetRange within [-6, 6], hysteresis to 0.5 dB; then steps bounded; then only
    # the cell with the largest change moves (a: cio +2, hyst 2.0, TTT one value-set step 320 -> 480)
    assert r.controls["cio_db"].tolist() == [2.0, 0.0, 0.0, 0.0]
    assert r.controls["ttt_ms"].tolist() == [480.0, 320.0, 320.0, 320.0]
    assert r.controls["hysteresis_db"].tolist() == [2.0, 2.0, 2.0, 2.0]
    rules = {iv.rule for iv in r.interventions}
    assert {"bounds", "max_step", "max_cells_changed"} <= rules
    assert r.changed.tolist() == [True, False, False, False]


def test_slicing_urllc_floor_and_ratio_sums():
    g = make_guardrails("slicing", SlicingGuardConfig(urllc_min_ratio=15.0))
    ctl = {"min_ratio": np.array([[80.0, 5.0, 30.0], [33.0, 33.0, 33.0]]),
           "max_ratio": np.array([[100.0, 100.0, 10.0], [100.0, 100.0, 100.0]]),
           "dedicated_ratio": np.array([[90.0, 0.0, 0.0], [0.0, 0.0, 0.0]])}
    r = g.apply(["x", "y"], ctl, 0.0)
    mn, mx, ded = r.controls["min_ratio"], r.controls["max_ratio"], r.controls["dedicated_ratio"]
    assert mn[0, 1] >= 15.0 and mn.sum(axis=1).max() <= 100.0
    assert np.all(ded <= mn) and np.all(mn <= mx) and np.all(mx <= 100.0) and ded.sum(axis=1).max() <= 100.0
    assert mn[1].tolist() == [33.0, 33.0, 33.0]


def test_guardrails_apply_to_baseline_actions():
    per, nb = sim_measurements(ticks=10)
    per = dict(per)
    per["RRU.PrbTotDl"] = np.zeros_like(per["RRU.PrbTotDl"])  # empty network: threshold wants every cell asleep
    cells = [f"c{i}" for i in range(57)]
    runner = PolicyRunner("energy", RunnerConfig(guard=EnergyGuardConfig(min_awake_neighbours=1.0)), metrics=None)
    for t in range(8):
        d = runner.decide(per, cells, nb, now=float(t * 10))
    asleep = d.controls["level"] > 0
    assert d.source == "baseline" and asleep.any()
    assert asleep.mean() <= EnergyGuardConfig().max_sleep_fraction + 1e-9  # the coverage cap
    assert not np.any(nb[asleep][:, asleep])  # no two neighbours asleep
    assert runner.metrics.interventions.labels("policy", "coverage")._value.get() > 0


def test_slicing_ratio_step_is_limited_per_slice():
    g = make_guardrails("slicing", SlicingGuardConfig(urllc_min_ratio=10.0,
                                                      rate=RateLimits({"min_ratio": 20.0, "min_ratio_urllc": 5.0})))
    full = {"max_ratio": np.full((1, 3), 100.0), "dedicated_ratio": np.zeros((1, 3))}
    g.commit(["x"], g.apply(["x"], {"min_ratio": np.array([[30.0, 30.0, 30.0]]), **full}, 0.0), 0.0)
    r = g.apply(["x"], {"min_ratio": np.array([[80.0, 10.0, 5.0]]), **full}, 1.0)
    assert r.controls["min_ratio"].tolist() == [[50.0, 25.0, 10.0]]  # +20 / -5 (urllc) / -20
    assert r.interventions[0].rule == "max_step"
