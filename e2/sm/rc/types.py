"""Typed E2SM-RC v01.03 payloads (O-RAN.WG3.E2SM-RC-R003-v01.03 clause 8).

RAN parameters (clause 8.3.x "RAN Parameter Value Type") form a tree: an :class:`Element` holds one value, a
:class:`Structure` holds parameters, a :class:`ParamList` holds structures. Element values map to
RANParameter-Value alternatives by Python type: ``bool`` -> valueBoolean, ``int`` -> valueInt, ``float`` ->
valueReal, ``bytes`` -> valueOctS, ``str`` -> valuePrintableString, :class:`BitString` -> valueBitS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from e2.sm.common import RanFunctionName, UeId

__all__ = [
    "BitString",
    "ControlAction",
    "ControlStyle",
    "Element",
    "OutcomeParameter",
    "ParamDef",
    "ParamList",
    "RanParameter",
    "RanValue",
    "RcCallProcessId",
    "RcControlHeader",
    "RcControlMessage",
    "RcControlOutcome",
    "RcRanFunctionDefinition",
    "Structure",
]


@dataclass(frozen=True)
class BitString:
    """A BIT STRING value: ``nbits`` bits, left-aligned in ``data``."""

    data: bytes
    nbits: int


RanValue = bool | int | float | bytes | str | BitString


@dataclass(frozen=True)
class Element:
    """RANParameter-ValueType ELEMENT. ``key=True`` is ranP-Choice-ElementTrue (the parameter is a key of its
    list item); otherwise ElementFalse, whose value is mandatory in a RIC Control Request (C-ifControl)."""

    value: RanValue | None
    key: bool = False


@dataclass(frozen=True)
class Structure:
    """RANParameter-STRUCTURE: a sequence of parameters (possibly empty)."""

    params: tuple[RanParameter, ...] = ()

    def get(self, param_id: int) -> RanParameter | None:
        """The member parameter with ``param_id`` (first match) or None."""
        return next((p for p in self.params if p.id == param_id), None)


@dataclass(frozen=True)
class ParamList:
    """RANParameter-LIST: a list of structures."""

    items: tuple[Structure, ...]


@dataclass(frozen=True)
class RanParameter:
    """A RAN parameter ID (E2SM-RC clause 8.4 tables) with its value tree."""

    id: int
    value: Element | Structure | ParamList


@dataclass(frozen=True)
class RcControlHeader:
    """Control header format 1 (clause 8.2.4.1.1): target UE, control style, control action, optional decision."""

    ue: UeId
    style: int
    action: int
    decision: str | None = None  # "accept" | "reject" (only for INSERT-triggered control)


@dataclass(frozen=True)
class RcControlMessage:
    """Control message format 1 (clause 8.2.4.2.1): the action's RAN parameters."""

    params: tuple[RanParameter, ...]


@dataclass(frozen=True)
class OutcomeParameter:
    id: int
    value: RanValue


@dataclass(frozen=True)
class RcControlOutcome:
    """Control outcome format 1 (clause 8.2.4.3.1): RAN parameter values the node reports after the control."""

    params: tuple[OutcomeParameter, ...] = ()


@dataclass(frozen=True)
class RcCallProcessId:
    """Call process ID format 1 (clause 8.2.3.1)."""

    call_process_id: int


@dataclass(frozen=True)
class ParamDef:
    """A supported RAN parameter in the function definition; ``kind`` is ELEMENT, STRUCTURE or LIST."""

    id: int
    name: str
    kind: str = "ELEMENT"
    children: tuple[ParamDef, ...] = ()


@dataclass(frozen=True)
class ControlAction:
    """RANFunctionDefinition-Control-Action-Item (clause 8.2.5): a control action and its RAN parameters."""

    id: int
    name: str
    params: tuple[ParamDef, ...] = ()


@dataclass(frozen=True)
class ControlStyle:
    """RANFunctionDefinition-Control-Item (clause 8.2.5)."""

    style: int
    name: str
    actions: tuple[ControlAction, ...] = ()
    header_format: int = 1
    message_format: int = 1
    outcome_format: int = 1
    call_process_id_format: int | None = None
    outcome_params: tuple[ParamDef, ...] = ()


@dataclass(frozen=True)
class RcRanFunctionDefinition:
    """E2SM-RC-RANFunctionDefinition. The typed view covers the CONTROL service; the other sections (event
    trigger, report, insert, policy) are carried raw in ``other_sections`` as ``(asn1 name, raw value)`` pairs so
    that decode -> encode loses nothing."""

    name: RanFunctionName
    control_styles: tuple[ControlStyle, ...] = ()
    other_sections: tuple[tuple[str, Any], ...] = ()

    def control_action(self, style: int, action: int) -> ControlAction | None:
        """The advertised control action, or None if the node does not support it."""
        for s in self.control_styles:
            if s.style == style:
                return next((a for a in s.actions if a.id == action), None)
        return None
