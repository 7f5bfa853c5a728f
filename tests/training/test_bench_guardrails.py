"""The benchmark runs policies through the xApp runtime's guardrails, and energy-v2's feature history."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np

from e2sim.envs.core import TaskCore
from ranpilot.baselines.policies import encode_sleep
from ranpilot.features import FeatureHistory, feature_spec
from ric.policy.guardrails import EnergyGuardrails, make_guardrails
from training.bench import ServedGuardrails, guard_config

TINY = str(Path(__file__).with_name("tiny.yaml"))


def test_bench_guardrails_are_the_runtime_guardrails_and_cap_sleepers() -> None:
    core = TaskCore("energy", TINY, batch=2, seed=5)
    core.reset(seed=[5, 6])
    guarded = ServedGuardrails("energy", core)
    assert all(isinstance(g, EnergyGuardrails) for g in guarded.guards)
    assert guarded.config == guard_config("energy")
    cap = int(np.floor(guarded.config.max_sleep_fraction * core.num_cells))
    all_deep = encode_sleep(np.full(2 * core.num_cells, 3)).reshape(2, core.num_cells, 1)
    # the first decision equals what the runtime's own Guardrails object decides on the same inputs
    meas = core.sim.measurements().as_mapping()
    ref = make_guardrails("energy", guard_config("energy"))
    per_cell = {n: np.asarray(meas[n])[0] for n in core.features.measurements}
    want = ref.apply(guarded.cells, {"level": np.full(core.num_cells, 3)}, float(core.sim.time_s[0]),
                     inputs=ref.inputs(per_cell), neighbours=core.sim.neighbours).controls["level"]
    out = guarded(all_deep)
    np.testing.assert_array_equal(core.actions.decode(out)["level"][0], want)
    for _ in range(6):
        core.step(out)
        assert ((core.sim.cell_state > 0).sum(axis=1) <= cap).all()
        out = guarded(all_deep)
    assert guarded.interventions.get("coverage", 0) > 0


def test_energy_v2_uses_ts28552_counters_only_and_keeps_other_fingerprints() -> None:
    spec = feature_spec("energy")
    assert spec.id == "energy-v2" and spec.stateful
    assert not [m for m in spec.measurements if m.startswith("E2SIM.")]
    for task in ("slicing", "handover"):  # history fields are not part of a spec that does not use them
        other = feature_spec(task)
        old = [{k: v for k, v in dataclasses.asdict(f).items() if k not in ("window", "reduce")}
               for f in other.features]
        blob = json.dumps({"id": other.id, "features": old}, sort_keys=True)
        assert not other.stateful and other.fingerprint == hashlib.sha256(blob.encode()).hexdigest()


def test_feature_history_windows_and_reset() -> None:
    spec = feature_spec("energy")
    hist = FeatureHistory(spec)
    nb = ~np.eye(3, dtype=bool)
    col = spec.names.index

    def period(load: float, avail: float = 51.0) -> dict[str, np.ndarray]:
        m = {k: np.zeros((2, 3)) for k in spec.measurements}
        m["RRU.PrbTotDl"] = np.full((2, 3), load)
        m["RRU.PrbAvailDl"] = np.full((2, 3), avail)
        return m

    first = hist.build(period(40.0), nb)
    np.testing.assert_array_equal(first, spec.build(period(40.0), nb))  # a fresh history = this period only
    for load in (10.0, 0.0, 0.0, 0.0):
        obs = hist.build(period(load, avail=0.0), nb)
    assert np.allclose(obs[..., col("prb_usage_max5")], 0.4)  # 40 % four periods ago is still in the window
    assert np.allclose(obs[..., col("nb_prb_usage_mean5")], 0.1)  # (40 + 10 + 0 + 0 + 0) / 5 %
    assert np.allclose(obs[..., col("asleep_mean5")], 0.8) and np.allclose(obs[..., col("asleep")], 1.0)
    obs = hist.build(period(0.0, avail=0.0), nb)
    assert np.allclose(obs[..., col("prb_usage_max5")], 0.1)  # the 40 % period left the 5-period window
    hist.reset(np.array([True, False]))
    obs = hist.build(period(0.0), nb)  # awake again: instance 0 forgot its sleeping periods, instance 1 did not
    assert np.allclose(obs[0, :, col("asleep_mean5")], 0.0) and np.allclose(obs[1, :, col("asleep_mean5")], 0.8)


def test_training_env_runs_under_guardrails_with_history(tmp_path: Path) -> None:
    from training.common import GuardedActions, HistoryObs, load_config, make_env

    cfg_file = tmp_path / "g.yaml"
    cfg_file.write_text(f"scenario: {TINY}\nnum_instances: 2\nguardrails: true\nepisode_decisions: 4\n")
    venv = make_env(load_config("energy", cfg_file, seed=0))
    guarded = venv.venv
    assert isinstance(guarded, GuardedActions) and isinstance(guarded.venv, HistoryObs)
    core = guarded.core
    cap = int(np.floor(guarded.guardrails.config.max_sleep_fraction * core.num_cells))
    venv.reset()
    deep = encode_sleep(np.full(venv.num_envs, 3))
    for _ in range(6):  # crosses an episode end (autoreset): guardrail state and history restart
        obs, _, dones, _ = venv.step(deep)
        assert obs.shape == (venv.num_envs, feature_spec("energy").size)
        assert ((core.sim.cell_state > 0).sum(axis=1) <= cap).all()
    assert guarded.guardrails.interventions.get("coverage", 0) > 0
