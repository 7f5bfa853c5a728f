"""Gymnasium environments over the simulator (``ranpilot/Slicing-v0``, ``ranpilot/CellSleep-v0``,
``ranpilot/Handover-v0``), their batched VectorEnv versions and the SB3 per-cell adapter.

``PerCellVecEnv`` is loaded lazily because it imports stable-baselines3 (and torch).
"""

from __future__ import annotations

from typing import Any

from e2sim.envs.core import DEFAULT_WEIGHTS, RewardWeights, TaskCore
from e2sim.envs.tasks import (
    CellSleepEnv,
    CellSleepVectorEnv,
    HandoverEnv,
    HandoverVectorEnv,
    RanEnv,
    RanVectorEnv,
    SlicingEnv,
    SlicingVectorEnv,
)

__all__ = ["DEFAULT_WEIGHTS", "CellSleepEnv", "CellSleepVectorEnv", "HandoverEnv", "HandoverVectorEnv",
           "PerCellVecEnv", "RanEnv", "RanVectorEnv", "RewardWeights", "SlicingEnv", "SlicingVectorEnv", "TaskCore"]


def __getattr__(name: str) -> Any:
    if name == "PerCellVecEnv":
        from e2sim.envs.sb3 import PerCellVecEnv

        return PerCellVecEnv
    raise AttributeError(name)
