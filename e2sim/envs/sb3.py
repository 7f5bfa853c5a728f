"""Stable-Baselines3 adapter: B simulator instances x C cells as B*C parameter-shared agents.

Each agent is one cell: its observation is the cell's feature row, its action the cell's action row, its reward
the cell's reward. This is what training uses - one small policy network shared by every cell, so the trained
model runs unchanged on a layout with another cell count and, in an xApp, with cells as the batch dimension.
Importing this module imports stable-baselines3 (and torch); ``e2sim.envs`` exposes it lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces
from stable_baselines3.common.vec_env import VecEnv

from e2sim.envs.core import RewardWeights, TaskCore
from e2sim.scenarios import Scenario
from ranpilot.features import CLIP


class PerCellVecEnv(VecEnv):
    """SB3 ``VecEnv`` with ``num_envs = num_instances * num_cells`` per-cell agents.

    When an instance's episode ends all its cells report ``done`` with ``terminal_observation`` and
    ``TimeLimit.truncated`` in their infos, and the instance is reset in the same step.
    """

    def __init__(self, task: str, scenario: Scenario | str | Path | None = None, num_instances: int = 1,
                 seed: int | None = 0, reward_weights: RewardWeights | Mapping[str, float] | None = None,
                 episode_decisions: int | None = None) -> None:
        self.core = TaskCore(task, scenario, batch=num_instances, seed=seed, reward_weights=reward_weights,
                             episode_decisions=episode_decisions)
        self.num_instances = num_instances
        self.num_cells = self.core.num_cells
        obs_space = spaces.Box(-CLIP, CLIP, (self.core.features.size,), dtype=np.float32)
        act_space = spaces.Box(self.core.actions.low, self.core.actions.high, (self.core.actions.size,),
                               dtype=np.float32)
        self.render_mode = None
        super().__init__(num_instances * self.num_cells, obs_space, act_space)
        self._actions: np.ndarray | None = None

    def _flat(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.num_envs, *x.shape[2:])

    def reset(self) -> np.ndarray:
        seeds = [self._seeds[b * self.num_cells] for b in range(self.num_instances)]
        seed_arg = None if all(s is None for s in seeds) else seeds
        obs = self.core.reset(seed=seed_arg)
        self._reset_seeds()
        return self._flat(obs)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions, dtype=np.float32).reshape(self.num_instances, self.num_cells, -1)

    def step_wait(self):
        assert self._actions is not None, "step_async first"
        obs, r, trunc, info = self.core.step(self._actions)
        dones = np.repeat(trunc, self.num_cells)
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if trunc.any():
            flat_obs = self._flat(obs)
            for i in np.flatnonzero(dones):
                infos[i] = {"terminal_observation": flat_obs[i].copy(), "TimeLimit.truncated": True}
            fresh = self.core.reset(mask=trunc)
            obs = np.where(trunc[:, None, None], fresh, obs)
        for b in range(self.num_instances):
            kpi = {k: v[b] for k, v in info.items() if k != "cell_reward"}
            infos[b * self.num_cells]["instance_kpis"] = kpi
        return self._flat(obs), r.reshape(-1).astype(np.float32), dones, infos

    def close(self) -> None:
        pass

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(self, attr_name) for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        setattr(self, attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None, **method_kwargs: Any) -> list[Any]:
        return [getattr(self, method_name)(*method_args, **method_kwargs) for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: Sequence[int] | int | None = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]
