"""Guardrails: what every per-cell action (learned *or* baseline) must pass before it reaches the RAN.

Guardrails work on *decoded* controls (the values an E2 control carries: sleep level, RRMPolicyRatio percentages,
CIO/hysteresis/TTT), not on the policy's [-1, 1] action, because the limits are stated in those units. Per
decision and per cell, in this order:

1. **bounds** - the task's :class:`~ranpilot.features.ActionSpec` clip (done by ``decode``) plus the configured
   sub-range and the 3GPP value sets (TS 38.331 Q-OffsetRange / hysteresis 0.5 dB steps / TimeToTrigger, TS 28.541
   RRMPolicyRatio semantics).
2. **rate limits** - at most ``max_step`` change per decision per column, a minimum ``min_dwell_s`` between two
   changes of one cell, and at most ``max_cells_changed`` cells changed in one decision (largest changes first).
   A change the task calls *safe* (energy: waking a cell) is exempt from all three.
3. **task safety** - energy, in this order: coverage (:func:`ranpilot.baselines.energy.coverage_guard`: at most
   ``max_sleep_fraction`` of cells asleep, every sleeper keeps ``min_awake_neighbours`` of its neighbours awake,
   cells already asleep keep priority), absorb
   (a cell may newly sleep only if its awake neighbours can carry its load), wake-on-overload (a sleeping cell
   whose awake neighbours are overloaded, or which has none, wakes now); slicing: URLLC minimum share and
   RRMPolicyRatio sums <= 100 (in bounds).
4. cells whose measurements are missing or stale are **held** at their current state (waking still allowed).

Every change a rule makes is recorded as an :class:`Intervention` (counted in Prometheus by the runner).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ranpilot.baselines.energy import coverage_guard
from ranpilot.features import CIO_VALUES_DB, SLICE_NAMES, TTT_VALUES_MS

__all__ = [
    "EnergyGuardConfig", "GuardResult", "Guardrails", "HandoverGuardConfig", "Intervention", "RateLimits",
    "SlicingGuardConfig", "default_guard_config", "make_guardrails",
]

@dataclass(frozen=True)
class RateLimits:
    """How fast one cell's controls may move. ``max_step``: per control column (in its unit; TTT in value-set
    positions; slicing columns by control, ``min_ratio``, or per slice, ``min_ratio_urllc``), absent = unlimited. ``min_dwell_s``: time between two changes of a cell. ``max_cells_changed``:
    per decision (None = unlimited)."""

    max_step: dict[str, float] = field(default_factory=dict)
    min_dwell_s: float = 0.0
    max_cells_changed: int | None = None


@dataclass(frozen=True)
class EnergyGuardConfig:
    """Energy (cell sleep) guardrails. Levels: 0 active, 1 micro, 2 light, 3 deep, 4 off (TR 38.864 states).

    Coverage: at most ``max_sleep_fraction`` of the cells asleep, and every sleeping cell keeps at least
    ``min_awake_neighbours`` of its neighbours (co-site sectors + first tier) awake, so its UEs always have awake
    cells around to hand over to and sleepers cannot cluster into a hole (1.0 would be "no two neighbours
    asleep", which with 12-15 neighbours per cell in a hexagonal layout lets only ~10 % of cells sleep, whatever
    the policy). Capacity: ``absorb_max_load``: a cell may sleep only if its load spread over its awake
    neighbours keeps their mean PRB usage (0..1) at or below it; ``wake_load``: a sleeping cell whose awake
    neighbours' mean PRB usage exceeds it is woken at once. ``max_level`` 3 (deep sleep, 50 ms wake-up): "off"
    needs ~2 s to wake, longer than a decision period, for a few W less. These are the values the committed
    models are benchmarked under (``ranpilot bench`` uses these same defaults), and the ``threshold`` baseline
    is tuned under them (training/tune_threshold.py).
    """

    max_level: int = 3
    max_sleep_fraction: float = 0.5
    min_awake_neighbours: float = 0.5
    absorb_max_load: float = 0.7
    wake_load: float = 0.8
    rate: RateLimits = field(default_factory=lambda: RateLimits({"level": 4.0}, min_dwell_s=3.0,
                                                               max_cells_changed=None))


@dataclass(frozen=True)
class SlicingGuardConfig:
    """Slicing guardrails on TS 28.541 RRMPolicyRatio (percent): dedicated <= min <= max <= 100 per slice, the
    sum of min ratios and the sum of dedicated ratios <= 100 per cell; URLLC keeps at least ``urllc_min_ratio``."""

    urllc_min_ratio: float = 10.0
    min_ratio_floor: float = 0.0  # every slice keeps at least this min ratio
    rate: RateLimits = field(default_factory=lambda: RateLimits({"min_ratio": 20.0}, min_dwell_s=0.0))


@dataclass(frozen=True)
class HandoverGuardConfig:
    """Handover guardrails: CIO in Q-OffsetRange within [cio_min_db, cio_max_db], hysteresis in 0.5 dB steps in
    [0, hysteresis_max_db] (TS 38.331 Hysteresis is 0..30 x 0.5 dB), TTT in the TimeToTrigger set within
    [ttt_min_ms, ttt_max_ms]; steps bounded by ``rate``."""

    cio_min_db: float = -6.0
    cio_max_db: float = 6.0
    hysteresis_max_db: float = 6.0
    ttt_min_ms: int = 40
    ttt_max_ms: int = 1024
    rate: RateLimits = field(default_factory=lambda: RateLimits(
        {"cio_db": 2.0, "hysteresis_db": 1.0, "ttt_ms": 2.0}, min_dwell_s=5.0))


GuardConfig = EnergyGuardConfig | SlicingGuardConfig | HandoverGuardConfig


def default_guard_config(task: str) -> GuardConfig:
    return {"energy": EnergyGuardConfig, "slicing": SlicingGuardConfig, "handover": HandoverGuardConfig}[task]()


@dataclass(frozen=True)
class Intervention:
    """One guardrail change: which rule, which cell, the control values before and after."""

    rule: str
    cell: str
    before: dict[str, float]
    after: dict[str, float]


@dataclass
class GuardResult:
    controls: dict[str, np.ndarray]  # guarded decoded controls, per cell
    changed: np.ndarray  # (C,) bool: differs from the cell's current state (or the state is unknown)
    interventions: list[Intervention]
    unknown: np.ndarray | None = None  # (C,) bool: never-seen cells held for missing inputs (nothing to send)
    previous: dict[str, np.ndarray] | None = None  # the cells' state before this decision (NaN: not known)


def _snap(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    return values[np.abs(np.asarray(x, np.float64)[..., None] - values).argmin(axis=-1)]


class Guardrails:
    """Stateful guardrails of one task: remembers each cell's current controls and when they last changed.

    ``apply`` is pure with respect to that state; :meth:`commit` records what was actually decided (the runner
    calls it), :meth:`forget` drops cells whose control failed so their state is re-learnt.
    """

    task: str = ""
    columns: tuple[str, ...] = ()

    def __init__(self, config: GuardConfig) -> None:
        self.config = config
        self.state: dict[str, np.ndarray] = {}  # cell -> current control row (columns order)
        self.changed_at: dict[str, float] = {}

    # -- task hooks ------------------------------------------------------------------------------------------
    def to_matrix(self, controls: dict[str, np.ndarray]) -> np.ndarray:
        return np.stack([np.asarray(controls[c], np.float64) for c in self.columns], axis=-1)

    def to_controls(self, m: np.ndarray) -> dict[str, np.ndarray]:
        return {c: m[:, i] for i, c in enumerate(self.columns)}

    def bounds(self, m: np.ndarray) -> np.ndarray:
        return m

    def safe_change(self, prev: np.ndarray, new: np.ndarray) -> np.ndarray:
        """(C,) bool: changes that are always allowed (never rate-limited or held)."""
        return np.zeros(prev.shape[0], dtype=bool)

    def safety(self, m: np.ndarray, prev: np.ndarray, known: np.ndarray, inputs: dict[str, np.ndarray],
               neighbours: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Task safety rules: returns [(rule, new matrix)] applied in order (each may change ``m``)."""
        return []

    def step_columns(self, m: np.ndarray) -> np.ndarray:
        """The matrix in the units ``max_step`` is stated in (identity except TTT: value-set positions)."""
        return m

    def from_step_columns(self, m: np.ndarray) -> np.ndarray:
        return m

    # -- the pipeline ----------------------------------------------------------------------------------------
    def apply(self, cells: Sequence[str], controls: dict[str, np.ndarray], now: float, *,
              inputs: dict[str, np.ndarray] | None = None, neighbours: np.ndarray | None = None,
              hold: np.ndarray | None = None) -> GuardResult:
        """Guard decoded ``controls`` of ``cells`` at time ``now``. ``inputs``: per-cell raw measurements the
        safety rules need (energy: ``load`` 0..1); ``hold``: (C,) cells whose inputs are missing/stale."""
        n = len(cells)
        inputs = inputs or {}
        nb = np.zeros((n, n), dtype=bool) if neighbours is None else np.asarray(neighbours, dtype=bool)
        hold = np.zeros(n, dtype=bool) if hold is None else np.asarray(hold, dtype=bool)
        interventions: list[Intervention] = []
        m = self.to_matrix(controls).reshape(n, len(self.columns)).copy()
        known = np.array([c in self.state for c in cells], dtype=bool)
        prev = (np.stack([self.state[c] if c in self.state else self.initial(i, inputs) for i, c in enumerate(cells)])
                if n else m.copy())
        rules = self.config.rate

        def record(rule: str, before: np.ndarray, after: np.ndarray) -> None:
            diff = np.flatnonzero(np.any(np.abs(before - after) > 1e-9, axis=1))
            for i in diff:
                interventions.append(Intervention(rule, cells[i], self._row(before[i]), self._row(after[i])))

        new = self.bounds(m)
        record("bounds", m, new)
        m = new
        # rate limit: bounded step towards the target (in step units), then back to the value set
        if rules.max_step and n:
            s_prev, s_new = self.step_columns(prev), self.step_columns(m)
            lim = np.array([self._limit(rules.max_step, c) for c in self.columns])
            stepped = self.bounds(self.from_step_columns(s_prev + np.clip(s_new - s_prev, -lim, lim)))
            stepped = np.where((known & ~self.safe_change(prev, m))[:, None], stepped, m)
            record("max_step", m, stepped)
            m = stepped
        changing = known & np.any(np.abs(m - prev) > 1e-9, axis=1)
        safe = self.safe_change(prev, m)
        # hold: no fresh measurements -> no change (except safe ones)
        blocked = changing & hold & ~safe
        if blocked.any():
            new = np.where(blocked[:, None], prev, m)
            record("hold_stale", m, new)
            m = new
            changing &= ~blocked
        # dwell: a cell changed less than min_dwell_s ago keeps its state
        if rules.min_dwell_s > 0:
            recent = np.array([now - self.changed_at.get(c, -np.inf) < rules.min_dwell_s for c in cells], bool)
            blocked = changing & recent & ~safe
            if blocked.any():
                new = np.where(blocked[:, None], prev, m)
                record("min_dwell", m, new)
                m = new
                changing &= ~blocked
        # at most max_cells_changed cells per decision (largest relative change first; safe changes free)
        if rules.max_cells_changed is not None:
            limited = np.flatnonzero(changing & ~safe)
            if limited.size > rules.max_cells_changed:
                mag = np.abs(self.step_columns(m) - self.step_columns(prev))[limited].sum(axis=1)
                drop = limited[np.argsort(-mag, kind="stable")[rules.max_cells_changed:]]
                new = m.copy()
                new[drop] = prev[drop]
                record("max_cells_changed", m, new)
                m = new
        for rule, new in self.safety(m, prev, known, inputs, nb):
            record(rule, m, new)
            m = new
        # a never-seen cell without fresh inputs gets nothing (its current state is not known, so not even held)
        unknown = ~known & hold
        if unknown.any():
            new = np.where(unknown[:, None], prev, m)
            record("hold_stale", m, new)
            m = new
        changed = (~known | np.any(np.abs(m - prev) > 1e-9, axis=1)) & ~unknown
        before = np.where(known[:, None], prev, np.nan)
        return GuardResult(self.to_controls(m), changed, interventions, unknown, self.to_controls(before))

    def commit(self, cells: Sequence[str], result: GuardResult, now: float) -> None:
        """Record the guarded controls as the cells' current state."""
        m = self.to_matrix(result.controls)
        for i, c in enumerate(cells):
            if result.unknown is not None and result.unknown[i]:
                continue
            if result.changed[i] and c in self.state:
                self.changed_at[c] = now
            elif c not in self.state:
                self.changed_at.setdefault(c, -np.inf)
            self.state[c] = m[i].copy()

    def forget(self, cells: Sequence[str]) -> None:
        """Drop what is known of ``cells`` (their control failed: the RAN state is unknown again)."""
        for c in cells:
            self.state.pop(c, None)

    def inputs(self, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The raw per-cell measurements the safety rules need, from ``FeatureSpec.build``-style arrays."""
        return {}

    def initial(self, i: int, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """The state assumed for a cell seen for the first time (used as 'previous' only)."""
        return np.zeros(len(self.columns))

    @staticmethod
    def _limit(max_step: dict[str, float], column: str) -> float:
        """A column's step limit: by its own name (``min_ratio_urllc``), else by its control (``min_ratio``)."""
        if column in max_step:
            return float(max_step[column])
        group = column.rsplit("_", 1)[0]
        return float(max_step.get(group, np.inf))

    def _row(self, r: np.ndarray) -> dict[str, float]:
        return {c: float(v) for c, v in zip(self.columns, r, strict=True)}


class EnergyGuardrails(Guardrails):
    task = "energy"
    columns = ("level",)
    config: EnergyGuardConfig

    def bounds(self, m: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(m), 0, self.config.max_level)

    def inputs(self, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = {}
        if "RRU.PrbTotDl" in arrays:  # TS 28.552 5.1.1.2.1 DL total PRB usage, percent
            out["load"] = np.asarray(arrays["RRU.PrbTotDl"], np.float64) / 100.0
        if "E2SIM.CellState" in arrays:
            out["cell_state"] = np.asarray(arrays["E2SIM.CellState"], np.float64)
        return out

    def initial(self, i: int, inputs: dict[str, np.ndarray]) -> np.ndarray:
        state = inputs.get("cell_state")  # E2SIM.CellState as measured (a node's own report), else active
        v = 0.0 if state is None or not np.isfinite(state[i]) else float(np.rint(state[i]))
        return np.array([v])

    def safe_change(self, prev: np.ndarray, new: np.ndarray) -> np.ndarray:
        return new[:, 0] < prev[:, 0]  # waking (towards active) is always allowed

    def safety(self, m: np.ndarray, prev: np.ndarray, known: np.ndarray, inputs: dict[str, np.ndarray],
               neighbours: np.ndarray) -> list[tuple[str, np.ndarray]]:
        cfg = self.config
        n = m.shape[0]
        out: list[tuple[str, np.ndarray]] = []
        load = np.nan_to_num(np.asarray(inputs.get("load", np.zeros(n)), np.float64), nan=1.0)
        asleep_now = prev[:, 0] > 0
        # coverage: the shared guard (cap on sleeping cells, awake share of each sleeper's neighbours; sleepers
        # keep priority)
        levels = coverage_guard(m[:, 0].astype(np.int64), load, neighbours, asleep_now, cfg.max_sleep_fraction,
                                min_awake_neighbours=cfg.min_awake_neighbours)
        new = m.copy()
        new[:, 0] = levels
        out.append(("coverage", new))
        m = new

        def awake_neighbour_load(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            nb_awake = neighbours & (m[:, 0] == 0)[None, :]
            return nb_awake.sum(axis=1), (nb_awake * load[None, :]).sum(axis=1)

        # absorb: a cell going to sleep must leave its load to awake neighbours that can carry it
        cnt, total = awake_neighbour_load(m)
        absorbed = np.where(cnt > 0, (total + load) / np.maximum(cnt, 1), np.inf)
        refuse = (m[:, 0] > 0) & ~asleep_now & (absorbed > cfg.absorb_max_load)
        if refuse.any():
            new = m.copy()
            new[refuse, 0] = 0
            out.append(("coverage_absorb", new))
            m = new
        # wake on overload: the awake neighbours of a sleeping cell carry too much (or none is awake)
        cnt, total = awake_neighbour_load(m)
        nb_load = np.where(cnt > 0, total / np.maximum(cnt, 1), np.inf)
        wake = (m[:, 0] > 0) & (nb_load > cfg.wake_load)
        if wake.any():
            new = m.copy()
            new[wake, 0] = 0
            out.append(("wake_overload", new))
        return out


class SlicingGuardrails(Guardrails):
    task = "slicing"
    columns = tuple(f"{k}_{s}" for k in ("min_ratio", "max_ratio", "dedicated_ratio") for s in SLICE_NAMES)
    config: SlicingGuardConfig
    _urllc = SLICE_NAMES.index("urllc")

    def to_matrix(self, controls: dict[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.asarray(controls[k], np.float64).reshape(-1, len(SLICE_NAMES))
                               for k in ("min_ratio", "max_ratio", "dedicated_ratio")], axis=1)

    def to_controls(self, m: np.ndarray) -> dict[str, np.ndarray]:
        k = len(SLICE_NAMES)
        return {"min_ratio": m[:, :k], "max_ratio": m[:, k:2 * k], "dedicated_ratio": m[:, 2 * k:]}

    def bounds(self, m: np.ndarray) -> np.ndarray:
        """TS 28.541 5.3.x RRMPolicyRatio: whole percent, 0 <= dedicated <= min <= max <= 100, sum(min) <= 100,
        sum(dedicated) <= 100; URLLC min >= floor (others shrink proportionally to make room)."""
        k = len(SLICE_NAMES)
        cfg = self.config
        m = np.clip(np.floor(np.nan_to_num(m, nan=0.0)), 0.0, 100.0)
        mn, mx, ded = m[:, :k].copy(), m[:, k:2 * k].copy(), m[:, 2 * k:].copy()
        floor = np.full(k, cfg.min_ratio_floor)
        floor[self._urllc] = max(cfg.urllc_min_ratio, cfg.min_ratio_floor)
        mn = np.maximum(mn, floor)
        over = mn.sum(axis=1) - 100.0
        for i in np.flatnonzero(over > 0):  # shrink the slices above their floor, proportionally to the excess
            slack = mn[i] - floor
            mn[i] = np.floor(mn[i] - slack * min(1.0, over[i] / max(slack.sum(), 1e-9)))
        mx = np.maximum(mx, mn)
        ded = np.minimum(ded, mn)
        return np.concatenate([mn, mx, ded], axis=1)


class HandoverGuardrails(Guardrails):
    task = "handover"
    columns = ("cio_db", "hysteresis_db", "ttt_ms")
    config: HandoverGuardConfig

    def _cio_values(self) -> np.ndarray:
        v = np.asarray(CIO_VALUES_DB, np.float64)
        return v[(v >= self.config.cio_min_db) & (v <= self.config.cio_max_db)]

    def _ttt_values(self) -> np.ndarray:
        v = np.asarray(TTT_VALUES_MS, np.float64)
        return v[(v >= self.config.ttt_min_ms) & (v <= self.config.ttt_max_ms)]

    def bounds(self, m: np.ndarray) -> np.ndarray:
        out = np.nan_to_num(m.copy(), nan=0.0)
        out[:, 0] = _snap(out[:, 0], self._cio_values())
        out[:, 1] = np.clip(np.rint(out[:, 1] * 2.0) / 2.0, 0.0, self.config.hysteresis_max_db)
        out[:, 2] = _snap(out[:, 2], self._ttt_values())
        return out

    def initial(self, i: int, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return np.array([0.0, 0.0, float(self._ttt_values()[0])])

    def step_columns(self, m: np.ndarray) -> np.ndarray:
        out = m.copy()
        out[:, 2] = np.abs(m[:, 2][:, None] - np.asarray(TTT_VALUES_MS, np.float64)).argmin(axis=1)
        return out

    def from_step_columns(self, m: np.ndarray) -> np.ndarray:
        out = m.copy()
        idx = np.clip(np.rint(m[:, 2]), 0, len(TTT_VALUES_MS) - 1).astype(np.int64)
        out[:, 2] = np.asarray(TTT_VALUES_MS, np.float64)[idx]
        return out


def make_guardrails(task: str, config: GuardConfig | None = None) -> Guardrails:
    """The guardrails of ``task`` with ``config`` (default: the task's documented defaults)."""
    cls = {"energy": EnergyGuardrails, "slicing": SlicingGuardrails, "handover": HandoverGuardrails}[task]
    cfg = config if config is not None else default_guard_config(task)
    return cls(cfg)
