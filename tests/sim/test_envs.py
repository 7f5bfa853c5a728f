"""Gymnasium envs, vector env == single envs, SB3 per-cell adapter, shared feature spec."""

from __future__ import annotations

import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import e2sim
from e2sim.envs import CellSleepVectorEnv, HandoverEnv, SlicingEnv, SlicingVectorEnv, TaskCore
from ranpilot.features import action_spec, decode_handover, decode_sleep, decode_slicing, feature_spec


@pytest.mark.parametrize("env_id", sorted(e2sim.ENV_IDS))
def test_env_checkers(env_id):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = gymnasium.make(env_id, episode_decisions=3)
    check_env(env.unwrapped, skip_render_check=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SB3 recommends flat observations; the per-cell adapter provides them
        sb3_check_env(env.unwrapped)
    assert env.unwrapped.num_ues > 0
    obs, info = env.reset(seed=0)
    assert obs.shape == (env.unwrapped.num_cells, feature_spec(env.unwrapped.task).size)
    obs, r, term, trunc, info = env.step(env.action_space.sample())
    assert env.observation_space.contains(obs) and np.isfinite(r) and not term
    for key in ("cell_reward", "energy_j", "bits", "ee_bit_per_j", "sla_violation", "rlf", "ping_pong",
                "handovers"):
        assert key in info
    assert info["cell_reward"].shape == (env.unwrapped.num_cells,)
    assert r == pytest.approx(float(info["cell_reward"].mean()))
    assert info["sla_violation"].shape == (env.unwrapped.num_cells, 3)
    assert info["energy_j"] > 0


def test_truncation_and_reward_weights():
    env = SlicingEnv(scenario="dense-urban", episode_decisions=2, reward_weights={"sla": 5.0})
    assert env.core.weights.sla == 5.0 and env.core.weights.thp == 1.0
    env.reset(seed=1)
    a = env.action_space.sample()
    assert env.step(a)[3] is False
    assert env.step(a)[3] is True
    with pytest.raises(ValueError, match="unknown reward weight"):
        SlicingEnv(reward_weights={"speed": 1.0})
    with pytest.raises(ValueError, match="action must have shape"):
        env.step(np.zeros((3, 3), np.float32))


def test_vector_env_equals_single_envs_with_autoreset():
    n, steps = 3, 5
    venv = SlicingVectorEnv(num_envs=n, scenario="dense-urban", episode_decisions=2)
    singles = [SlicingEnv(scenario="dense-urban", episode_decisions=2) for _ in range(n)]
    vobs, _ = venv.reset(seed=20)
    sobs = [e.reset(seed=20 + i)[0] for i, e in enumerate(singles)]
    np.testing.assert_array_equal(vobs, np.stack(sobs))
    rng = np.random.default_rng(0)
    for _ in range(steps):
        acts = rng.uniform(-1, 1, venv.action_space.shape).astype(np.float32)
        vobs, vr, vterm, vtrunc, vinfo = venv.step(acts)
        for i, e in enumerate(singles):
            o, r, term, trunc, info = e.step(acts[i])
            assert r == pytest.approx(vr[i], abs=1e-6)
            assert trunc == vtrunc[i]
            np.testing.assert_array_equal(info["cell_reward"], vinfo["cell_reward"][i])
            if trunc:
                np.testing.assert_array_equal(o, vinfo["final_obs"][i])
                o, _ = e.reset()
            np.testing.assert_array_equal(o, vobs[i])
    assert vinfo["_final_obs"].shape == (n,)


def test_make_vec_and_reset_mask():
    venv = gymnasium.make_vec("ranpilot/CellSleep-v0", num_envs=2, vectorization_mode="vector_entry_point",
                              episode_decisions=3)
    assert isinstance(venv.unwrapped, CellSleepVectorEnv)
    venv.reset(seed=0)
    venv.step(venv.action_space.sample())
    t0 = venv.unwrapped.core.sim.time_s.copy()
    venv.reset(options={"reset_mask": np.array([True, False])})
    assert venv.unwrapped.core.sim.time_s[0] == 0 and venv.unwrapped.core.sim.time_s[1] == t0[1]


def test_per_cell_vecenv_with_sb3():
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecEnv

    from e2sim.envs import PerCellVecEnv

    venv = PerCellVecEnv("energy", scenario="dense-urban", num_instances=2, episode_decisions=2, seed=5)
    assert isinstance(venv, VecEnv)
    C = venv.num_cells
    assert venv.num_envs == 2 * C
    obs = venv.reset()
    assert obs.shape == (2 * C, feature_spec("energy").size)
    acts = np.stack([venv.action_space.sample() for _ in range(venv.num_envs)])
    obs, rew, dones, infos = venv.step(acts)
    assert rew.shape == (2 * C,) and not dones.any()
    # per-cell rewards are the core's cell rewards, row-major over (instance, cell)
    core = TaskCore("energy", "dense-urban", batch=2, seed=5, episode_decisions=2)
    core.reset()
    _, r_core, _, _ = core.step(acts.reshape(2, C, 1))
    np.testing.assert_array_equal(rew, r_core.reshape(-1))
    obs, rew, dones, infos = venv.step(acts)
    assert dones.all() and "terminal_observation" in infos[0] and infos[0]["TimeLimit.truncated"]
    model = PPO("MlpPolicy", venv, n_steps=4, batch_size=2 * C, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=venv.num_envs * 4)


def test_features_rebuild_from_kpm_dicts():
    """An xApp holding name -> per-cell values (as decoded from KPM reports) builds the same observation."""
    env = HandoverEnv(scenario="dense-urban", episode_decisions=3)
    env.reset(seed=3)
    obs, *_ = env.step(env.action_space.sample())
    m = env.sim.measurements()
    per_cell = {name: list(v[0]) for name, v in m.cell.items()}  # plain lists, as from a KPM report
    per_cell.update({name: [list(row) for row in v[0]] for name, v in m.slice.items()})
    spec = feature_spec("handover")
    rebuilt = spec.build({k: np.asarray(v) for k, v in per_cell.items()}, neighbours=env.sim.neighbours)
    np.testing.assert_array_equal(rebuilt, obs)
    assert set(spec.measurements) <= set(per_cell)
    assert len(spec.fingerprint) == 64 and spec.fingerprint == feature_spec("handover").fingerprint
    assert spec.fingerprint != feature_spec("energy").fingerprint
    with pytest.raises(ValueError, match="neighbours"):
        spec.build(per_cell)
    with pytest.raises(KeyError, match="RRU.PrbTotDl"):
        spec.build({}, neighbours=env.sim.neighbours)


def test_action_decoders():
    # slicing-v2: shares -> min ratios, borrowing -> max ratio in [min, 100] (-1 = hard partition)
    sl = decode_slicing(np.array([[1.0, 1.0, -1.0, 1.0, -1.0, 0.0], [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0]]))
    assert sl["min_ratio"].tolist() == [[50, 50, 0], [0, 0, 0]]
    assert sl["max_ratio"].tolist() == [[100, 50, 50], [100, 100, 100]]
    assert np.all(sl["dedicated_ratio"] == 0)
    assert decode_sleep(np.array([[-1.0], [-0.5], [0.0], [0.5], [1.0]]))["level"].tolist() == [0, 1, 2, 3, 4]
    ho = decode_handover(np.array([[1.0, -1.0, -1.0], [0.12, 1.0, 1.0], [-0.7, 0.0, 0.0]]))
    assert ho["cio_db"].tolist() == [6.0, 1.0, -4.0]  # -4.2 snaps to the nearest Q-OffsetRange value
    assert ho["hysteresis_db"].tolist() == [0.0, 6.0, 3.0]
    assert ho["ttt_ms"].tolist() == [40, 1024, 320]
    spec = action_spec("slicing")
    assert spec.clip(np.array([[2.0, -3.0, np.nan, 0.0, 0.0, 0.0]])).tolist() == [[1.0, -1.0, 0.0, 0.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="columns"):
        spec.clip(np.zeros((2, 2)))


def test_trained_policy_shape_is_layout_independent():
    """Same feature/action widths on layouts with different cell counts (held-out evaluation)."""
    a = CellSleepVectorEnv(num_envs=1, scenario="dense-urban", episode_decisions=2)
    b = CellSleepVectorEnv(num_envs=1, scenario="dense-urban-b", episode_decisions=2)
    assert a.single_observation_space.shape[0] != b.single_observation_space.shape[0]
    assert a.single_observation_space.shape[1] == b.single_observation_space.shape[1]
    assert a.single_action_space.shape[1] == b.single_action_space.shape[1]


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, e2sim, gymnasium; gymnasium.make('ranpilot/Slicing-v0'); "
            "bad = [m for m in ('torch', 'stable_baselines3', 'e2', 'pycrate') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
