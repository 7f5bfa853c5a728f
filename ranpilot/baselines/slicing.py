"""Slicing baselines: per-cell PRB ratios per slice (TS 28.541 RRMPolicyRatio), pure numpy.

Both baselines are *static slicing* in the operators' and the literature's sense: a fixed partition, each slice
configured with rRMPolicyMinRatio = rRMPolicyMaxRatio = its share (TS 28.541 5.3.x RRMPolicyRatio; dedicated
0, which changes nothing here because no slice can exceed its max anyway), so a slice never borrows PRBs another
slice leaves idle. ``static`` splits every cell's PRBs equally between the slices (the issue's "fixed equal
split"). ``proportional`` re-partitions each decision period in proportion to each slice's recent demand (an
exponentially weighted average of the demand it reported), with a floor so a quiet slice can still start a
burst. Only a policy that sets max > min (the AI, slicing-v2 action) lets slices borrow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def static(n_cells: int, n_slices: int = 3) -> np.ndarray:
    """Equal split: ratio 1/S for each of S slices in every cell -> (cells, S)."""
    return np.full((n_cells, n_slices), 1.0 / n_slices, dtype=np.float64)


@dataclass
class ProportionalParams:
    smoothing: float = 0.5  # EWMA weight of the newest demand sample
    floor: float = 0.05  # minimum share per slice


class ProportionalSplit:
    """Share of slice s in cell c = max(floor, demand[c, s] / sum_s demand[c, s]), renormalised."""

    def __init__(self, params: ProportionalParams | None = None) -> None:
        self.params = params or ProportionalParams()
        self._avg: np.ndarray | None = None

    def reset(self) -> None:
        self._avg = None

    def __call__(self, demand: np.ndarray) -> np.ndarray:
        """``demand``: (cells, slices), any non-negative unit (PRBs wanted, bits queued, Mbit/s)."""
        d = np.clip(np.nan_to_num(np.asarray(demand, dtype=np.float64)), 0.0, None)
        a = self.params.smoothing
        self._avg = d if self._avg is None or self._avg.shape != d.shape else a * d + (1 - a) * self._avg
        total = self._avg.sum(axis=1, keepdims=True)
        n = d.shape[1]
        share = np.where(total > 0, self._avg / np.where(total > 0, total, 1.0), 1.0 / n)
        floor = min(self.params.floor, 1.0 / n)
        share = floor + (1.0 - n * floor) * share
        return share / share.sum(axis=1, keepdims=True)
