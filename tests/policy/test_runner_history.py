"""The runner keeps energy-v2's feature history from its own snapshots, exactly as training builds it."""

from __future__ import annotations

import numpy as np
from policy_helpers import sim_measurements

from ranpilot.features import FeatureHistory, action_spec, feature_spec
from ric.policy import LoadedModel, PolicyRunner


class Recorder:
    """A model that keeps every observation it is given and asks for no change."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def act(self, obs: np.ndarray) -> np.ndarray:
        self.seen.append(np.array(obs))
        return np.full((len(obs), action_spec("energy").size), -1.0, np.float32)


def test_runner_builds_windowed_features_from_its_decisions() -> None:
    per, nb = sim_measurements(scenario="daily-profile", ticks=12)
    cells = [f"gnb_1|001-01/{i:09x}" for i in range(per["RRU.PrbTotDl"].shape[0])]
    rec = Recorder()
    runner = PolicyRunner("energy")
    runner.set_model(LoadedModel(rec, "rec"))
    spec, hist = feature_spec("energy"), FeatureHistory(feature_spec("energy"))
    col = spec.names.index("prb_usage_max5")
    loads = [per["RRU.PrbTotDl"] * f for f in (1.0, 0.0, 0.0)]
    for t, load in enumerate(loads):
        p = dict(per, **{"RRU.PrbTotDl": load})
        assert runner.decide(p, cells, nb, now=float(t)).source == "model"
        np.testing.assert_array_equal(rec.seen[-1], hist.build(p, nb))  # same features as training/bench
    np.testing.assert_allclose(rec.seen[-1][:, col], per["RRU.PrbTotDl"] / 100.0, rtol=1e-6)  # 2 periods ago
    runner.decide(dict(per), cells[::-1], nb, now=3.0)  # another cell list: the history starts afresh
    np.testing.assert_array_equal(rec.seen[-1], spec.build(dict(per), nb))
