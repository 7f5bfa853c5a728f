"""The kpm-monitor's memory: the latest value of every (node, cell, measurement), and report bookkeeping.

Pure data, no I/O, so it is unit-tested without a RIC. Rows are the tidy KPM rows the RIC hands to xApps
(``e2.sm.kpm.KpmRow``: node, cell, ue, slice, measurement, value, time); only cell-level rows (no UE, no slice
label) are kept - the monitor subscribes to E2SM-KPM action definition format 1 (E2SM-KPM 8.2.1.2.1). A report
of an action without a cell (node-level: the RIC knew no cells of the node) is kept under the cell name ``*``.

Report continuity: ``time`` of a row is the start of its granularity period (simulated UNIX seconds at e2sim,
wall time at a real gNB). Consecutive reports of one cell must start exactly one report period apart; a larger
step is a gap (reports lost or never sent), a smaller or negative one is out of order. Both are counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["NODE_LEVEL", "CellKpm", "KpmStore", "RowLike"]

NODE_LEVEL = "*"  # the "cell" of node-level reports

# two report times closer than this (seconds) are "the same time": E2SM-KPM stamps are ms-resolution
_TIME_EPS_S = 1e-3


class RowLike(Protocol):
    """What the store reads from a tidy KPM row (``e2.sm.kpm.KpmRow`` has these fields)."""

    node: str
    cell: str | None
    ue: str | None
    slice: str | None
    measurement: str
    value: Any
    time: float


@dataclass
class CellKpm:
    """The latest report of one cell: measurement -> value, the report's start time, and its history counts."""

    node: str
    cell: str
    time: float = float("-inf")
    values: dict[str, float] = field(default_factory=dict)
    reports: int = 0
    gaps: int = 0  # steps longer than the report period
    out_of_order: int = 0  # steps shorter than the period (or backwards)

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "cell": self.cell, "time": self.time, "values": dict(self.values),
                "reports": self.reports, "gaps": self.gaps, "out_of_order": self.out_of_order}


class KpmStore:
    """Latest cell-level KPM values per (node, cell), indications per node, continuity per cell."""

    def __init__(self, period_s: float) -> None:
        if period_s <= 0:
            raise ValueError(f"report period must be > 0 s, got {period_s}")
        self.period_s = period_s
        self.cells: dict[tuple[str, str], CellKpm] = {}
        self.indications: Counter[str] = Counter()

    def add(self, node: str, rows: Iterable[RowLike]) -> list[CellKpm]:
        """Take one indication's rows (one report of one or more cells); returns the cells it updated."""
        self.indications[node] += 1
        by_cell: dict[str, list[RowLike]] = {}
        for row in rows:
            if row.ue is None and row.slice is None:
                by_cell.setdefault(row.cell or NODE_LEVEL, []).append(row)
        updated = []
        for cell, cell_rows in by_cell.items():
            entry = self.cells.setdefault((node, cell), CellKpm(node, cell))
            t = max(r.time for r in cell_rows)  # several granularity periods in one report: the last one wins
            if entry.reports:
                step = t - entry.time
                if step > self.period_s + _TIME_EPS_S:
                    entry.gaps += 1
                elif step < self.period_s - _TIME_EPS_S:
                    entry.out_of_order += 1
            if t >= entry.time - _TIME_EPS_S:
                entry.time = t
                entry.values.update({r.measurement: float(r.value) for r in cell_rows if r.time == t})
            entry.reports += 1
            updated.append(entry)
        return updated

    def node_cells(self, node: str) -> list[CellKpm]:
        return sorted((c for (n, _), c in self.cells.items() if n == node), key=lambda c: c.cell)

    def rows(self) -> list[dict[str, Any]]:
        """The latest values as tidy rows: one dict per (node, cell, measurement)."""
        return [{"node": c.node, "cell": c.cell, "measurement": m, "value": v, "time": c.time}
                for c in sorted(self.cells.values(), key=lambda c: (c.node, c.cell))
                for m, v in sorted(c.values.items())]
