"""Load an exported policy for serving: ONNX Runtime only, checked by sha256 and spec fingerprint.

This is the one path by which xApps, the benchmark and the rApps run a learned policy. It never unpickles
anything (an SB3 ``.zip`` is a pickle; only ``training/`` reads those) and it refuses, with a
:class:`ModelRejected` whose ``reason`` names what differs, any model whose bytes do not match its card, whose
card is for another task, or whose feature/action spec is not the one the caller will feed it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from ranpilot.models.card import (
    CARD_SUFFIX,
    ModelCard,
    ModelRejected,
    card_path_for,
    spec_fingerprint,
    spec_to_dict,
)


class OnnxPolicy:
    """A per-cell policy: ``act(obs[N, F]) -> action[N, A]``, N = cells of whatever layout is being served."""

    def __init__(self, session: Any, card: ModelCard, path: Path) -> None:
        self.session = session
        self.card = card
        self.path = path
        inp = session.get_inputs()[0]
        self.input_name: str = inp.name
        self.n_features: int = int(inp.shape[1])
        self.sha256: str = card.onnx_sha256

    @property
    def task(self) -> str:
        return self.card.task

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Actions for a (N, F) batch of per-cell feature rows (N may be 0)."""
        x = np.asarray(obs, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"observation shape {tuple(np.shape(obs))} is not (cells, {self.n_features})")
        if x.shape[0] == 0:
            return np.zeros((0, _action_dim(self.card.action_spec)), dtype=np.float32)
        if not np.all(np.isfinite(x)):
            raise ValueError("observation contains NaN or infinity")
        return self.session.run(None, {self.input_name: x})[0]

    __call__ = act

    def __repr__(self) -> str:
        return f"OnnxPolicy(task={self.task!r}, path={str(self.path)!r}, sha256={self.sha256[:12]}...)"


def _action_dim(action_spec: dict[str, Any]) -> int:
    for key in ("dim", "size", "n_actions"):
        if isinstance(action_spec.get(key), int):
            return int(action_spec[key])
    names = action_spec.get("names")
    return len(names) if isinstance(names, list) else 1


def _resolve(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    if p.is_dir():
        found = sorted(p.glob("*.onnx"))
        if len(found) != 1:
            raise ModelRejected(p, f"directory holds {len(found)} .onnx files; name one")
        p = found[0]
    if p.name.endswith(CARD_SUFFIX):
        return p.with_name(p.name[: -len(CARD_SUFFIX)] + ".onnx"), p
    return p, card_path_for(p)


def describe_spec_difference(kind: str, model: dict[str, Any], runtime: dict[str, Any]) -> str:
    """Human reason for a fingerprint mismatch: which field, and where a list first differs."""
    parts: list[str] = []
    for key in sorted(set(model) | set(runtime)):
        if key == "fingerprint":
            continue
        a, b = model.get(key), runtime.get(key)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                parts.append(f"{key}: model has {len(a)} entries, runtime {len(b)}")
            idx = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
            if idx is not None:
                parts.append(f"{key}[{idx}]: model {a[idx]!r} vs runtime {b[idx]!r}")
        else:
            parts.append(f"{key}: model {a!r} vs runtime {b!r}")
    detail = "; ".join(parts[:4]) or "same fields, different version"
    return (f"{kind} spec mismatch (model fingerprint {model.get('fingerprint')}, runtime "
            f"{runtime.get('fingerprint')}): {detail}")


def load_model(
    path: str | Path,
    *,
    task: str | None = None,
    feature_spec: Any = None,
    action_spec: Any = None,
    expected_sha256: str | None = None,
) -> OnnxPolicy:
    """Load ``path`` (the .onnx, its .card.json, or a directory with one .onnx) after every check.

    ``feature_spec``/``action_spec`` are what the caller will feed/expect (spec objects or their dicts);
    ``expected_sha256`` is a hash announced out of band (A1 policy, registry) that must also match.
    """
    onnx_path, card_path = _resolve(path)
    try:
        blob = onnx_path.read_bytes()
    except OSError as exc:
        raise ModelRejected(onnx_path, f"cannot read model file ({exc.strerror or exc})") from None
    card = ModelCard.load(card_path)
    digest = hashlib.sha256(blob).hexdigest()
    if digest != card.onnx_sha256:
        raise ModelRejected(onnx_path, f"sha256 mismatch: file is {digest[:16]}..., card says "
                                       f"{card.onnx_sha256[:16]}... (file altered or truncated)")
    if expected_sha256 is not None and digest != expected_sha256:
        raise ModelRejected(onnx_path, f"sha256 {digest[:16]}... is not the announced {expected_sha256[:16]}...")
    if task is not None and card.task != task:
        raise ModelRejected(onnx_path, f"model is for task {card.task!r}, not {task!r}")
    for kind, given, have in (("feature", feature_spec, card.feature_spec), ("action", action_spec, card.action_spec)):
        if given is None:
            continue
        want = spec_to_dict(given)
        if spec_fingerprint(want) != have.get("fingerprint"):
            raise ModelRejected(onnx_path, describe_spec_difference(kind, have, want))
    session = _session(onnx_path, blob)
    policy = OnnxPolicy(session, card, onnx_path)
    _check_io(policy)
    return policy


def _session(onnx_path: Path, blob: bytes) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(blob, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several unrelated types for bad graphs
        raise ModelRejected(onnx_path, f"not a loadable ONNX model ({type(exc).__name__}: "
                                       f"{str(exc).splitlines()[0][:200]})") from None


def _check_io(policy: OnnxPolicy) -> None:
    inputs, outputs = policy.session.get_inputs(), policy.session.get_outputs()
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModelRejected(policy.path, f"graph has {len(inputs)} inputs/{len(outputs)} outputs, expected 1/1")
    shape = inputs[0].shape
    if len(shape) != 2 or isinstance(shape[0], int) or not isinstance(shape[1], int):
        raise ModelRejected(policy.path, f"input shape {shape} is not (dynamic cells, features)")
    names = policy.card.feature_spec.get("names")
    if isinstance(names, list) and len(names) != shape[1]:
        raise ModelRejected(policy.path, f"graph reads {shape[1]} features, card's feature spec lists {len(names)}")
    want = _action_dim(policy.card.action_spec)
    try:
        out = policy.session.run(None, {policy.input_name: np.zeros((2, shape[1]), np.float32)})[0]
    except Exception as exc:
        raise ModelRejected(policy.path, f"graph fails to run ({type(exc).__name__})") from None
    if out.shape != (2, want):
        raise ModelRejected(policy.path, f"graph outputs {out.shape[1:]} per cell, action spec says ({want},)")
