"""Handover baselines: per-cell A3 parameters (offset, time-to-trigger, CIO), pure numpy.

``set1`` and ``set5`` are the 3GPP mobility-robustness reference parameter sets (TR 36.839 Table 5.1-1 family:
set 1 = TTT 480 ms / A3 offset 3 dB, set 5 = TTT 40 ms / offset -1 dB). ``mro`` is rule-based mobility robustness
optimisation (TS 32.500 / 28.313 MRO intent): per cell, too many radio-link failures (handing over too late)
raise the cell's CIO towards its neighbours by a step, too many ping-pongs (too early) lower it, inside bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: TS 38.331 TimeToTrigger value set (ms).
TTT_VALUES_MS = (0, 40, 64, 80, 100, 128, 160, 256, 320, 480, 512, 640, 1024, 1280, 2560, 5120)


@dataclass(frozen=True)
class A3Setting:
    """One cell's handover parameters: A3 offset (dB), time-to-trigger (ms) and CIO towards neighbours (dB)."""

    offset_db: float
    ttt_ms: int
    cio_db: float = 0.0


SET1 = A3Setting(offset_db=3.0, ttt_ms=480)
SET5 = A3Setting(offset_db=-1.0, ttt_ms=40)


def fixed(n_cells: int, setting: A3Setting) -> np.ndarray:
    """(cells, 3) = [offset_db, ttt_ms, cio_db] for every cell."""
    return np.tile(np.array([setting.offset_db, setting.ttt_ms, setting.cio_db], dtype=np.float64), (n_cells, 1))


def set1(n_cells: int) -> np.ndarray:
    return fixed(n_cells, SET1)


def set5(n_cells: int) -> np.ndarray:
    return fixed(n_cells, SET5)


@dataclass
class MroParams:
    base: A3Setting = SET1
    step_db: float = 1.0
    cio_min_db: float = -6.0
    cio_max_db: float = 6.0
    rlf_rate_high: float = 0.02  # RLFs per handover attempt above which the cell hands over earlier
    pingpong_rate_high: float = 0.10  # ping-pongs per handover above which the cell hands over later
    min_events: float = 1.0  # do nothing on fewer events than this in a period (noise)


class Mro:
    """Rule-based CIO adjustment from the RLF and ping-pong counters of the last period."""

    def __init__(self, params: MroParams | None = None) -> None:
        self.params = params or MroParams()
        self._cio: np.ndarray | None = None

    def reset(self, n_cells: int) -> None:
        self._cio = np.full(n_cells, self.params.base.cio_db, dtype=np.float64)

    def __call__(self, rlf: np.ndarray, pingpong: np.ndarray, handovers: np.ndarray) -> np.ndarray:
        """Counters of the last period per cell -> (cells, 3) = [offset_db, ttt_ms, cio_db]."""
        p = self.params
        rlf = np.asarray(rlf, dtype=np.float64)
        pingpong = np.asarray(pingpong, dtype=np.float64)
        handovers = np.asarray(handovers, dtype=np.float64)
        if self._cio is None or self._cio.shape != rlf.shape:
            self.reset(rlf.shape[0])
        assert self._cio is not None
        attempts = np.maximum(handovers + rlf, 1.0)
        enough = (rlf + pingpong) >= p.min_events
        late = enough & (rlf / attempts > p.rlf_rate_high)
        early = enough & ~late & (pingpong / attempts > p.pingpong_rate_high)
        self._cio = np.clip(self._cio + p.step_db * late - p.step_db * early, p.cio_min_db, p.cio_max_db)
        out = fixed(rlf.shape[0], p.base)
        out[:, 2] = self._cio
        return out
