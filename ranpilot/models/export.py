"""Export a trained actor to the registry format: one ONNX graph + its model card (training side, needs torch).

The graph maps raw per-cell features (N, F) to the action the environment applies (N, A), N dynamic:
observation normalisation (feature-spec scaling composed with any running mean/std) is inside the graph, and
so is the action head (clip to the bounds, tanh squashing rescaled to the bounds, or argmax), so a server does
nothing but feed features and read actions. Deterministic: the Gaussian/categorical mode, never a sample.
"""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ranpilot.models.card import ONNX_OPSET, ModelCard, card_path_for, sha256_file, spec_to_dict


class ExportedActor(nn.Module):
    """normalise -> body -> head. ``head`` is one of ``clip``, ``tanh`` (both need low/high) or ``argmax``.

    For ``argmax`` with ``nvec`` (multi-discrete), the body's logits are split into segments of the given
    sizes and each segment's argmax becomes one action component.
    """

    def __init__(self, body: nn.Module, offset: np.ndarray, scale: np.ndarray, head: str,
                 low: np.ndarray | None = None, high: np.ndarray | None = None,
                 nvec: list[int] | None = None, obs_clip: float | None = None) -> None:
        super().__init__()
        body = body.cpu().eval()
        if head not in ("clip", "tanh", "argmax"):
            raise ValueError(f"unknown action head {head!r}")
        self.body = body
        self.head = head
        self.obs_clip = obs_clip
        self.register_buffer("offset", torch.as_tensor(np.asarray(offset, np.float32)))
        self.register_buffer("inv_scale", torch.as_tensor(1.0 / np.asarray(scale, np.float32)))
        self.nvec = list(nvec) if nvec else None
        if head in ("clip", "tanh"):
            if low is None or high is None:
                raise ValueError(f"head {head!r} needs low and high")
            self.register_buffer("low", torch.as_tensor(np.asarray(low, np.float32)))
            self.register_buffer("high", torch.as_tensor(np.asarray(high, np.float32)))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        z = (obs - self.offset) * self.inv_scale
        if self.obs_clip is not None:
            z = torch.clamp(z, -self.obs_clip, self.obs_clip)
        y = self.body(z)
        if self.head == "clip":
            return torch.maximum(torch.minimum(y, self.high), self.low)
        if self.head == "tanh":
            return self.low + (torch.tanh(y) + 1.0) * 0.5 * (self.high - self.low)
        if self.nvec is None:
            return torch.argmax(y, dim=1, keepdim=True)
        parts, start = [], 0
        for n in self.nvec:
            parts.append(torch.argmax(y[:, start:start + n], dim=1, keepdim=True))
            start += n
        return torch.cat(parts, dim=1)


def export_onnx(module: nn.Module, n_features: int, path: str | Path) -> Path:
    """Write ``module`` as ONNX (opset ``ONNX_OPSET``) with a dynamic cell axis; returns the path."""
    module = module.eval().cpu()
    dummy = torch.zeros(2, n_features, dtype=torch.float32)
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module, (dummy,), buf, dynamo=False, opset_version=ONNX_OPSET,
            input_names=["features"], output_names=["action"],
            dynamic_axes={"features": {0: "cells"}, "action": {0: "cells"}},
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def parity_max_abs_diff(module: nn.Module, onnx_path: str | Path, obs: np.ndarray) -> float:
    """max |torch(obs) - onnxruntime(obs)| over a batch of observations (the export gate, <= 1e-5)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    x = np.asarray(obs, np.float32)
    with torch.no_grad():
        ref = module.eval()(torch.as_tensor(x)).numpy()
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    return float(np.max(np.abs(ref.astype(np.float64) - got.astype(np.float64)))) if x.size else 0.0


def write_model(
    module: ExportedActor,
    path: str | Path,
    *,
    task: str,
    feature_spec: Any,
    action_spec: Any,
    reproduce: str,
    algo: str = "",
    simulator_version: str = "",
    scenarios: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    evaluation: dict[str, Any] | None = None,
    parent: str | None = None,
    parity_obs: np.ndarray | None = None,
) -> ModelCard:
    """Export ``module`` to ``path`` (.onnx), check parity, and write its card beside it."""
    fspec = spec_to_dict(feature_spec)
    n_features = len(fspec["names"]) if isinstance(fspec.get("names"), list) else int(module.offset.numel())
    onnx_path = export_onnx(module, n_features, path)
    onnx_info: dict[str, Any] = {"opset": ONNX_OPSET, "input": "features", "output": "action", "head": module.head}
    if parity_obs is not None:
        diff = parity_max_abs_diff(module, onnx_path, parity_obs)
        if diff > 1e-5:
            raise RuntimeError(f"ONNX parity failed: max abs diff {diff:.3g} > 1e-5")
        onnx_info["parity_max_abs_diff"] = diff
        onnx_info["parity_observations"] = int(len(parity_obs))
    card = ModelCard(
        task=task, feature_spec=fspec, action_spec=spec_to_dict(action_spec),
        onnx_sha256=sha256_file(onnx_path), created=datetime.now(UTC).isoformat(timespec="seconds"),
        reproduce=reproduce, algo=algo, simulator_version=simulator_version, scenarios=scenarios or {},
        training=training or {}, evaluation=evaluation or {}, parent=parent, onnx=onnx_info,
    )
    card.save(card_path_for(onnx_path))
    return card
