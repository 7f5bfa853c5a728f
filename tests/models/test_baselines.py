"""Baselines on hand-built per-cell cases: each rule does what its spec form says, and nothing more."""

from __future__ import annotations

import numpy as np

from ranpilot.baselines.energy import ThresholdParams, ThresholdSleep, always_on
from ranpilot.baselines.handover import SET1, SET5, Mro, MroParams, set1, set5
from ranpilot.baselines.policies import (
    encode_handover,
    encode_rrm_ratios,
    encode_shares,
    encode_sleep,
    make_baseline,
)
from ranpilot.baselines.slicing import ProportionalParams, ProportionalSplit, static
from ranpilot.features import decode_handover, decode_sleep, decode_slicing, feature_spec


def test_always_on() -> None:
    assert always_on(4).tolist() == [0, 0, 0, 0]


def test_threshold_needs_load_below_threshold_for_the_dwell_then_sleeps() -> None:
    pol = ThresholdSleep(ThresholdParams(sleep_load=0.2, wake_load=0.6, dwell_steps=3, max_sleep_fraction=1.0))
    load = np.array([0.1, 0.5, 0.1])
    nb = np.array([0.3, 0.3, 0.3])
    assert pol(load, nb).tolist() == [0, 0, 0]
    assert pol(load, nb).tolist() == [0, 0, 0]
    assert pol(load, nb).tolist() == [1, 0, 1]  # third period below threshold: sleep
    # a single spike resets the count of cell 0 while it is still awake is irrelevant now; check wake-up:
    hot = np.array([0.8, 0.8, 0.8])
    assert pol(np.zeros(3), hot).tolist() == [1, 0, 1]
    assert pol(np.zeros(3), hot).tolist() == [1, 0, 1]
    assert pol(np.zeros(3), hot).tolist() == [0, 0, 0]  # neighbours hot for the dwell: wake


def test_threshold_hysteresis_and_interrupted_condition() -> None:
    pol = ThresholdSleep(ThresholdParams(sleep_load=0.2, wake_load=0.6, dwell_steps=2, max_sleep_fraction=1.0))
    nb = np.array([0.3])
    pol(np.array([0.1]), nb)
    pol(np.array([0.3]), nb)  # condition broken: counter restarts
    assert pol(np.array([0.1]), nb).tolist() == [0]
    assert pol(np.array([0.1]), nb).tolist() == [1]
    # neighbour load between the thresholds (hysteresis band): stays asleep indefinitely
    for _ in range(5):
        assert pol(np.array([0.0]), np.array([0.5])).tolist() == [1]


def test_threshold_coverage_cap_sleeps_least_loaded_first() -> None:
    pol = ThresholdSleep(ThresholdParams(sleep_load=0.5, wake_load=0.9, dwell_steps=1, max_sleep_fraction=0.5))
    out = pol(np.array([0.4, 0.1, 0.3, 0.2]), np.full(4, 0.2))
    assert out.tolist() == [0, 1, 0, 1]


def test_static_equal_split() -> None:
    s = static(2, 3)
    assert s.shape == (2, 3) and np.allclose(s, 1 / 3)


def test_proportional_follows_demand_with_floor() -> None:
    pol = ProportionalSplit(ProportionalParams(smoothing=1.0, floor=0.05))
    out = pol(np.array([[90.0, 10.0, 0.0], [0.0, 0.0, 0.0]]))
    assert np.allclose(out.sum(axis=1), 1.0)
    assert out[0, 0] > out[0, 1] > out[0, 2] >= 0.05 - 1e-12
    assert np.allclose(out[1], 1 / 3)  # no demand: equal split
    pol2 = ProportionalSplit(ProportionalParams(smoothing=0.5, floor=0.0))
    pol2(np.array([[1.0, 0.0, 0.0]]))
    assert np.allclose(pol2(np.array([[0.0, 1.0, 0.0]])), [[0.5, 0.5, 0.0]])  # EWMA memory


def test_handover_reference_sets_entering_condition() -> None:
    s1, s5 = set1(2), set5(1)
    # A3 enters when Mn + CIO > Mp + Hys: effective offset = Hys - CIO
    assert (s1["hysteresis_db"] - s1["cio_db"]).tolist() == [3.0, 3.0] and s1["ttt_ms"].tolist() == [480, 480]
    assert (s5["hysteresis_db"] - s5["cio_db"]).tolist() == [-1.0] and s5["ttt_ms"].tolist() == [40]
    assert SET1.ttt_ms == 480 and SET5.offset_db == -1.0


def test_mro_moves_cio_against_the_dominant_failure() -> None:
    pol = Mro(MroParams(step_db=1.0, cio_min_db=-2.0, cio_max_db=2.0, window_periods=1))
    rlf = np.array([5.0, 0.0, 0.0])
    pp = np.array([0.0, 5.0, 0.0])
    ho = np.array([20.0, 20.0, 20.0])
    out = pol(rlf, pp, ho)
    assert out["cio_db"].tolist() == [1.0, -1.0, 0.0]  # late -> earlier (CIO up), early -> later, quiet: same
    assert out["hysteresis_db"].tolist() == [3.0] * 3 and out["ttt_ms"].tolist() == [480] * 3
    for _ in range(5):
        out = pol(rlf, pp, ho)
    assert out["cio_db"].tolist() == [2.0, -2.0, 0.0]  # bounded


def test_mro_decides_on_window_statistics_not_single_periods() -> None:
    pol = Mro(MroParams(step_db=1.0, window_periods=3))
    one = np.array([1.0])
    assert pol(one, 0 * one, 10 * one)["cio_db"].tolist() == [0.0]
    assert pol(0 * one, 0 * one, 10 * one)["cio_db"].tolist() == [0.0]
    assert pol(0 * one, 0 * one, 10 * one)["cio_db"].tolist() == [1.0]  # 1 RLF in 31 attempts > 1 %


def test_encoders_invert_the_action_spec_decoders() -> None:
    assert decode_sleep(encode_sleep(np.arange(5)))["level"].tolist() == [0, 1, 2, 3, 4]
    shares = np.array([[0.5, 0.3, 0.2], [1 / 3, 1 / 3, 1 / 3]])
    ctl = decode_slicing(encode_shares(shares))
    got = ctl["min_ratio"]
    assert np.all(np.abs(got - np.array([[50, 30, 20], [33, 33, 33]])) <= 1) and np.all(got.sum(1) <= 100)
    assert np.array_equal(ctl["max_ratio"], got)  # borrow 0: hard partition
    assert np.all(decode_slicing(encode_shares(shares, 1.0))["max_ratio"] == 100)
    # whole-percent RRMPolicyRatio (what the guardrails output) -> action -> exactly the same percents
    rng = np.random.default_rng(0)
    mn = np.floor(rng.dirichlet(np.ones(3), 2000) * 100)
    mx = np.minimum(mn + rng.integers(0, 101, mn.shape), 100)
    mn[:3] = [[100, 0, 0], [0, 0, 0], [34, 33, 33]]
    mx[:3] = [[100, 0, 100], [0, 100, 7], [34, 100, 33]]
    back = decode_slicing(encode_rrm_ratios({"min_ratio": mn, "max_ratio": mx}))
    assert np.array_equal(back["min_ratio"], mn) and np.array_equal(back["max_ratio"], mx)
    for ctl in (set1(3), set5(3)):
        back = decode_handover(encode_handover(ctl))
        for k in ("cio_db", "hysteresis_db", "ttt_ms"):
            assert np.allclose(back[k], ctl[k]), k


def _obs(task: str, **cols: np.ndarray) -> np.ndarray:
    """Hand-built feature rows: raw values per named column, normalised the way FeatureSpec.build does."""
    spec = feature_spec(task)
    n = len(next(iter(cols.values())))
    obs = np.zeros((n, spec.size), np.float32)
    for name, v in cols.items():
        f = spec.features[spec.names.index(name)]
        x = np.log1p(v) if f.transform == "log1p" else np.asarray(v, float)
        obs[:, spec.names.index(name)] = (x - f.offset) / f.scale
    return obs


def test_feature_level_baselines_on_hand_built_rows() -> None:
    thr = make_baseline("energy", "threshold", {"sleep_load": 0.2, "wake_load": 0.6, "dwell_steps": 1,
                                                "max_sleep_fraction": 1.0})
    obs = _obs("energy", prb_usage=np.array([5.0, 50.0]), nb_prb_usage=np.array([30.0, 30.0]))
    assert decode_sleep(thr.act(obs))["level"].tolist() == [1, 0]
    assert decode_sleep(make_baseline("energy", "always_on").act(obs))["level"].tolist() == [0, 0]
    prop = make_baseline("slicing", "proportional", {"smoothing": 1.0, "floor": 0.05})
    obs = _obs("slicing", embb_prb_share=np.array([0.6]), urllc_prb_share=np.array([0.2]),
               mmtc_prb_share=np.array([0.0]))
    ctl = decode_slicing(prop.act(obs))
    mins = ctl["min_ratio"][0]
    assert mins[0] > mins[1] > mins[2] >= 4
    assert np.array_equal(ctl["max_ratio"][0], mins)  # a partition: no borrowing
    static = decode_slicing(make_baseline("slicing", "static").act(obs))
    assert static["min_ratio"].tolist() == [[33, 33, 33]] and static["max_ratio"].tolist() == [[33, 33, 33]]
    mro = make_baseline("handover", "mro", {"window_periods": 1})
    obs = _obs("handover", rlf=np.array([4.0, 0.0]), ping_pong=np.array([0.0, 0.0]),
               ho_inter_req=np.array([10.0, 10.0]))
    assert decode_handover(mro.act(obs))["cio_db"].tolist() == [1.0, 0.0]
    # a single event is enough (min_events 1): float32 features give the count back as 0.9999999
    mro = make_baseline("handover", "mro", {"window_periods": 1})
    obs = _obs("handover", rlf=np.array([1.0, 0.0]), ping_pong=np.array([0.0, 1.0]),
               ho_inter_req=np.array([10.0, 10.0]))
    assert decode_handover(mro.act(obs))["cio_db"].tolist() == [1.0, -1.0]


def test_coverage_guard_keeps_neighbours_awake_and_caps_the_share() -> None:
    from ranpilot.baselines.energy import coverage_guard

    # a line of 4 cells: 0-1-2-3
    nb = np.zeros((4, 4), dtype=bool)
    for a, b in ((0, 1), (1, 2), (2, 3)):
        nb[a, b] = nb[b, a] = True
    load = np.array([0.3, 0.1, 0.2, 0.0])
    out = coverage_guard(np.array([3, 3, 3, 3]), load, nb, np.zeros(4, bool), max_fraction=1.0,
                         min_awake_neighbours=1.0)
    assert out.tolist() == [0, 3, 0, 3]  # least loaded first, never two neighbours
    out = coverage_guard(np.array([3, 3, 3, 3]), load, nb, np.zeros(4, bool), max_fraction=0.5)
    assert out.tolist() == [0, 3, 3, 0] or out.tolist() == [0, 3, 0, 3]
    assert sorted(np.flatnonzero(out).tolist()) == [1, 3]  # the two least loaded (0.1, 0.0)
    out = coverage_guard(np.array([3, 3, 3, 3]), load, nb, np.array([True, False, False, False]), max_fraction=0.25)
    assert out.tolist() == [3, 0, 0, 0]  # an already sleeping cell keeps priority; cap = 1 cell
    assert coverage_guard(np.zeros(4, int), load, nb, np.zeros(4, bool)).tolist() == [0, 0, 0, 0]


def test_coverage_guard_keeps_a_share_of_every_sleepers_neighbours_awake() -> None:
    from ranpilot.baselines.energy import coverage_guard

    # a ring of 6 cells, 2 neighbours each; at least half of a sleeper's neighbours stay awake
    nb = np.zeros((6, 6), dtype=bool)
    for a in range(6):
        nb[a, (a + 1) % 6] = nb[(a + 1) % 6, a] = True
    load = np.arange(6) / 10.0
    out = coverage_guard(np.full(6, 3), load, nb, np.zeros(6, bool), max_fraction=1.0, min_awake_neighbours=0.5)
    # 0, 1 sleep; 2 would leave 1 without an awake neighbour; 3, 4 sleep; 5 would leave 4 and 0 alone
    assert out.tolist() == [3, 3, 0, 3, 3, 0]
    for c in np.flatnonzero(out):
        assert (nb[c] & (out == 0)).sum() >= 1
    # the same with no local rule: only the cap applies
    assert coverage_guard(np.full(6, 3), load, nb, np.zeros(6, bool), max_fraction=1.0).tolist() == [3] * 6
