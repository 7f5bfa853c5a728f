"""Typed E2SM-CCC payloads (O-RAN.WG3.E2SM-CCC clause 8; JSON encoding, clause 9).

Attribute values are the TS 28.541 NRM attributes as JSON objects (``{"administrativeState": "LOCKED"}``);
:mod:`e2.sm.ccc.controls` builds and reads the ones ranpilot uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2.sm.common import NrCgi, RanFunctionName

__all__ = [
    "AcceptedChange",
    "CccControlHeader",
    "CccControlMessage",
    "CccControlOutcome",
    "CccRanFunctionDefinition",
    "CellControl",
    "CellOutcome",
    "CellStructures",
    "ConfigurationChange",
    "FailedChange",
    "SupportedStructure",
]


@dataclass(frozen=True)
class ConfigurationChange:
    """ConfigurationStructureWrite: a RAN configuration structure (e.g. ``O-NRCellDU``) with the attribute values
    the RIC believes it has (``old``, mandatory) and the values to set (``new``)."""

    structure: str
    new: dict[str, Any]
    old: dict[str, Any]


@dataclass(frozen=True)
class CellControl:
    """One cell of control message format 2."""

    cell: NrCgi
    changes: tuple[ConfigurationChange, ...]


@dataclass(frozen=True)
class CccControlHeader:
    """Control header format 1: RIC style type (1 = node configuration, 2 = cell configuration control)."""

    style: int = 2


@dataclass(frozen=True)
class CccControlMessage:
    """Control message: format 2 (``cells``, cell-level) or format 1 (``node_changes``, node-level)."""

    cells: tuple[CellControl, ...] = ()
    node_changes: tuple[ConfigurationChange, ...] = ()


@dataclass(frozen=True)
class AcceptedChange:
    """ConfigurationStructureAccepted: values before (``old``) and after (``current``) the change."""

    structure: str
    current: dict[str, Any]
    old: dict[str, Any]
    applied_timestamp: str | None = None


@dataclass(frozen=True)
class FailedChange:
    """ConfigurationStructureFailed: the values the node kept (``old``), those asked for and why not."""

    structure: str
    cause: str  # NOT_SUPPORTED | INCOMPATIBLE_STATE | JSON_ERROR | SEMANTIC_ERROR | UNSPECIFIED
    requested: dict[str, Any]
    old: dict[str, Any]


@dataclass(frozen=True)
class CellOutcome:
    cell: NrCgi
    accepted: tuple[AcceptedChange, ...] = ()
    failed: tuple[FailedChange, ...] = ()


@dataclass(frozen=True)
class CccControlOutcome:
    """Control outcome format 2: per cell, which configuration changes were applied and which failed."""

    cells: tuple[CellOutcome, ...]
    received_timestamp: str | None = None

    @property
    def all_accepted(self) -> bool:
        return all(not c.failed for c in self.cells)


@dataclass(frozen=True)
class SupportedStructure:
    """A configuration structure the node supports and its attribute names (services kept raw)."""

    name: str
    attributes: tuple[str, ...]
    services: dict[str, Any] = field(default_factory=dict)  # attribute name -> supportedServices object


@dataclass(frozen=True)
class CellStructures:
    cell: NrCgi
    structures: tuple[SupportedStructure, ...]


@dataclass(frozen=True)
class CccRanFunctionDefinition:
    """RAN function definition: the node-level and per-cell configuration structures the node exposes."""

    name: RanFunctionName
    cells: tuple[CellStructures, ...] = ()
    node_structures: tuple[SupportedStructure, ...] = ()

    def supports(self, cell: NrCgi, structure: str, attribute: str) -> bool:
        for c in self.cells:
            if c.cell == cell:
                return any(s.name == structure and attribute in s.attributes for s in c.structures)
        return False
