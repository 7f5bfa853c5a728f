"""The vocabulary an xApp sees: nodes, subscriptions, indications, controls and their outcomes.

Host-independent on purpose: the same values come from the embedded RIC and from the O-RAN SC host, so an xApp
never learns which RIC it runs in. E2SM payloads reach the xApp decoded (KPM tidy rows) *and* raw (bytes), so
an xApp can use what the library decodes and still inspect what it does not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = [
    "CellInfo", "ControlOutcome", "ControlRequest", "ControlStatus", "Indication", "KpmReportSpec",
    "KpmReportStyleInfo", "NodeEvent", "NodeInfo", "RanFunctionInfo", "Subscription",
]


def _cached_hash(value: Any) -> int:
    """Hash of a frozen value, computed once. NodeInfo and RanFunctionInfo key the codec lookups of every
    indication and control (the lru caches of :mod:`ric.e2glue`); rehashing a node's cells and KPM measurement
    names each time cost microseconds per message."""
    h: int | None = value.__dict__.get("_hash")
    if h is None:
        h = hash(tuple(getattr(value, f.name) for f in fields(value)))
        object.__setattr__(value, "_hash", h)
    return h


@dataclass(frozen=True)
class KpmReportStyleInfo:
    """A REPORT style an E2SM-KPM RAN function advertises (E2SM-KPM 8.2.2.1, RIC-ReportStyle-Item): its type
    (1 = E2 node measurement, 2..5 = UE-level styles), name, action definition format and the measurements it
    supports (measInfo-Action-List: ``(measName, measID or None)``)."""

    style: int
    name: str
    action_format: int
    measurements: tuple[tuple[str, int | None], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"style": self.style, "name": self.name, "action_format": self.action_format,
                "measurements": [list(m) for m in self.measurements]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KpmReportStyleInfo:
        return cls(int(d["style"]), str(d.get("name", "")), int(d.get("action_format", 0)),
                   tuple((str(m[0]), None if m[1] is None else int(m[1])) for m in d.get("measurements", [])))


@dataclass(frozen=True)
class RanFunctionInfo:
    """A RAN function an E2 node offered in E2 Setup (E2AP 9.2.23): id, OID, short name and revision, plus - for
    E2SM-KPM - the REPORT styles and measurement names its RAN function description advertises."""

    ran_function_id: int
    oid: str
    short_name: str
    revision: int
    version: str = ""  # the service-model version the codec registry picked, e.g. "3.00" / "2.03"
    report_styles: tuple[KpmReportStyleInfo, ...] = ()  # E2SM-KPM only; empty when none advertised / not KPM

    def __hash__(self) -> int:
        return _cached_hash(self)

    def kpm_measurements(self, style: int = 1) -> tuple[str, ...]:
        """The measurement names this KPM function supports for a REPORT style (default 1, cell-level E2 node
        measurements), in the node's order; empty when the node advertises none for that style."""
        return tuple(name for s in self.report_styles if s.style == style for name, _ in s.measurements)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.ran_function_id, "oid": self.oid, "short_name": self.short_name,
                               "revision": self.revision, "version": self.version}
        if self.report_styles:
            out["report_styles"] = [s.to_json() for s in self.report_styles]
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RanFunctionInfo:
        return cls(int(d["id"]), str(d["oid"]), str(d["short_name"]), int(d["revision"]), str(d.get("version", "")),
                   tuple(KpmReportStyleInfo.from_json(s) for s in d.get("report_styles", [])))


@dataclass(frozen=True)
class CellInfo:
    """A cell of an E2 node, named by its NR CGI (PLMN + 36-bit NR cell identity, as a hex string)."""

    nr_cgi: str
    plmn: str = ""
    nci: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"nr_cgi": self.nr_cgi, "plmn": self.plmn, "nci": self.nci}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CellInfo:
        return cls(str(d["nr_cgi"]), str(d.get("plmn", "")), int(d.get("nci", 0)))


@dataclass(frozen=True)
class NodeInfo:
    """An E2 node as the R-NIB knows it."""

    node_id: str
    cells: tuple[CellInfo, ...] = ()
    ran_functions: tuple[RanFunctionInfo, ...] = ()
    connected: bool = True

    def __hash__(self) -> int:
        return _cached_hash(self)

    def function(self, short_name_or_oid: str) -> RanFunctionInfo | None:
        """The node's RAN function for a service model, by short name (``ORAN-E2SM-KPM``) or OID."""
        key = short_name_or_oid.upper()
        for f in self.ran_functions:
            if f.short_name.upper() == key or f.oid == short_name_or_oid:
                return f
        return None

    def to_json(self) -> dict[str, Any]:
        return {"node_id": self.node_id, "cells": [c.to_json() for c in self.cells],
                "ran_functions": [f.to_json() for f in self.ran_functions], "connected": self.connected}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> NodeInfo:
        return cls(str(d["node_id"]), tuple(CellInfo.from_json(c) for c in d.get("cells", [])),
                   tuple(RanFunctionInfo.from_json(f) for f in d.get("ran_functions", [])),
                   bool(d.get("connected", True)))


class NodeEvent(enum.StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class KpmReportSpec:
    """What to measure and how often (E2SM-KPM REPORT service, event trigger format 1 + action definition).

    ``cells`` None means every cell of the node (one format-1 action per cell); ``granularity_ms`` None means
    the report period. ``ue_level`` asks for UE-level reports (action definition format 4 -> message format 3).
    """

    measurements: tuple[str, ...]
    period_ms: int = 1000
    granularity_ms: int | None = None
    cells: tuple[str, ...] | None = None
    ue_level: bool = False

    def __post_init__(self) -> None:
        if not self.measurements:
            raise ValueError("KpmReportSpec needs at least one measurement name")
        if not 1 <= self.period_ms <= 4_294_967_295:
            raise ValueError(f"report period {self.period_ms} ms out of range (1 .. 2^32-1, E2SM-KPM 8.2.1.1)")
        object.__setattr__(self, "measurements", tuple(self.measurements))
        if self.cells is not None:
            object.__setattr__(self, "cells", tuple(self.cells))

    def key(self) -> tuple[Any, ...]:
        """Identity for merging: two xApps asking for the same spec share one E2 subscription."""
        return (tuple(sorted(self.measurements)), self.period_ms, self.granularity_ms or self.period_ms,
                None if self.cells is None else tuple(sorted(self.cells)), self.ue_level)

    def to_json(self) -> dict[str, Any]:
        return {"measurements": list(self.measurements), "period_ms": self.period_ms,
                "granularity_ms": self.granularity_ms, "cells": None if self.cells is None else list(self.cells),
                "ue_level": self.ue_level}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KpmReportSpec:
        cells = d.get("cells")
        return cls(tuple(d["measurements"]), int(d.get("period_ms", 1000)), d.get("granularity_ms"),
                   None if cells is None else tuple(cells), bool(d.get("ue_level", False)))


@dataclass(frozen=True)
class Subscription:
    """An xApp's handle on a subscription (its id is stable across node reconnects)."""

    subscription_id: str
    node_id: str
    spec: KpmReportSpec
    ran_function_id: int


@dataclass
class Indication:
    """One RIC Indication as delivered to an xApp: decoded KPM tidy rows plus the raw E2SM bytes.

    ``rows`` holds ``e2.sm`` KPM rows (node, cell, ue, slice, measurement, value, time). ``decode_error`` is set
    (and ``rows`` empty) when the payload did not decode - the xApp still sees the raw bytes.
    """

    node_id: str
    subscription_id: str
    ran_function_id: int
    action_id: int
    header: bytes
    message: bytes
    rows: list[Any] = field(default_factory=list)
    sequence: int | None = None
    received_at: float = 0.0  # time.monotonic() when the RIC read it off the wire
    decode_error: str | None = None


@dataclass(frozen=True)
class ControlRequest:
    """A RIC Control Request (E2AP 8.2.4) an xApp asks for.

    ``service_model`` picks the node's RAN function (``"RC"``, ``"CCC"`` or a short name/OID); ``header`` and
    ``message`` are either already-encoded bytes or ``e2.sm`` typed values that the host encodes with the codec
    version the node negotiated (so one xApp drives nodes of different vendors).
    """

    service_model: str
    header: Any
    message: Any
    ack_requested: bool = True
    call_process_id: bytes | None = None


class ControlStatus(enum.StrEnum):
    ACK = "ack"
    FAILURE = "failure"
    TIMEOUT = "timeout"
    ERROR = "error"  # not sent: unknown node, no such RAN function, encoding failed, node down


@dataclass(frozen=True)
class ControlOutcome:
    """What became of a control: ack (with the RAN's outcome), failure (with its cause), timeout or error."""

    status: ControlStatus
    cause: str | None = None
    outcome: bytes | None = None
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is ControlStatus.ACK
