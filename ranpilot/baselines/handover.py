"""Handover baselines: per-cell A3 parameters (offset, time-to-trigger, CIO), pure numpy.

``set1`` and ``set5`` are the 3GPP mobility-robustness reference parameter sets (TR 36.839 Table 5.1-1 family:
set 1 = TTT 480 ms / A3 offset 3 dB, set 5 = TTT 40 ms / offset -1 dB). ``mro`` is rule-based mobility robustness
optimisation (TS 32.500 / 28.313 MRO intent): per cell, too many radio-link failures (handing over too late)
raise the cell's CIO towards its neighbours by a step, too many ping-pongs (too early) lower it, inside bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class A3Setting:
    """A 3GPP reference parameter set: A3 offset (dB) and time-to-trigger (ms), plus a CIO towards neighbours.

    Event A3 enters when Mn + CIO > Mp + Hys + Off (TS 38.331 5.5.4.4). The simulator's knobs are Hys >= 0 and
    CIO, so the A3 offset is carried as hysteresis when positive and as an equal CIO bias when negative: the
    entering condition (the one that decides when a handover fires) is the same.
    """

    offset_db: float
    ttt_ms: int
    cio_db: float = 0.0

    def controls(self, n_cells: int) -> dict[str, np.ndarray]:
        hyst = max(self.offset_db, 0.0)
        cio = self.cio_db + max(-self.offset_db, 0.0)
        return {"cio_db": np.full(n_cells, cio), "hysteresis_db": np.full(n_cells, hyst),
                "ttt_ms": np.full(n_cells, self.ttt_ms, dtype=np.int64)}


SET1 = A3Setting(offset_db=3.0, ttt_ms=480)
SET5 = A3Setting(offset_db=-1.0, ttt_ms=40)


def set1(n_cells: int) -> dict[str, np.ndarray]:
    """Reference set 1: TTT 480 ms, A3 offset 3 dB."""
    return SET1.controls(n_cells)


def set5(n_cells: int) -> dict[str, np.ndarray]:
    """Reference set 5: TTT 40 ms, A3 offset -1 dB."""
    return SET5.controls(n_cells)


@dataclass
class MroParams:
    base: A3Setting = SET1
    step_db: float = 1.0
    cio_min_db: float = -6.0
    cio_max_db: float = 6.0
    rlf_rate_high: float = 0.01  # RLFs per handover attempt above which the cell hands over earlier
    pingpong_rate_high: float = 0.01  # ping-pongs per handover above which the cell hands over later
    min_events: float = 1.0  # do nothing on fewer events than this in a window (noise)
    window_periods: int = 10  # counters are summed over this many reporting periods before each decision


class Mro:
    """Rule-based CIO adjustment from the RLF and ping-pong counters of the last period."""

    def __init__(self, params: MroParams | None = None) -> None:
        self.params = params or MroParams()
        self._cio: np.ndarray | None = None

    def reset(self, n_cells: int) -> None:
        self._cio = np.zeros(n_cells, dtype=np.float64)  # adjustment on top of the base set's CIO
        self._sums = np.zeros((3, n_cells), dtype=np.float64)  # rlf, ping-pong, handovers in the window
        self._periods = 0

    def __call__(self, rlf: np.ndarray, pingpong: np.ndarray, handovers: np.ndarray) -> dict[str, np.ndarray]:
        """Counters of the last period per cell -> controls {cio_db, hysteresis_db, ttt_ms} per cell.

        MRO acts on statistics, not single events: counters accumulate for ``window_periods`` periods, then
        each cell with enough events steps its CIO once and the window restarts."""
        p = self.params
        rlf = np.asarray(rlf, dtype=np.float64)
        if self._cio is None or self._cio.shape != rlf.shape:
            self.reset(rlf.shape[0])
        assert self._cio is not None
        self._sums += np.stack([rlf, np.asarray(pingpong, np.float64), np.asarray(handovers, np.float64)])
        self._periods += 1
        if self._periods >= p.window_periods:
            r, pp, ho = self._sums
            attempts = np.maximum(ho + r, 1.0)
            enough = (r + pp) >= p.min_events
            late = enough & (r / attempts > p.rlf_rate_high)
            early = enough & ~late & (pp / attempts > p.pingpong_rate_high)
            self._cio = np.clip(self._cio + p.step_db * late - p.step_db * early, p.cio_min_db, p.cio_max_db)
            self._sums[:] = 0.0
            self._periods = 0
        out = p.base.controls(rlf.shape[0])
        out["cio_db"] = out["cio_db"] + self._cio
        return out
