"""Gymnasium environments of the three RL tasks, single and batched.

``ranpilot/Slicing-v0``, ``ranpilot/CellSleep-v0``, ``ranpilot/Handover-v0`` (registered by ``import e2sim``).

* observation: ``Box(num_cells, F)`` float32, one row per cell built by the task's ``ranpilot.features`` spec
  from the last decision period's TS 28.552 measurements (all zeros right after reset: nothing measured yet);
* action: ``Box(num_cells, A)`` in [-1, 1], decoded by the task's ``ranpilot.features`` action spec (slice PRB
  shares -> RRMPolicyRatio; sleep level; CIO / hysteresis / TTT);
* reward: mean over cells of the per-cell reward (``info["cell_reward"]``), see :class:`RewardWeights`;
* one step = one decision period (``time.decision_period_ms``); episodes are truncated after
  ``time.episode_decisions`` steps (never terminated).

Constructor kwargs: ``scenario`` (name, path or Scenario; defaults: slicing dense-urban, energy daily-profile,
handover highway), ``reward_weights`` (RewardWeights or a dict overriding the task defaults),
``episode_decisions`` (overrides the scenario), ``seed`` (initial seed before the first ``reset(seed=)``).
The vector versions (``num_envs`` instances) advance all instances with the same array operations and
autoreset finished instances in the same step (``info["final_obs"]`` holds their last observation).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from e2sim.envs.core import RewardWeights, TaskCore
from e2sim.scenarios import Scenario
from e2sim.sim import RanSimulator
from ranpilot.features import CLIP


def _spaces(core: TaskCore) -> tuple[spaces.Box, spaces.Box]:
    obs = spaces.Box(-CLIP, CLIP, (core.num_cells, core.features.size), dtype=np.float32)
    act = spaces.Box(core.actions.low, core.actions.high, (core.num_cells, core.actions.size), dtype=np.float32)
    return obs, act


class RanEnv(gymnasium.Env):
    """One simulated RAN, one task. Subclasses set ``task``."""

    metadata = {"render_modes": []}
    task = ""

    def __init__(self, scenario: Scenario | str | Path | None = None,
                 reward_weights: RewardWeights | Mapping[str, float] | None = None,
                 episode_decisions: int | None = None, seed: int | None = 0, render_mode: str | None = None) -> None:
        self.core = TaskCore(self.task, scenario, batch=1, seed=seed, reward_weights=reward_weights,
                             episode_decisions=episode_decisions)
        self.observation_space, self.action_space = _spaces(self.core)
        self.render_mode = render_mode

    @property
    def num_ues(self) -> int:
        return self.core.num_ues

    @property
    def num_cells(self) -> int:
        return self.core.num_cells

    @property
    def sim(self) -> RanSimulator:
        return self.core.sim

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        obs = self.core.reset(seed=seed)
        return obs[0], {"time_s": float(self.core.sim.time_s[0])}

    def step(self, action: np.ndarray):
        obs, r, trunc, info = self.core.step(np.asarray(action, dtype=np.float32)[None])
        single = {k: (v[0] if isinstance(v, np.ndarray) else v) for k, v in info.items()}
        return obs[0], float(r[0].mean()), False, bool(trunc[0]), single


class RanVectorEnv(VectorEnv):
    """``num_envs`` simulator instances advanced together; same-step autoreset by mask."""

    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.SAME_STEP}
    task = ""

    def __init__(self, num_envs: int = 1, scenario: Scenario | str | Path | None = None,
                 reward_weights: RewardWeights | Mapping[str, float] | None = None,
                 episode_decisions: int | None = None, seed: int | None = 0, **_: Any) -> None:
        self.core = TaskCore(self.task, scenario, batch=num_envs, seed=seed, reward_weights=reward_weights,
                             episode_decisions=episode_decisions)
        self.num_envs = num_envs
        self.single_observation_space, self.single_action_space = _spaces(self.core)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.render_mode = None

    @property
    def num_ues(self) -> int:
        return self.core.num_ues

    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None):
        mask = None if options is None else options.get("reset_mask")
        obs = self.core.reset(seed=seed, mask=mask)
        return obs, {"time_s": self.core.sim.time_s.copy()}

    def step(self, actions: np.ndarray):
        obs, r, trunc, info = self.core.step(actions)
        info["_final_obs"] = trunc.copy()
        if trunc.any():
            info["final_obs"] = obs.copy()
            fresh = self.core.reset(mask=trunc)
            obs = np.where(trunc[:, None, None], fresh, obs)
        rewards = r.mean(axis=1).astype(np.float64)
        return obs, rewards, np.zeros(self.num_envs, dtype=bool), trunc, info


class SlicingEnv(RanEnv):
    """Slice PRB allocation: per cell, shares of eMBB / URLLC / mMTC (-> RRMPolicyRatio min ratios)."""

    task = "slicing"


class CellSleepEnv(RanEnv):
    """Energy saving: per cell sleep level (active, micro, light, deep, off), continuous then quantised."""

    task = "energy"


class HandoverEnv(RanEnv):
    """Mobility robustness: per cell CIO towards its neighbours, A3 hysteresis and TTT."""

    task = "handover"


class SlicingVectorEnv(RanVectorEnv):
    task = "slicing"


class CellSleepVectorEnv(RanVectorEnv):
    task = "energy"


class HandoverVectorEnv(RanVectorEnv):
    task = "handover"
