"""Energy-saving baselines: per-cell sleep decisions from per-cell load, pure numpy (xApp fallback too).

``threshold`` follows the TS 28.541 energy-saving policy form (EnergySavingProperties: a load threshold that
must hold for a time duration): a cell whose PRB load has stayed below ``sleep_load`` for ``dwell_steps``
decision periods is put to sleep; a sleeping cell wakes when the load it would take over (the load seen by its
neighbours, which carry its UEs while it sleeps) has stayed above ``wake_load`` for ``dwell_steps``.
``wake_load > sleep_load`` is the hysteresis; the dwell is also a minimum time in each state, so a cell never
flaps faster than the power model's transition time can pay back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ACTIVE = 0


def always_on(n_cells: int, sleep_level: int = ACTIVE) -> np.ndarray:
    """Every cell active (sleep level 0): the energy reference point."""
    return np.full(n_cells, sleep_level, dtype=np.int64)


@dataclass
class ThresholdParams:
    """Tuned by ``training/tune_threshold.py`` on training scenarios; values live in training/configs."""

    sleep_load: float = 0.15  # PRB utilisation (0..1) below which a cell is a sleep candidate
    wake_load: float = 0.55  # neighbour PRB utilisation (0..1) above which a sleeping cell wakes
    dwell_steps: int = 3  # decision periods the condition must hold (and minimum time in a state)
    sleep_level: int = 1  # the sleep state used (index into the action's sleep levels)
    max_sleep_fraction: float = 0.67  # never sleep more than this share of cells (coverage guard)


class ThresholdSleep:
    """Stateful load-threshold sleep with hysteresis and minimum dwell, one state per cell."""

    def __init__(self, params: ThresholdParams | None = None) -> None:
        self.params = params or ThresholdParams()
        self._asleep: np.ndarray | None = None
        self._count: np.ndarray | None = None
        self._dwell: np.ndarray | None = None

    def reset(self, n_cells: int) -> None:
        self._asleep = np.zeros(n_cells, dtype=bool)
        self._count = np.zeros(n_cells, dtype=np.int64)
        self._dwell = np.full(n_cells, self.params.dwell_steps, dtype=np.int64)

    def __call__(self, load: np.ndarray, neighbour_load: np.ndarray) -> np.ndarray:
        """One decision: ``load`` = own PRB utilisation, ``neighbour_load`` = mean of the neighbours' (0..1)."""
        p = self.params
        load = np.asarray(load, dtype=np.float64)
        neighbour_load = np.asarray(neighbour_load, dtype=np.float64)
        if self._asleep is None or self._asleep.shape != load.shape:
            self.reset(load.shape[0])
        asleep, count, dwell = self._asleep, self._count, self._dwell
        assert asleep is not None and count is not None and dwell is not None
        dwell += 1
        want_change = np.where(asleep, neighbour_load > p.wake_load, (load < p.sleep_load)
                               & (neighbour_load < p.wake_load))
        count[:] = np.where(want_change, count + 1, 0)
        flip = (count >= p.dwell_steps) & (dwell >= p.dwell_steps)
        # coverage guard: wake-ups always allowed; new sleepers only while under the cap (least loaded first)
        to_sleep = np.flatnonzero(flip & ~asleep)
        room = int(np.floor(p.max_sleep_fraction * load.shape[0])) - int(asleep.sum())
        if to_sleep.size > max(room, 0):
            keep = to_sleep[np.argsort(load[to_sleep], kind="stable")[: max(room, 0)]]
            flip[to_sleep] = False
            flip[keep] = True
        asleep ^= flip
        count[flip] = 0
        dwell[flip] = 0
        return np.where(asleep, p.sleep_level, ACTIVE).astype(np.int64)


def coverage_guard(levels: np.ndarray, load: np.ndarray, neighbours: np.ndarray, asleep_now: np.ndarray,
                   max_fraction: float = 0.5, min_awake_neighbours: float = 0.0) -> np.ndarray:
    """Coverage guardrail for sleep decisions of one set of cells (an E2 node set / one simulator instance).

    Two limits, so that a sleeping cell's UEs always have awake cells around to hand over to (TR 38.864 6.x
    network energy saving must keep coverage; the layout-level form of "no coverage hole"):
    - at most ``max_fraction`` of the cells sleep (network-wide capacity reserve);
    - every sleeping cell keeps at least ``min_awake_neighbours`` (0..1) of its neighbours awake, checked for
      the cell itself and for its already-sleeping neighbours (1.0 = no two neighbours asleep; 0 = off). A
      local rule, unlike the cap: the sleepers are spread out instead of clustering into a hole.
    Cells already asleep keep priority (no flapping), then the least loaded. Requests that break a limit are
    turned into "stay active" (level 0). ``levels`` (C,) int requested, ``load`` (C,) PRB usage, ``neighbours``
    (C, C) bool, ``asleep_now`` (C,) bool.
    """
    levels = np.asarray(levels).copy()
    want = np.flatnonzero(levels > 0)
    if want.size == 0:
        return levels
    nb = np.asarray(neighbours, dtype=bool)
    degree = nb.sum(axis=1)
    order = want[np.lexsort((np.asarray(load)[want], ~np.asarray(asleep_now, bool)[want]))]
    cap = int(np.floor(max_fraction * levels.shape[0]))
    taken = np.zeros(levels.shape[0], dtype=bool)
    asleep_nb = np.zeros(levels.shape[0], dtype=np.int64)  # per cell: how many of its neighbours are taken

    def keeps_awake(cells: np.ndarray, extra: int) -> bool:
        need = min_awake_neighbours * degree[cells]
        return bool(np.all(degree[cells] - asleep_nb[cells] - extra >= need - 1e-9))

    for c in order:
        if taken.sum() >= cap:
            break
        if min_awake_neighbours > 0 and not (keeps_awake(np.array([c]), 0)
                                             and keeps_awake(np.flatnonzero(nb[c] & taken), 1)):
            continue
        taken[c] = True
        asleep_nb += nb[:, c]
    levels[(levels > 0) & ~taken] = 0
    return levels
