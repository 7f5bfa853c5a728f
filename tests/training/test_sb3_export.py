"""SB3 policies -> ONNX: the exported graph's action equals SB3's deterministic predict() (<= 1e-5)."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

from stable_baselines3 import DQN, PPO, SAC

from ranpilot.models import load_model
from ranpilot.models.export import write_model
from training.sb3_export import actor_from_sb3


@pytest.mark.parametrize(("algo", "env_id"), [(PPO, "Pendulum-v1"), (SAC, "Pendulum-v1"), (PPO, "CartPole-v1"),
                                              (DQN, "CartPole-v1")])
def test_exported_action_equals_sb3_predict(tmp_path: Path, algo, env_id: str) -> None:
    env = gym.make(env_id)
    model = algo("MlpPolicy", env, seed=3, policy_kwargs={"net_arch": [16, 16]}, device="cpu")
    n = env.observation_space.shape[0]
    offset, scale = np.full(n, 0.5, np.float32), np.full(n, 2.0, np.float32)
    actor = actor_from_sb3(model, offset, scale)
    rng = np.random.default_rng(0)
    raw = rng.normal(0.0, 3.0, (1000, n)).astype(np.float32)
    path = tmp_path / "m.onnx"
    features = {"names": [f"f{i}" for i in range(n)]}
    dim = 1 if algo is DQN or env_id == "CartPole-v1" else env.action_space.shape[0]
    card = write_model(actor, path, task="energy", feature_spec=features, action_spec={"dim": dim},
                       reproduce="pytest", parity_obs=raw)
    assert card.onnx["parity_max_abs_diff"] <= 1e-5
    got = load_model(path).act(raw)
    want, _ = model.predict((raw - offset) / scale, deterministic=True)
    want = np.asarray(want).reshape(len(raw), -1)
    if want.dtype.kind in "iu":
        assert np.array_equal(got, want)
    else:
        assert np.max(np.abs(got - want)) <= 1e-5
