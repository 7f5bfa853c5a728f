"""PolicyRunner: one decision = per-cell measurements -> features -> ONNX (or baseline) -> guardrails.

Sans-I/O: the caller passes the measurements, the neighbour relation and ``now``; the runner touches no network
and no clock (it reads ``time.perf_counter`` only to time itself). It serves the active model with cells as the
batch dimension and falls back to the task's baseline for the whole decision when the model cannot be trusted
for it:

========================== ========================================================================
reason                     when
========================== ========================================================================
``no_model``               no model configured (or it was withdrawn)
``model_rejected``         the configured model was refused at load (sha256, spec, corrupt file)
``incomplete_measurements`` a cell lacks a measurement the feature spec needs (NaN / missing)
``stale_measurements``     a cell's newest values are older than ``max_age_s``
``inference_error``        onnxruntime raised
``nonfinite_output``       the model returned NaN or infinity
``out_of_space``           the output is not (cells, A) or lies outside the ActionSpec bounds
========================== ========================================================================

Each fallback is counted per reason (``ranpilot_policy_fallbacks``) and logged once when the cause changes, not
per decision. Guardrails (:mod:`ric.policy.guardrails`) apply to model and baseline actions alike. A new model
is installed with :meth:`PolicyRunner.set_model` (or handed over by :class:`ric.policy.source.ModelSwapper`)
and takes effect at the next decision: decisions never see half a swap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ranpilot.baselines.policies import make_baseline
from ranpilot.features import FeatureHistory, action_spec, feature_spec
from ric.policy.guardrails import GuardConfig, Intervention, make_guardrails
from ric.policy.measurements import Snapshot
from ric.policy.metrics import PolicyMetrics, policy_metrics

__all__ = ["Decision", "LoadedModel", "PolicyRunner", "RunnerConfig"]

log = logging.getLogger("ric.policy")

# Fallbacks are the safest baseline of each task, not the best-performing one: for slicing the TS 28.541 hard
# split (`static`) keeps URLLC within its SLA where demand-following `proportional` does not (benchmark).
DEFAULT_BASELINE = {"energy": "threshold", "slicing": "static", "handover": "set1"}


@dataclass(frozen=True)
class RunnerConfig:
    """Typed configuration of one runner (passed in; nothing read from the environment).

    ``baseline``: the task's fallback (``ranpilot.baselines.policies.BASELINES``), default per task above;
    ``guard``: the task's guardrail config (None: documented defaults); ``max_age_s``: measurements older than
    this make a decision fall back (None: never stale); ``action_tolerance``: how far outside the ActionSpec
    bounds an output may lie before it counts as out of space (float rounding of tanh/clip heads).
    """

    baseline: str | None = None
    baseline_params: dict[str, Any] | None = None
    guard: GuardConfig | None = None
    max_age_s: float | None = None
    action_tolerance: float = 1e-3


@dataclass(frozen=True)
class LoadedModel:
    """A validated model ready to serve: the policy (``act(obs) -> action``), its version and where it came from."""

    policy: Any
    version: str
    sha256: str = ""
    origin: str = ""


@dataclass
class Decision:
    """The outcome of one decision over ``cells``.

    ``action``: the policy's raw output (ActionSpec space, before guardrails); ``controls``: the guarded,
    decoded per-cell controls (``ActionSpec.decode`` keys, e.g. ``level`` for energy) - the values to send;
    ``changed``: cells whose controls differ from their current state; ``reasons``: fallback causes (empty when
    the model served); ``interventions``: what the guardrails changed.
    """

    time: float
    cells: list[str]
    source: str
    reasons: list[str]
    action: np.ndarray
    controls: dict[str, np.ndarray]
    changed: np.ndarray
    interventions: list[Intervention] = field(default_factory=list)
    model_version: str | None = None
    inference_s: float = 0.0
    detail: str = ""
    previous: dict[str, np.ndarray] = field(default_factory=dict)  # controls before this decision (NaN: unknown)

    def controls_of(self, index: Sequence[int] | np.ndarray, *, previous: bool = False) -> dict[str, np.ndarray]:
        """The controls (or, with ``previous``, the state before) of a subset of cells, by position in ``cells``."""
        idx = np.asarray(index, dtype=np.int64)
        return {k: np.asarray(v)[idx] for k, v in (self.previous if previous else self.controls).items()}

    def interventions_by_rule(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for iv in self.interventions:
            out.setdefault(iv.rule, []).append(iv.cell)
        return out


class PolicyRunner:
    """Serves one task's policy with fallback and guardrails (see the module docstring)."""

    def __init__(self, task: str, config: RunnerConfig | None = None, *, metrics: PolicyMetrics | None = None,
                 name: str = "policy", on_swap: Callable[[LoadedModel | None], None] | None = None) -> None:
        self.task = task
        self.config = config or RunnerConfig()
        self.name = name
        self.feature_spec = feature_spec(task)
        self.action_spec = action_spec(task)
        self.baseline_name = self.config.baseline or DEFAULT_BASELINE[task]
        self.baseline = make_baseline(task, self.baseline_name, self.config.baseline_params)
        self.guard = make_guardrails(task, self.config.guard)
        # windowed features (e.g. energy-v2's 5-period PRB history) are kept here, from this runner's own KPM
        # snapshots, one push per decision - the same FeatureHistory the training env and the benchmark use
        self.history = FeatureHistory(self.feature_spec) if self.feature_spec.stateful else None
        self._history_cells: list[str] | None = None
        self.metrics = metrics or policy_metrics(None)
        self.on_swap = on_swap
        self.model: LoadedModel | None = None
        self.unavailable: str = "no_model"  # why there is no model: no_model | model_rejected
        self.unavailable_detail = ""
        self._pending: tuple[LoadedModel | None, str, str] | None = None
        self._pending_lock = threading.Lock()
        self._baseline_cells: list[str] | None = None
        self._cause: tuple[str, ...] | None = None
        self.decisions = 0
        m = self.metrics
        self._m_src = {s: m.decisions.labels(name, s) for s in ("model", "baseline")}
        self._m_inf = m.inference.labels(name)
        self._m_dec = m.decision.labels(name)

    # -- model management (any thread) -----------------------------------------------------------------------
    def set_model(self, model: LoadedModel | None, *, reason: str = "no_model", detail: str = "") -> None:
        """Install ``model`` (None: serve the baseline for ``reason``) from the next decision on. Thread-safe:
        a loader thread may call it while a decision runs; the decision finishes with the model it started with."""
        with self._pending_lock:
            self._pending = (model, reason, detail)

    def _apply_pending(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return
        model, reason, detail = pending
        self.model = model
        self.unavailable, self.unavailable_detail = (("", "") if model is not None else (reason, detail))
        if model is not None:
            log.info("%s: serving model %s (%s)", self.name, model.version, model.origin)
        if self.on_swap is not None:
            self.on_swap(model)

    @property
    def version(self) -> str:
        return self.model.version if self.model is not None else f"baseline:{self.baseline_name}"

    # -- decisions -------------------------------------------------------------------------------------------
    def decide_snapshot(self, snapshot: Snapshot, neighbours: np.ndarray | None, now: float) -> Decision:
        """A decision from a :class:`~ric.policy.measurements.CellTable` snapshot."""
        incomplete = np.array([c in snapshot.missing for c in snapshot.cells], bool)
        stale = np.array([c in snapshot.stale for c in snapshot.cells], bool)
        detail = ""
        if incomplete.any():
            c = snapshot.cells[int(np.flatnonzero(incomplete)[0])]
            detail = f"{int(incomplete.sum())} cell(s) incomplete, e.g. {c} lacks {snapshot.missing[c][:3]}"
        elif stale.any():
            c = snapshot.cells[int(np.flatnonzero(stale)[0])]
            detail = f"{int(stale.sum())} cell(s) stale, e.g. {c} {snapshot.stale[c]:.1f} s old"
        return self.decide(snapshot.arrays, snapshot.cells, neighbours, now, incomplete=incomplete, stale=stale,
                           detail=detail)

    def decide(self, per_cell: Mapping[str, np.ndarray], cells: Sequence[str], neighbours: np.ndarray | None,
               now: float, *, incomplete: np.ndarray | None = None, stale: np.ndarray | None = None,
               detail: str = "") -> Decision:
        """One decision. ``per_cell``: KPM-named arrays (``FeatureSpec.build`` convention) over ``cells``;
        NaN marks a missing value (the cell then counts as incomplete). ``neighbours``: (C, C) bool."""
        t0 = time.perf_counter()
        self._apply_pending()
        cells = list(cells)
        n = len(cells)
        arrays = {k: np.asarray(v, dtype=np.float64) for k, v in per_cell.items()}
        incomplete = (np.zeros(n, bool) if incomplete is None else np.asarray(incomplete, bool)).copy()
        for name in self.feature_spec.measurements:
            a = arrays.get(name)
            if a is None:
                incomplete[:] = True
                detail = detail or f"measurement {name} missing for every cell"
            else:
                bad = ~np.isfinite(a.reshape(n, -1)).all(axis=1)
                if bad.any() and not detail:
                    detail = f"{int(bad.sum())} cell(s) lack a value of {name}"
                incomplete |= bad
        stale = np.zeros(n, bool) if stale is None else np.asarray(stale, bool)
        filled = {}  # what the spec reads, missing values as 0 (the decision falls back anyway)
        for name in self.feature_spec.measurements:
            a = arrays.get(name)
            filled[name] = (np.where(np.isnan(a), 0.0, a) if a is not None else
                            np.zeros(n) if not name.endswith(".SNSSAI") else np.zeros((n, 3)))
        if self.history is not None and self._history_cells != cells:  # a changed cell list: start afresh
            self.history.reset()
            self._history_cells = list(cells)
        obs = self.feature_spec.build(filled, neighbours if neighbours is not None else np.zeros((n, n), bool),
                                      history=self.history)

        reasons: list[str] = []
        model = self.model
        action: np.ndarray | None = None
        inference_s = 0.0
        if model is None:
            reasons.append(self.unavailable or "no_model")
            detail = detail if incomplete.any() or stale.any() else self.unavailable_detail
        if incomplete.any():
            reasons.append("incomplete_measurements")
        if stale.any():
            reasons.append("stale_measurements")
        if model is not None and not reasons:
            action, reason, why, inference_s = self._infer(model, obs)
            if reason:
                reasons.append(reason)
                detail = why
        source = "model" if not reasons else "baseline"
        if action is None:
            action = self._baseline(obs, cells)
        decoded = self.action_spec.decode(action)
        result = self.guard.apply(cells, decoded, now, inputs=self.guard.inputs(arrays), neighbours=neighbours,
                                  hold=incomplete | stale)
        self.guard.commit(cells, result, now)
        self.decisions += 1
        self._m_src[source].inc()
        for r in reasons:
            self.metrics.fallbacks.labels(self.name, r).inc()
        for iv_rule, iv_cells in _count(result.interventions).items():
            self.metrics.interventions.labels(self.name, iv_rule).inc(iv_cells)
        self._log_cause(tuple(reasons), detail)
        self._m_dec.observe(time.perf_counter() - t0)
        return Decision(now, cells, source, reasons, np.asarray(action, np.float32), result.controls,
                        result.changed, result.interventions, model.version if model is not None else None,
                        inference_s, detail, result.previous or {})

    def _infer(self, model: LoadedModel, obs: np.ndarray) -> tuple[np.ndarray | None, str, str, float]:
        t0 = time.perf_counter()
        try:
            out = np.asarray(model.policy.act(obs))
        except Exception as exc:  # onnxruntime raises several unrelated types
            return None, "inference_error", f"{type(exc).__name__}: {str(exc)[:200]}", time.perf_counter() - t0
        dt = time.perf_counter() - t0
        self._m_inf.observe(dt)
        spec, tol = self.action_spec, self.config.action_tolerance
        if out.shape != (obs.shape[0], spec.size):
            return None, "out_of_space", f"output shape {out.shape}, expected ({obs.shape[0]}, {spec.size})", dt
        if not np.all(np.isfinite(out)):
            return None, "nonfinite_output", f"{int((~np.isfinite(out)).sum())} NaN/inf value(s)", dt
        if out.size and (out.min() < spec.low - tol or out.max() > spec.high + tol):
            return None, "out_of_space", (f"output range [{out.min():.3g}, {out.max():.3g}] outside "
                                          f"[{spec.low}, {spec.high}]"), dt
        return out, "", "", dt

    def _baseline(self, obs: np.ndarray, cells: list[str]) -> np.ndarray:
        if self._baseline_cells != cells:  # stateful baselines keep per-cell state in cell order
            self.baseline.reset()
            self._baseline_cells = list(cells)
        return np.asarray(self.baseline.act(obs), np.float32)

    def _log_cause(self, cause: tuple[str, ...], detail: str) -> None:
        if cause == self._cause:
            return
        if cause:
            log.warning("%s: serving baseline %s (%s)%s", self.name, self.baseline_name, ", ".join(cause),
                        f": {detail}" if detail else "")
        elif self._cause is not None:
            log.info("%s: model %s serving again", self.name, self.version)
        self._cause = cause

    def mark_failed(self, cells: Sequence[str]) -> None:
        """The controls of ``cells`` failed: their RAN state is unknown again (re-learnt next decision)."""
        self.guard.forget(cells)


def _count(interventions: list[Intervention]) -> dict[str, int]:
    out: dict[str, int] = {}
    for iv in interventions:
        out[iv.rule] = out.get(iv.rule, 0) + 1
    return out
