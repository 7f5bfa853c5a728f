"""Turn a trained SB3 policy into the deterministic :class:`ExportedActor` that becomes the ONNX graph.

Only ``training/`` reads SB3 checkpoints (they are pickles). Supported: PPO with a Box action (Gaussian mean,
clipped to the bounds, exactly what SB3 applies in ``predict(deterministic=True)``), PPO with
Discrete/MultiDiscrete (argmax of the logits), SAC (tanh mean rescaled to the bounds) and DQN (argmax of Q).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from torch import nn

from ranpilot.models.export import ExportedActor


def actor_from_sb3(model, obs_offset: np.ndarray, obs_scale: np.ndarray, obs_clip: float | None = None
                   ) -> ExportedActor:
    """Deterministic actor of ``model`` behind the affine normalisation (x - offset) / scale."""
    from copy import deepcopy

    from stable_baselines3 import DQN, PPO, SAC

    space = model.action_space
    policy = model.policy  # only its plain nn submodules are copied (the policy also caches distributions)
    if isinstance(model, PPO):
        body = nn.Sequential(deepcopy(policy.mlp_extractor.policy_net), deepcopy(policy.action_net))
        if isinstance(space, spaces.Box):
            return ExportedActor(body, obs_offset, obs_scale, "clip", low=space.low, high=space.high,
                                 obs_clip=obs_clip)
        nvec = [int(space.n)] if isinstance(space, spaces.Discrete) else [int(n) for n in space.nvec]
        return ExportedActor(body, obs_offset, obs_scale, "argmax", nvec=nvec if len(nvec) > 1 else None,
                             obs_clip=obs_clip)
    if isinstance(model, SAC):
        body = nn.Sequential(deepcopy(policy.actor.latent_pi), deepcopy(policy.actor.mu))
        return ExportedActor(body, obs_offset, obs_scale, "tanh", low=space.low, high=space.high, obs_clip=obs_clip)
    if isinstance(model, DQN):
        return ExportedActor(deepcopy(policy.q_net.q_net), obs_offset, obs_scale, "argmax", obs_clip=obs_clip)
    raise TypeError(f"cannot export {type(model).__name__}")
