"""Where models come from, and hot-swapping them without stopping decisions.

A :class:`ModelRef` names a model (ONNX path, optionally the sha256 announced out of band, a version). Refs come
from a :class:`FileModelSource` (a path on disk: re-loaded whenever the .onnx or its card changes; the card's
sha256 is re-verified by the loader), an :class:`SdlModelSource` (an SDL key holding the ref as JSON, written by
an rApp / model registry), or an A1 policy of type :data:`MODEL_POLICY_TYPE` (:func:`model_ref_from_a1`).

:class:`ModelSwapper` loads and validates a ref in a worker thread (``ranpilot.models.load_model``: sha256 vs card
and vs the announced hash, task, feature/action spec fingerprints, I/O shapes, a probe batch) - off the decision
path - and hands the result to the :class:`~ric.policy.runner.PolicyRunner`, which swaps it in between two
decisions. A refused model changes nothing: the previous model keeps serving, the refusal is counted
(``ranpilot_policy_model_swaps{result="refused"}``) and returned to the caller (A1: NOT_ENFORCED).
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from ranpilot.models import ModelRejected, card_path_for, load_model
from ric.errors import SdlUnavailable
from ric.policy.runner import LoadedModel, PolicyRunner

__all__ = [
    "MODEL_POLICY_SCHEMA", "MODEL_POLICY_TYPE_IDS", "FileModelSource", "ModelRef", "ModelSwapper",
    "SdlModelSource", "SwapOutcome", "model_policy_type", "model_ref_from_a1",
]

log = logging.getLogger("ric.policy")

#: A1 policy type ids of "serve this model" per task (ranpilot's private range; one schema for all three).
MODEL_POLICY_TYPE_IDS: dict[str, int] = {"energy": 31001, "slicing": 31002, "handover": 31003}

#: JSON schema (draft-07) of an A1 "serve this model" policy instance. ``model.path``: the .onnx (or its
#: .card.json) - absolute, or relative to the xApp's model root; ``model.sha256``: hex sha256 of the .onnx, which
#: must equal the card's (the policy vouches for the bytes independently of the file next to them);
#: ``model.version``: a label for metrics (default: ``<task>-<sha256[:12]>``); ``task``: optional cross-check.
MODEL_POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "ranpilot model policy",
    "description": "Serve the named ONNX policy (checked by sha256) in the task's xApp; deleting it restores "
                   "the xApp's configured model.",
    "type": "object",
    "properties": {
        "task": {"type": "string", "enum": sorted(MODEL_POLICY_TYPE_IDS)},
        "model": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "minLength": 1, "maxLength": 4096},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "version": {"type": "string", "minLength": 1, "maxLength": 128},
            },
            "required": ["path", "sha256"],
            "additionalProperties": False,
        },
    },
    "required": ["model"],
    "additionalProperties": False,
}


def model_policy_type(task: str) -> dict[str, Any]:
    """The A1 policy type body (O-RAN SC A1 mediator form) to PUT for ``task``'s model policy."""
    return {"policy_type_id": MODEL_POLICY_TYPE_IDS[task], "name": f"ranpilot-{task}-model",
            "description": f"ONNX model served by the {task} xApp", "create_schema": MODEL_POLICY_SCHEMA}


@dataclass(frozen=True)
class ModelRef:
    path: str
    sha256: str | None = None
    version: str | None = None
    origin: str = "file"  # file | sdl | a1 | config


def model_ref_from_a1(payload: Any, task: str) -> ModelRef:
    """Validate an A1 model policy payload against :data:`MODEL_POLICY_SCHEMA`; ValueError says why not."""
    err = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(MODEL_POLICY_SCHEMA).iter_errors(payload))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        raise ValueError(f"model policy invalid at {where}: {err.message}")
    if payload.get("task", task) != task:
        raise ValueError(f"model policy is for task {payload['task']!r}, this xApp serves {task!r}")
    m = payload["model"]
    return ModelRef(m["path"], m["sha256"], m.get("version"), "a1")


@dataclass(frozen=True)
class SwapOutcome:
    ref: ModelRef
    ok: bool
    version: str | None = None
    reason: str = ""


class FileModelSource:
    """Follows a model path: yields a ref on the first poll and whenever the .onnx or its card changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._seen: tuple[Any, ...] | None = None

    def _stamp(self) -> tuple[Any, ...]:
        out = []
        for p in (self.path, card_path_for(self.path)):
            try:
                st = p.stat()
                out.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def poll(self) -> ModelRef | None:
        stamp = self._stamp()
        if stamp == self._seen:
            return None
        self._seen = stamp
        return ModelRef(str(self.path), origin="file")


class SdlModelSource:
    """Follows an SDL key (the xApp's namespace) holding ``{"path", "sha256", "version"?}`` as JSON."""

    def __init__(self, namespace: Any, key: str) -> None:
        self.namespace = namespace
        self.key = key
        self._seen: bytes | None = None

    def poll(self) -> ModelRef | None:
        try:
            raw = self.namespace.get(self.key)
        except SdlUnavailable:
            return None  # keep serving; the next poll tries again
        if raw is None or raw == self._seen:
            return None
        self._seen = raw
        try:
            data = json.loads(raw)
            return ModelRef(str(data["path"]), data.get("sha256"), data.get("version"), "sdl")
        except (ValueError, KeyError, TypeError):
            return ModelRef(f"<bad SDL value at {self.key}>", None, None, "sdl")


class ModelSwapper:
    """Loads refs in one worker thread and installs the good ones into ``runner`` (see the module docstring).

    ``model_root``: when set, every ref must resolve inside it (an A1 policy or SDL value cannot make the xApp
    read arbitrary files); relative paths are taken from it.
    """

    def __init__(self, runner: PolicyRunner, *, model_root: str | Path | None = None) -> None:
        self.runner = runner
        self.model_root = Path(model_root).resolve() if model_root is not None else None
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"model-{runner.name}")
        self._lock = threading.Lock()
        self._seq = 0
        self.last: SwapOutcome | None = None
        self.last_refusal: SwapOutcome | None = None
        self._m = {r: runner.metrics.swaps.labels(runner.name, r) for r in ("swapped", "refused")}

    def request(self, ref: ModelRef) -> concurrent.futures.Future[SwapOutcome]:
        """Load ``ref`` off the caller's thread; the future tells whether it was accepted (then it serves from
        the runner's next decision) or refused (the previous model keeps serving). The newest request wins."""
        with self._lock:
            self._seq += 1
            seq = self._seq
        return self._pool.submit(self._load_and_install, ref, seq)

    def poll(self, *sources: Any) -> concurrent.futures.Future[list[SwapOutcome]]:
        """Poll ``sources`` (I/O: stat, SDL) in the worker thread and load what changed."""
        def run() -> list[SwapOutcome]:
            out = []
            for src in sources:
                ref = src.poll()
                if ref is not None:
                    with self._lock:
                        self._seq += 1
                        seq = self._seq
                    out.append(self._load_and_install(ref, seq))
            return out
        return self._pool.submit(run)

    def withdraw(self, reason: str = "no_model") -> None:
        """Stop serving any model (the baseline serves, counted under ``reason``)."""
        with self._lock:
            self._seq += 1
        self.runner.set_model(None, reason=reason)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _resolve(self, ref: ModelRef) -> Path:
        p = Path(ref.path)
        if self.model_root is not None:
            p = (self.model_root / p).resolve() if not p.is_absolute() else p.resolve()
            if not p.is_relative_to(self.model_root):
                raise ModelRejected(ref.path, f"path is outside the model root {self.model_root}")
        return p

    def _load_and_install(self, ref: ModelRef, seq: int) -> SwapOutcome:
        runner = self.runner
        try:
            path = self._resolve(ref)
            policy = load_model(path, task=runner.task, feature_spec=runner.feature_spec,
                                action_spec=runner.action_spec, expected_sha256=ref.sha256)
        except ModelRejected as exc:
            outcome = SwapOutcome(ref, False, reason=exc.reason)
        except Exception as exc:  # anything else a broken file may provoke: refuse, never crash the xApp
            outcome = SwapOutcome(ref, False, reason=f"{type(exc).__name__}: {exc}")
        else:
            version = ref.version or f"{runner.task}-{policy.sha256[:12]}"
            with self._lock:
                newest = seq == self._seq
            if newest:
                runner.set_model(LoadedModel(policy, version, policy.sha256, f"{ref.origin}:{os.fspath(path)}"))
                outcome = SwapOutcome(ref, True, version)
            else:
                outcome = SwapOutcome(ref, False, reason="superseded by a newer model request")
        self.last = outcome
        if outcome.ok:
            self._m["swapped"].inc()
        else:
            self._m["refused"].inc()
            self.last_refusal = outcome
            log.warning("%s: model %s (%s) refused: %s", runner.name, ref.path, ref.origin, outcome.reason)
            if runner.model is None and runner._pending is None:
                runner.set_model(None, reason="model_rejected", detail=outcome.reason)
        return outcome
