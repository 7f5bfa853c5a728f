"""E2SM-RC v01.03 codec (O-RAN.WG3.E2SM-RC-R003-v01.03): typed <-> raw conversion of the CONTROL payloads.

RAN function OID ``1.3.6.1.4.1.53148.1.1.2.3`` and short name ``ORAN-E2SM-RC``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2.errors import DecodeError, EncodeError, ValidationError
from e2.sm.base import Asn1ServiceModel, PayloadKind
from e2.sm.common import RanFunctionName, ue_id_from_raw
from e2.sm.rc.types import (
    BitString,
    ControlAction,
    ControlStyle,
    Element,
    OutcomeParameter,
    ParamDef,
    ParamList,
    RanParameter,
    RanValue,
    RcCallProcessId,
    RcControlHeader,
    RcControlMessage,
    RcControlOutcome,
    RcRanFunctionDefinition,
    Structure,
)

__all__ = ["RC_SHORT_NAME", "RcV1_03"]

RC_SHORT_NAME = "ORAN-E2SM-RC"
_HERE = Path(__file__).resolve().parent
_COMMON = _HERE.parent / "asn1" / "E2SM-COMMON-IEs.asn"


def value_out(value: RanValue) -> tuple[str, Any]:
    """A Python value as a RANParameter-Value CHOICE (clause 8.3.x), chosen by type."""
    if isinstance(value, bool):
        return ("valueBoolean", value)
    if isinstance(value, int):
        return ("valueInt", value)
    if isinstance(value, float):
        return ("valueReal", value)
    if isinstance(value, bytes):
        return ("valueOctS", value)
    if isinstance(value, str):
        return ("valuePrintableString", value)
    if isinstance(value, BitString):
        return ("valueBitS", (value.data, value.nbits))
    raise EncodeError(f"RAN parameter value {value!r} has no RANParameter-Value alternative")


def value_in(raw: tuple[str, Any]) -> RanValue:
    name, value = raw
    if name == "valueBitS":
        return BitString(bytes(value[0]), value[1])
    return value


def _value_type_out(value: Element | Structure | ParamList) -> tuple[str, Any]:
    if isinstance(value, Element):
        if value.key:
            if value.value is None:
                raise EncodeError("a key element (ranP-Choice-ElementTrue) needs a value")
            return ("ranP-Choice-ElementTrue", {"ranParameter-value": value_out(value.value)})
        return (
            "ranP-Choice-ElementFalse",
            {} if value.value is None else {"ranParameter-value": value_out(value.value)},
        )
    if isinstance(value, Structure):
        return ("ranP-Choice-Structure", {"ranParameter-Structure": _structure_out(value)})
    if isinstance(value, ParamList):
        if not value.items:
            raise EncodeError("a RAN parameter LIST needs at least one item")
        return (
            "ranP-Choice-List",
            {"ranParameter-List": {"list-of-ranParameter": [_structure_out(s) for s in value.items]}},
        )
    raise EncodeError(f"{type(value).__name__} is not a RAN parameter value type")


def _structure_out(structure: Structure) -> dict[str, Any]:
    if not structure.params:
        return {}
    return {"sequence-of-ranParameters": [_param_out(p) for p in structure.params]}


def _check_range(what: str, value: int, low: int, high: int) -> int:
    """Strict encode: extensible INTEGER constraints would let out-of-root values through as extensions, but
    v01.03 defines no values beyond the root range."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{what} must be {low}..{high}, got {value!r}", where="E2SM-RC v1.03")
    return value


def _param_out(param: RanParameter) -> dict[str, Any]:
    _check_range("RANParameter-ID", param.id, 1, 4294967295)
    return {"ranParameter-ID": param.id, "ranParameter-valueType": _value_type_out(param.value)}


def _value_type_in(raw: tuple[str, Any]) -> Element | Structure | ParamList:
    name, value = raw
    if name == "ranP-Choice-ElementTrue":
        return Element(value_in(value["ranParameter-value"]), key=True)
    if name == "ranP-Choice-ElementFalse":
        v = value.get("ranParameter-value")
        return Element(None if v is None else value_in(v))
    if name == "ranP-Choice-Structure":
        return _structure_in(value["ranParameter-Structure"])
    if name == "ranP-Choice-List":
        return ParamList(tuple(_structure_in(s) for s in value["ranParameter-List"]["list-of-ranParameter"]))
    raise DecodeError(f"unknown RAN parameter value type {name}")


def _structure_in(raw: dict[str, Any]) -> Structure:
    return Structure(tuple(_param_in(p) for p in raw.get("sequence-of-ranParameters", ())))


def _param_in(raw: dict[str, Any]) -> RanParameter:
    return RanParameter(raw["ranParameter-ID"], _value_type_in(raw["ranParameter-valueType"]))


def _def_in(raw: dict[str, Any]) -> ParamDef:
    definition = raw.get("ranParameter-Definition")
    if definition is None:
        return ParamDef(raw["ranParameter-ID"], raw["ranParameter-name"])
    name, value = definition["ranParameter-Definition-Choice"]
    if name == "choiceLIST":
        return ParamDef(
            raw["ranParameter-ID"],
            raw["ranParameter-name"],
            "LIST",
            tuple(_def_in(i) for i in value["ranParameter-List"]),
        )
    return ParamDef(
        raw["ranParameter-ID"],
        raw["ranParameter-name"],
        "STRUCTURE",
        tuple(_def_in(i) for i in value["ranParameter-STRUCTURE"]),
    )


def _def_out(param: ParamDef) -> dict[str, Any]:
    raw: dict[str, Any] = {"ranParameter-ID": param.id, "ranParameter-name": param.name}
    if param.kind == "ELEMENT":
        if param.children:
            raise EncodeError(f"ELEMENT parameter {param.id} cannot have children")
        return raw
    if not param.children:
        raise EncodeError(f"{param.kind} parameter {param.id} needs at least one child")
    children = [_def_out(c) for c in param.children]
    if param.kind == "LIST":
        choice: tuple[str, Any] = ("choiceLIST", {"ranParameter-List": children})
    elif param.kind == "STRUCTURE":
        choice = ("choiceSTRUCTURE", {"ranParameter-STRUCTURE": children})
    else:
        raise EncodeError(f"RAN parameter kind {param.kind!r} is not ELEMENT, STRUCTURE or LIST")
    raw["ranParameter-Definition"] = {"ranParameter-Definition-Choice": choice}
    return raw


_OTHER_SECTIONS = (
    "ranFunctionDefinition-EventTrigger",
    "ranFunctionDefinition-Report",
    "ranFunctionDefinition-Insert",
    "ranFunctionDefinition-Policy",
)


class RcV1_03(Asn1ServiceModel):
    """E2SM-RC v01.03."""

    name = "E2SM-RC"
    oid = "1.3.6.1.4.1.53148.1.1.2.3"
    short_name = RC_SHORT_NAME
    version = "1.03"
    cli_name = "rc"
    asn1_files = (_COMMON, _HERE / "asn1" / "E2SM-RC-v01.03.asn")
    asn1_types = {
        PayloadKind.RAN_FUNCTION_DESCRIPTION: "E2SM-RC-RANFunctionDefinition",
        PayloadKind.CONTROL_HEADER: "E2SM-RC-ControlHeader",
        PayloadKind.CONTROL_MESSAGE: "E2SM-RC-ControlMessage",
        PayloadKind.CONTROL_OUTCOME: "E2SM-RC-ControlOutcome",
        PayloadKind.CALL_PROCESS_ID: "E2SM-RC-CallProcessID",
    }
    typed_kinds = {
        RcRanFunctionDefinition: PayloadKind.RAN_FUNCTION_DESCRIPTION,
        RcControlHeader: PayloadKind.CONTROL_HEADER,
        RcControlMessage: PayloadKind.CONTROL_MESSAGE,
        RcControlOutcome: PayloadKind.CONTROL_OUTCOME,
        RcCallProcessId: PayloadKind.CALL_PROCESS_ID,
    }

    def _to_typed(self, kind: PayloadKind, raw: Any) -> Any:
        if kind is PayloadKind.RAN_FUNCTION_DESCRIPTION:
            return self._definition_in(raw)
        if kind is PayloadKind.CALL_PROCESS_ID:
            return RcCallProcessId(raw["ric-callProcessID-formats"][1]["ric-callProcess-ID"])
        formats = {
            PayloadKind.CONTROL_HEADER: ("ric-controlHeader-formats", "controlHeader-Format1"),
            PayloadKind.CONTROL_MESSAGE: ("ric-controlMessage-formats", "controlMessage-Format1"),
            PayloadKind.CONTROL_OUTCOME: ("ric-controlOutcome-formats", "controlOutcome-Format1"),
        }
        key, wanted = formats[kind]
        name, value = raw[key]
        if name != wanted:
            raise DecodeError(
                f"{name} has no typed view (ranpilot uses {wanted}); use decode_raw",
                where=f"{self.label} {kind.value}",
            )
        if kind is PayloadKind.CONTROL_HEADER:
            return RcControlHeader(
                ue_id_from_raw(value["ueID"]),
                value["ric-Style-Type"],
                value["ric-ControlAction-ID"],
                value.get("ric-ControlDecision"),
            )
        if kind is PayloadKind.CONTROL_MESSAGE:
            return RcControlMessage(tuple(_param_in(p) for p in value["ranP-List"]))
        return RcControlOutcome(
            tuple(
                OutcomeParameter(p["ranParameter-ID"], value_in(p["ranParameter-value"]))
                for p in value["ranP-List"]
            )
        )

    def _from_typed(self, obj: Any) -> Any:
        if isinstance(obj, RcControlHeader):
            header: dict[str, Any] = {
                "ueID": obj.ue.to_raw(),
                "ric-Style-Type": obj.style,
                "ric-ControlAction-ID": _check_range("RIC-ControlAction-ID", obj.action, 1, 65535),
            }
            if obj.decision is not None:
                header["ric-ControlDecision"] = obj.decision
            return {"ric-controlHeader-formats": ("controlHeader-Format1", header)}
        if isinstance(obj, RcControlMessage):
            return {
                "ric-controlMessage-formats": (
                    "controlMessage-Format1",
                    {"ranP-List": [_param_out(p) for p in obj.params]},
                )
            }
        if isinstance(obj, RcControlOutcome):
            return {
                "ric-controlOutcome-formats": (
                    "controlOutcome-Format1",
                    {
                        "ranP-List": [
                            {"ranParameter-ID": p.id, "ranParameter-value": value_out(p.value)}
                            for p in obj.params
                        ]
                    },
                )
            }
        if isinstance(obj, RcCallProcessId):
            return {
                "ric-callProcessID-formats": (
                    "callProcessID-Format1",
                    {"ric-callProcess-ID": obj.call_process_id},
                )
            }
        return self._definition_out(obj)

    def _definition_in(self, raw: dict[str, Any]) -> RcRanFunctionDefinition:
        styles = []
        for s in raw.get("ranFunctionDefinition-Control", {}).get("ric-ControlStyle-List", ()):
            styles.append(
                ControlStyle(
                    s["ric-ControlStyle-Type"],
                    s["ric-ControlStyle-Name"],
                    tuple(
                        ControlAction(
                            a["ric-ControlAction-ID"],
                            a["ric-ControlAction-Name"],
                            tuple(_def_in(p) for p in a.get("ran-ControlActionParameters-List", ())),
                        )
                        for a in s.get("ric-ControlAction-List", ())
                    ),
                    s["ric-ControlHeaderFormat-Type"],
                    s["ric-ControlMessageFormat-Type"],
                    s["ric-ControlOutcomeFormat-Type"],
                    s.get("ric-CallProcessIDFormat-Type"),
                    tuple(_def_in(p) for p in s.get("ran-ControlOutcomeParameters-List", ())),
                )
            )
        return RcRanFunctionDefinition(
            RanFunctionName.from_raw(raw["ranFunction-Name"]),
            tuple(styles),
            tuple((k, raw[k]) for k in _OTHER_SECTIONS if k in raw),
        )

    def _definition_out(self, obj: RcRanFunctionDefinition) -> dict[str, Any]:
        raw: dict[str, Any] = {"ranFunction-Name": obj.name.to_raw()}
        for key, value in obj.other_sections:
            if key not in _OTHER_SECTIONS:
                raise EncodeError(f"unknown RAN function definition section {key!r}")
            raw[key] = value
        if obj.control_styles:
            styles = []
            for s in obj.control_styles:
                item: dict[str, Any] = {"ric-ControlStyle-Type": s.style, "ric-ControlStyle-Name": s.name}
                if s.actions:
                    actions = []
                    for a in s.actions:
                        action: dict[str, Any] = {
                            "ric-ControlAction-ID": a.id,
                            "ric-ControlAction-Name": a.name,
                        }
                        if a.params:
                            action["ran-ControlActionParameters-List"] = [_def_out(p) for p in a.params]
                        actions.append(action)
                    item["ric-ControlAction-List"] = actions
                item["ric-ControlHeaderFormat-Type"] = s.header_format
                item["ric-ControlMessageFormat-Type"] = s.message_format
                if s.call_process_id_format is not None:
                    item["ric-CallProcessIDFormat-Type"] = s.call_process_id_format
                item["ric-ControlOutcomeFormat-Type"] = s.outcome_format
                if s.outcome_params:
                    item["ran-ControlOutcomeParameters-List"] = [_def_out(p) for p in s.outcome_params]
                styles.append(item)
            raw["ranFunctionDefinition-Control"] = {"ric-ControlStyle-List": styles}
        return raw
