"""The model card: the JSON document that travels beside every exported ONNX policy.

A card says what the model is for (task), what it reads (the KPM feature spec: TS 28.552 counter names, units,
normalisation and the spec's fingerprint), what it writes (the action spec), where it came from (simulator and
scenario versions, training config, parent model, the exact command that reproduces it), how good it was
(evaluation figures) and which bytes it vouches for (sha256 of the .onnx). The loader trusts nothing in the
.onnx that the card does not vouch for.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CARD_FORMAT = "ranpilot.model-card/1"
CARD_SUFFIX = ".card.json"
TASKS = ("energy", "slicing", "handover")
#: ONNX opset written by the exporter; onnxruntime >= 1.17 runs it.
ONNX_OPSET = 17


class ModelRejected(Exception):
    """A model file or card was refused. ``reason`` says exactly what differs or is broken."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"model {path} rejected: {reason}")
        self.path = str(path)
        self.reason = reason


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_path_for(onnx_path: str | Path) -> Path:
    """``models/energy/policy.onnx`` -> ``models/energy/policy.card.json``."""
    p = Path(onnx_path)
    return p.with_name(p.stem + CARD_SUFFIX)


def spec_to_dict(spec: Any) -> dict[str, Any]:
    """A feature/action spec (object with ``to_dict()``, a dataclass, or a dict) as plain JSON data."""
    if isinstance(spec, dict):
        data = dict(spec)
    elif hasattr(spec, "to_dict"):
        data = dict(spec.to_dict())
    elif dataclasses.is_dataclass(spec):
        data = dataclasses.asdict(spec)
    else:
        raise TypeError(f"cannot describe spec of type {type(spec).__name__}")
    data = json.loads(json.dumps(data, default=_jsonable))
    data.setdefault("fingerprint", spec_fingerprint(spec))
    return data


def spec_fingerprint(spec: Any) -> str:
    """The spec's own fingerprint when it has one, else sha256 of its canonical JSON (minus any fingerprint)."""
    if not isinstance(spec, dict):
        fp = getattr(spec, "fingerprint", None)
        if callable(fp):
            fp = fp()
        if isinstance(fp, str) and fp:
            return fp
        spec = spec.to_dict() if hasattr(spec, "to_dict") else dataclasses.asdict(spec)
    if isinstance(spec.get("fingerprint"), str) and spec["fingerprint"]:
        return spec["fingerprint"]
    body = {k: v for k, v in spec.items() if k != "fingerprint"}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), default=_jsonable)
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (set, tuple)):
        return list(obj)
    return str(obj)


@dataclass
class ModelCard:
    """Everything needed to trust, serve and reproduce one exported policy."""

    task: str
    feature_spec: dict[str, Any]
    action_spec: dict[str, Any]
    onnx_sha256: str
    created: str
    reproduce: str
    algo: str = ""
    simulator_version: str = ""
    scenarios: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    onnx: dict[str, Any] = field(default_factory=dict)
    format: str = CARD_FORMAT

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=False, default=_jsonable) + "\n"

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json())

    @classmethod
    def from_json(cls, text: str, source: str | Path = "<card>") -> ModelCard:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelRejected(source, f"model card is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ModelRejected(source, "model card is not a JSON object")
        if data.get("format") != CARD_FORMAT:
            raise ModelRejected(source, f"model card format {data.get('format')!r} is not {CARD_FORMAT!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                   and f.name not in data]
        if missing:
            raise ModelRejected(source, f"model card lacks field(s) {', '.join(missing)}")
        if data["task"] not in TASKS:
            raise ModelRejected(source, f"model card task {data['task']!r} is not one of {', '.join(TASKS)}")
        for key in ("feature_spec", "action_spec"):
            if not isinstance(data[key], dict) or "fingerprint" not in data[key]:
                raise ModelRejected(source, f"model card {key} has no fingerprint")
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def load(cls, path: str | Path) -> ModelCard:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise ModelRejected(path, f"cannot read model card ({exc.strerror or exc})") from None
        return cls.from_json(text, path)
