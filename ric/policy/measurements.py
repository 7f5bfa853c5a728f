"""KPM tidy rows -> the per-cell arrays a :class:`~ranpilot.features.FeatureSpec` builds observations from.

An xApp receives E2SM-KPM reports as tidy rows (node, cell, ue, slice, measurement, value, time); a policy reads
``(cells, F)`` rows. :class:`CellTable` keeps the latest cell-level value of every measurement the spec needs,
per (node, cell), with the time it *arrived* (the xApp's clock: node clocks may run at another speed, e.g. a
sped-up simulator), and returns the arrays in the input convention of ``FeatureSpec.build`` (cell-scoped
``(C,)``, slice-scoped ``(C, K)`` in :data:`ranpilot.features.SLICE_NAMES` order). Missing values are NaN and
reported per cell, so the runner can tell "incomplete" and "stale" apart from "zero".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ranpilot.features import SLICE_NAMES, FeatureSpec

__all__ = ["DEFAULT_SLICE_LABELS", "CellTable", "Snapshot", "cell_key", "split_key"]

#: S-NSSAI label (tidy-row ``slice``: ``"SST"`` or ``"SST-SD"``) -> simulator slice; standardised SSTs of
#: TS 23.501 5.15.2.2 (1 eMBB, 2 URLLC, 3 MIoT), as e2sim's nodes label them by default.
DEFAULT_SLICE_LABELS: dict[str, str] = {"1": "embb", "2": "urllc", "3": "mmtc"}
_SEP = "|"


def cell_key(node: str, cell: str) -> str:
    """One string per cell across nodes: ``"<node>|<MCC-MNC/NCI>"``."""
    return f"{node}{_SEP}{cell}"


def split_key(key: str) -> tuple[str, str]:
    node, _, cell = key.partition(_SEP)
    return node, cell


@dataclass
class Snapshot:
    """Per-cell arrays for ``FeatureSpec.build`` plus what was missing or stale, per cell."""

    cells: list[str]
    arrays: dict[str, np.ndarray]
    missing: dict[str, list[str]]  # cell -> measurement names without a value
    stale: dict[str, float]  # cell -> age (s) of its oldest needed value, when above the limit

    @property
    def incomplete(self) -> np.ndarray:
        return np.array([c in self.missing or c in self.stale for c in self.cells], dtype=bool)


class CellTable:
    """Latest value per (cell, measurement[, slice]) of the measurements ``spec`` needs."""

    def __init__(self, spec: FeatureSpec, *, extra: Sequence[str] = (),
                 slice_labels: Mapping[str, str] | None = None) -> None:
        self.spec = spec
        names = list(spec.measurements) + [n for n in extra if n not in spec.measurements]
        self.slice_scoped = [n for n in names if n.endswith(".SNSSAI")]
        self.cell_scoped = [n for n in names if not n.endswith(".SNSSAI")]
        self.slice_labels = dict(DEFAULT_SLICE_LABELS if slice_labels is None else slice_labels)
        self._values: dict[str, dict[tuple[str, int], tuple[float, float]]] = {}  # cell -> (name, k) -> (v, t)

    def add(self, rows: Iterable[Any], now: float) -> int:
        """Keep the cell-level values among ``rows`` (UE-level rows are ignored); returns how many were kept."""
        kept = 0
        for r in rows:
            if r.cell is None or r.ue is not None:
                continue
            name, k = self._column(r.measurement, r.slice)
            if name is None:
                continue
            try:
                value = float(r.value)
            except (TypeError, ValueError):
                continue
            self._values.setdefault(cell_key(r.node, r.cell), {})[(name, k)] = (value, now)
            kept += 1
        return kept

    def _column(self, measurement: str, slice_label: str | None) -> tuple[str | None, int]:
        if slice_label is None:
            return (measurement, -1) if measurement in self.cell_scoped else (None, -1)
        name = measurement if measurement.endswith(".SNSSAI") else f"{measurement}.SNSSAI"
        sl = self.slice_labels.get(str(slice_label))
        if name not in self.slice_scoped or sl is None:
            return None, -1
        return name, SLICE_NAMES.index(sl)

    def cells(self) -> list[str]:
        return sorted(self._values)

    def drop(self, cells: Iterable[str]) -> None:
        for c in cells:
            self._values.pop(c, None)

    def snapshot(self, cells: Sequence[str], now: float, max_age_s: float | None = None) -> Snapshot:
        """Arrays over ``cells`` (in that order); NaN where no value is known."""
        n, k = len(cells), len(SLICE_NAMES)
        arrays = {m: np.full(n, np.nan) for m in self.cell_scoped}
        arrays.update({m: np.full((n, k), np.nan) for m in self.slice_scoped})
        missing: dict[str, list[str]] = {}
        stale: dict[str, float] = {}
        for i, c in enumerate(cells):
            vals = self._values.get(c, {})
            oldest = now
            for m in self.cell_scoped:
                got = vals.get((m, -1))
                if got is None:
                    missing.setdefault(c, []).append(m)
                else:
                    arrays[m][i] = got[0]
                    oldest = min(oldest, got[1])
            for m in self.slice_scoped:
                for j in range(k):
                    got = vals.get((m, j))
                    if got is None:
                        missing.setdefault(c, []).append(f"{m}[{SLICE_NAMES[j]}]")
                    else:
                        arrays[m][i, j] = got[0]
                        oldest = min(oldest, got[1])
            if max_age_s is not None and now - oldest > max_age_s:
                stale[c] = now - oldest
        return Snapshot(list(cells), arrays, missing, stale)
