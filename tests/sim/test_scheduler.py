"""Scheduler: TS 28.541 RRMPolicyRatio semantics, PF water-filling and PRB conservation in the simulator."""

from __future__ import annotations

import numpy as np
import pytest

from e2sim.sim import RanSimulator
from e2sim.sim.scheduler import rrm_policy_split, water_fill


def split(demand, n, ded, mn, mx, w=(1, 1, 1)):
    a, idle = rrm_policy_split(np.array([demand], float), np.array([n], float), np.array([ded], float),
                               np.array([mn], float), np.array([mx], float), np.array([w], float))
    return a[0], idle[0]


def test_dedicated_reserved_min_prioritised_shared_capped():
    # N = 100: slice 0 has 10 dedicated but needs 5 -> 5 idle, reserved; slice 1 gets its min 20 first,
    # then the 70 left are shared equally between slices 1 and 2, slice 1 capped at max 50.
    a, idle = split([5, 80, 80], 100, [10, 0, 0], [30, 20, 0], [100, 50, 100])
    assert a == pytest.approx([5, 50, 40])
    assert idle == pytest.approx([5, 0, 0])
    assert a.sum() + idle.sum() <= 100 + 1e-9


def test_work_conserving_and_max():
    a, _ = split([np.inf, 10, 0], 100, [0, 0, 0], [0, 0, 0], [100, 100, 100])
    assert a == pytest.approx([90, 10, 0])  # the shared part goes to whoever has demand
    a, _ = split([np.inf, np.inf, 0], 100, [0, 0, 0], [0, 0, 0], [30, 100, 100])
    assert a == pytest.approx([30, 70, 0])  # never above max


def test_hard_partition_min_equals_max_leaves_idle_prbs_unborrowed():
    # "static slicing": min = max = 33 % of N = 51 -> 16.83 PRBs per slice. eMBB (full buffer) stays at its
    # 16.83 even though URLLC uses 3 and mMTC 0: their idle 30.66 PRBs are not borrowed (TS 28.541: the shared
    # part is work-conserving only up to rRMPolicyMaxRatio).
    a, idle = split([np.inf, 3, 0], 51, [0, 0, 0], [33, 33, 33], [33, 33, 33])
    assert a == pytest.approx([16.83, 3, 0])
    assert idle == pytest.approx([0, 0, 0])
    # the same mins with eMBB max 80 %: eMBB borrows up to 40.8 PRBs, the rest of the 48 idle stays idle
    a, _ = split([np.inf, 3, 0], 51, [0, 0, 0], [33, 33, 33], [80, 33, 33])
    assert a == pytest.approx([40.8, 3, 0])


def test_min_guaranteed_under_contention_and_weights():
    a, _ = split([np.inf, np.inf, np.inf], 100, [0, 0, 0], [60, 20, 0], [100, 100, 100])
    assert a == pytest.approx([60 + 20 / 3, 20 + 20 / 3, 20 / 3])
    # shared part proportional to backlogged UEs (PF over all UEs)
    a, _ = split([np.inf, np.inf, 0], 90, [0, 0, 0], [0, 0, 0], [100, 100, 100], w=(2, 1, 1))
    assert a == pytest.approx([60, 30, 0])


def test_water_fill_equal_share_with_release():
    need = np.array([1.0, 100.0, 100.0, 5.0])
    group = np.array([0, 0, 0, 1])
    got = water_fill(need, group, np.array([21.0, 3.0]))
    assert got == pytest.approx([1.0, 10.0, 10.0, 3.0])


def test_prb_conservation_in_simulator():
    sim = RanSimulator("dense-urban", batch=2, seed=3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        shares = rng.random((2, sim.num_cells, 3))
        mn = np.floor(100 * shares / shares.sum(-1, keepdims=True))
        mx = np.maximum(mn, rng.integers(0, 101, mn.shape))
        dd = np.floor(mn * rng.random(mn.shape))
        sim.set_rrm_policy_array(mn, mx, dd)
        sim.set_cell_states_array(rng.integers(0, 2, (2, sim.num_cells)) * rng.integers(0, 5, (2, sim.num_cells)))
        sim.step(sim.ticks_per_period)
        m = sim.measurements()
        used, avail = m.cell["RRU.PrbUsedDl"], m.cell["RRU.PrbAvailDl"]
        per_slice = m.slice["RRU.PrbUsedDl.SNSSAI"]
        assert np.all(per_slice >= -1e-9)
        assert np.allclose(per_slice.sum(-1), used)
        assert np.all(used <= avail + 1e-6)
        assert np.all(avail <= sim.num_prbs + 1e-9)
        # no slice above its max ratio of the available PRBs
        assert np.all(per_slice <= mx * 0.01 * avail[..., None] + 1e-6)
        # sleeping cells have no PRBs at all
        asleep = m.cell["E2SIM.CellState"] > 0
        assert np.all(avail[asleep] == 0) and np.all(used[asleep] == 0)


def _flat(small_scenario, traffic):
    from e2sim.scenarios import load_scenario

    return load_scenario(small_scenario(traffic=traffic, profile={"hourly": [1.0] * 24},
                                        mobility={"static": 1.0}))


def test_offered_load_is_served_when_capacity_is_ample(small_scenario):
    # 30 URLLC UEs x 100 packets/s x 200 B over 10 s = 48 Mbit offered; the cells are nearly idle
    sim = RanSimulator(_flat(small_scenario, {"urllc": {"ues_per_cell": 10, "packet_bytes": 200,
                                                        "arrival_rate_hz": 100}}), seed=0)
    vol = 0.0
    for _ in range(10):
        sim.step(sim.ticks_per_period)
        vol += sim.measurements().slice["DRB.PdcpSduVolumeDL.SNSSAI"][0, :, 1].sum()
    assert vol == pytest.approx(30 * 100 * 200 * 8 * 10 / 1e6, rel=0.03)
    assert sim.queue.max() < 200 * 8 * 5  # nothing piles up


def test_urllc_delay_grows_when_its_prb_share_shrinks(small_scenario):
    traffic = {"embb": {"ues_per_cell": 3, "full_buffer_fraction": 1.0},
               "urllc": {"ues_per_cell": 3, "packet_bytes": 1500, "arrival_rate_hz": 200}}
    delays, viol = [], []
    for urllc_max in (100, 3):
        sim = RanSimulator(_flat(small_scenario, traffic), seed=1)
        mn = np.zeros((1, 3, 3))
        mx = np.full((1, 3, 3), 100.0)
        mx[..., 1] = urllc_max
        sim.set_rrm_policy_array(mn, mx, np.zeros_like(mn))
        sim.step(3 * sim.ticks_per_period)
        m = sim.measurements().slice
        delays.append(m["DRB.RlcSduDelayDl.SNSSAI"][0, :, 1].mean())
        viol.append(m["E2SIM.SlaViolation.SNSSAI"][0, :, 1].sum())
        # full-buffer eMBB takes every PRB URLLC leaves (work conserving)
        assert np.allclose(m["RRU.PrbUsedDl.SNSSAI"][0].sum(-1)[m["RRC.ConnMean.SNSSAI"][0, :, 0] > 0],
                           sim.num_prbs)
    assert delays[1] > 2 * delays[0]
    assert viol[1] >= viol[0]
