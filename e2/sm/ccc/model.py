"""E2SM-CCC codec: UTF-8 JSON payloads inside the E2AP OCTET STRINGs, validated against our JSON schema.

RAN function OID ``1.3.6.1.4.1.53148.1.6.2.4``, short name ``ORAN-E2SM-CCC``. Every payload is validated on
encode *and* decode (schema in ``schemas/e2sm-ccc.schema.json``); a refusal is a ValidationError whose
``where`` is the JSON path (``$.controlMessageFormat.listOfCellsControlled[0]...``).

Leniency (decode only): a control outcome without its ``controlOutcomeFormat`` wrapper (what real gNBs send) is
accepted and normalised to the canonical, wrapped form, which is what ``encode``/``reencode`` emit.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from e2.errors import DecodeError, EncodeError, ValidationError
from e2.sm.base import PayloadKind, ServiceModel
from e2.sm.ccc.types import (
    AcceptedChange,
    CccControlHeader,
    CccControlMessage,
    CccControlOutcome,
    CccRanFunctionDefinition,
    CellControl,
    CellOutcome,
    CellStructures,
    ConfigurationChange,
    FailedChange,
    SupportedStructure,
)
from e2.sm.common import NrCgi, Plmn, RanFunctionName

__all__ = ["CCC_SHORT_NAME", "CccV3_00", "cell_from_json", "cell_to_json", "json_path"]

CCC_SHORT_NAME = "ORAN-E2SM-CCC"
_SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "e2sm-ccc.schema.json"
_DEFS = {
    PayloadKind.RAN_FUNCTION_DESCRIPTION: "RanFunctionDefinition",
    PayloadKind.CONTROL_HEADER: "ControlHeader",
    PayloadKind.CONTROL_MESSAGE: "ControlMessage",
    PayloadKind.CONTROL_OUTCOME: "ControlOutcome",
}


@functools.cache
def _validator(definition: str) -> Any:
    import jsonschema  # lazy: only CCC users pay for it

    root = json.loads(_SCHEMA_FILE.read_text())
    schema = {"$schema": root["$schema"], "$defs": root["$defs"], "$ref": f"#/$defs/{definition}"}
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def json_path(path: Any) -> str:
    """A jsonschema error path as ``$.a.b[0].c``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _deepest(errors: Any) -> Any:
    best = None
    for err in errors:
        for candidate in (err, _deepest(err.context or ())):
            if candidate is not None and (
                best is None or len(candidate.absolute_path) > len(best.absolute_path)
            ):
                best = candidate
    return best


class _NonFiniteNumber(ValueError):
    """NaN / Infinity: Python's json accepts them, JSON (RFC 8259) does not."""


def _refuse_constant(name: str) -> Any:
    raise _NonFiniteNumber(name)


def cell_to_json(cell: NrCgi) -> dict[str, Any]:
    """CellGlobalId (NR): PLMN as MCC/MNC digits, NR cell identity as 9 hex digits (36 bits)."""
    return {"plmnIdentity": {"mcc": cell.plmn.mcc, "mnc": cell.plmn.mnc}, "nRCellIdentity": f"{cell.nci:09X}"}


def cell_from_json(raw: dict[str, Any]) -> NrCgi:
    plmn = raw["plmnIdentity"]
    return NrCgi(Plmn(plmn["mcc"], plmn["mnc"]), int(raw["nRCellIdentity"], 16))


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["ranConfigurationStructure"]


def _wrap(values: dict[str, Any]) -> dict[str, Any]:
    return {"ranConfigurationStructure": values}


class CccV3_00(ServiceModel):
    """E2SM-CCC (cell configuration and control), JSON payloads."""

    name = "E2SM-CCC"
    oid = "1.3.6.1.4.1.53148.1.6.2.4"
    short_name = CCC_SHORT_NAME
    version = "3.00"
    cli_name = "ccc"
    kinds = tuple(_DEFS)
    typed_kinds = {
        CccRanFunctionDefinition: PayloadKind.RAN_FUNCTION_DESCRIPTION,
        CccControlHeader: PayloadKind.CONTROL_HEADER,
        CccControlMessage: PayloadKind.CONTROL_MESSAGE,
        CccControlOutcome: PayloadKind.CONTROL_OUTCOME,
    }

    # ---- raw JSON ----------------------------------------------------------------------------------------
    def validate(self, kind: PayloadKind | str, document: Any) -> None:
        """Raise ValidationError (where = "<label> <kind> at <JSON path>") if ``document`` breaks the schema."""
        parsed = self.kind(kind)
        try:
            err = _deepest(_validator(_DEFS[parsed]).iter_errors(document))
        except RecursionError:
            raise ValidationError("JSON nesting too deep", where=f"{self.label} {parsed.value}") from None
        if err is not None:
            raise ValidationError(
                err.message, where=f"{self.label} {parsed.value} at {json_path(err.absolute_path)}"
            )

    def decode_raw(self, kind: PayloadKind | str, data: bytes) -> Any:
        """Parse and validate; a control outcome without its wrapper is wrapped (canonical form)."""
        parsed = self.kind(kind)
        where = f"{self.label} {parsed.value}"
        try:
            document = json.loads(bytes(data).decode("utf-8"), parse_constant=_refuse_constant)
        except TypeError as exc:
            raise DecodeError(f"payload is not bytes: {exc}", where=where) from None
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"not UTF-8: {exc.reason} at byte {exc.start}", where=where, data=bytes(data)
            ) from None
        except _NonFiniteNumber as exc:
            raise DecodeError(
                f"not JSON: {exc} is not a JSON number", where=where, data=bytes(data)
            ) from None
        except json.JSONDecodeError as exc:
            raise DecodeError(
                f"not JSON: {exc.msg} (line {exc.lineno} column {exc.colno})", where=where, data=bytes(data)
            ) from None
        except RecursionError:
            raise DecodeError("JSON nesting too deep", where=where, data=bytes(data)) from None
        if (
            parsed is PayloadKind.CONTROL_OUTCOME
            and isinstance(document, dict)
            and "controlOutcomeFormat" not in document
        ):
            document = {"controlOutcomeFormat": document}
        self.validate(parsed, document)
        return document

    def encode_raw(self, kind: PayloadKind | str, value: Any) -> bytes:
        """Validate and serialise (compact UTF-8 JSON, key order kept)."""
        parsed = self.kind(kind)
        self.validate(parsed, value)
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
                "utf-8"
            )
        except (TypeError, ValueError, RecursionError) as exc:
            raise EncodeError(
                f"not serialisable as JSON: {exc}", where=f"{self.label} {parsed.value}"
            ) from None

    def to_jsonable(self, kind: PayloadKind | str, data: bytes) -> Any:
        return self.decode_raw(kind, data)

    # ---- typed -------------------------------------------------------------------------------------------
    def _to_typed(self, kind: PayloadKind, raw: Any) -> Any:
        if kind is PayloadKind.CONTROL_HEADER:
            return CccControlHeader(raw["controlHeaderFormat"]["ricStyleType"])
        if kind is PayloadKind.CONTROL_MESSAGE:
            fmt = raw["controlMessageFormat"]
            if "listOfCellsControlled" in fmt:
                return CccControlMessage(
                    cells=tuple(
                        CellControl(
                            cell_from_json(c["cellGlobalId"]),
                            tuple(self._change_in(s) for s in c["listOfConfigurationStructures"]),
                        )
                        for c in fmt["listOfCellsControlled"]
                    )
                )
            return CccControlMessage(
                node_changes=tuple(self._change_in(s) for s in fmt["listOfConfigurationStructures"])
            )
        if kind is PayloadKind.CONTROL_OUTCOME:
            fmt = raw["controlOutcomeFormat"]
            return CccControlOutcome(
                tuple(
                    CellOutcome(
                        cell_from_json(c["cellGlobalId"]),
                        tuple(
                            AcceptedChange(
                                a["ranConfigurationStructureName"],
                                _values(a["currentValuesOfAttributes"]),
                                _values(a["oldValuesOfAttributes"]),
                                a.get("appliedTimestamp"),
                            )
                            for a in c.get("ranConfigurationStructuresAcceptedList", ())
                        ),
                        tuple(
                            FailedChange(
                                f["ranConfigurationStructureName"],
                                f["cause"],
                                _values(f["requestedValuesOfAttributes"]),
                                _values(f["oldValuesOfAttributes"]),
                            )
                            for f in c.get("ranConfigurationStructuresFailedList", ())
                        ),
                    )
                    for c in fmt["listOfCellsForControlOutcome"]
                ),
                fmt.get("receivedTimestamp"),
            )
        return self._definition_in(raw)

    @staticmethod
    def _change_in(raw: dict[str, Any]) -> ConfigurationChange:
        return ConfigurationChange(
            raw["ranConfigurationStructureName"],
            _values(raw["newValuesOfAttributes"]),
            _values(raw["oldValuesOfAttributes"]),
        )

    @staticmethod
    def _change_out(change: ConfigurationChange) -> dict[str, Any]:
        return {
            "ranConfigurationStructureName": change.structure,
            "oldValuesOfAttributes": _wrap(change.old),
            "newValuesOfAttributes": _wrap(change.new),
        }

    @staticmethod
    def _structure_in(raw: dict[str, Any]) -> SupportedStructure:
        attrs = raw["listOfSupportedAttributes"]
        return SupportedStructure(
            raw["ranConfigurationStructureName"],
            tuple(a["attributeName"] for a in attrs),
            {a["attributeName"]: a["supportedServices"] for a in attrs if "supportedServices" in a},
        )

    @staticmethod
    def _structure_out(s: SupportedStructure) -> dict[str, Any]:
        attrs = []
        for name in s.attributes:
            item: dict[str, Any] = {"attributeName": name}
            if name in s.services:
                item["supportedServices"] = s.services[name]
            attrs.append(item)
        return {"ranConfigurationStructureName": s.name, "listOfSupportedAttributes": attrs}

    def _definition_in(self, raw: dict[str, Any]) -> CccRanFunctionDefinition:
        n = raw["ranFunctionName"]
        return CccRanFunctionDefinition(
            RanFunctionName(
                n["ranFunctionShortName"],
                n["ranFunctionE2SmOid"],
                n["ranFunctionDescription"],
                n.get("ranFunctionInstance"),
            ),
            tuple(
                CellStructures(
                    cell_from_json(c["cellGlobalId"]),
                    tuple(
                        self._structure_in(s) for s in c["listOfSupportedCellLevelRANConfigurationStructures"]
                    ),
                )
                for c in raw.get("listOfCellsForRANFunctionDefinition", ())
            ),
            tuple(
                self._structure_in(s) for s in raw.get("listOfSupportedNodeLevelConfigurationStructures", ())
            ),
        )

    def _from_typed(self, obj: Any) -> Any:
        if isinstance(obj, CccControlHeader):
            return {"controlHeaderFormat": {"ricStyleType": obj.style}}
        if isinstance(obj, CccControlMessage):
            if obj.cells and obj.node_changes:
                raise ValidationError(
                    "a control message is either cell-level (format 2) or node-level (format 1)",
                    where=f"{self.label} control-message",
                )
            if obj.cells:
                return {
                    "controlMessageFormat": {
                        "listOfCellsControlled": [
                            {
                                "cellGlobalId": cell_to_json(c.cell),
                                "listOfConfigurationStructures": [self._change_out(s) for s in c.changes],
                            }
                            for c in obj.cells
                        ]
                    }
                }
            return {
                "controlMessageFormat": {
                    "listOfConfigurationStructures": [self._change_out(s) for s in obj.node_changes]
                }
            }
        if isinstance(obj, CccControlOutcome):
            cells = []
            for c in obj.cells:
                cell: dict[str, Any] = {"cellGlobalId": cell_to_json(c.cell)}
                if c.accepted:
                    accepted = []
                    for a in c.accepted:
                        item: dict[str, Any] = {
                            "ranConfigurationStructureName": a.structure,
                            "oldValuesOfAttributes": _wrap(a.old),
                            "currentValuesOfAttributes": _wrap(a.current),
                        }
                        if a.applied_timestamp is not None:
                            item["appliedTimestamp"] = a.applied_timestamp
                        accepted.append(item)
                    cell["ranConfigurationStructuresAcceptedList"] = accepted
                if c.failed:
                    failed = []
                    for f in c.failed:
                        item = {
                            "ranConfigurationStructureName": f.structure,
                            "oldValuesOfAttributes": _wrap(f.old),
                            "requestedValuesOfAttributes": _wrap(f.requested),
                            "cause": f.cause,
                        }
                        failed.append(item)
                    cell["ranConfigurationStructuresFailedList"] = failed
                cells.append(cell)
            fmt: dict[str, Any] = {}
            if obj.received_timestamp is not None:
                fmt["receivedTimestamp"] = obj.received_timestamp
            fmt["listOfCellsForControlOutcome"] = cells
            return {"controlOutcomeFormat": fmt}
        name: dict[str, Any] = {
            "ranFunctionShortName": obj.name.short_name,
            "ranFunctionE2SmOid": obj.name.oid,
            "ranFunctionDescription": obj.name.description,
        }
        if obj.name.instance is not None:
            name["ranFunctionInstance"] = obj.name.instance
        raw: dict[str, Any] = {"ranFunctionName": name}
        if obj.node_structures:
            raw["listOfSupportedNodeLevelConfigurationStructures"] = [
                self._structure_out(s) for s in obj.node_structures
            ]
        if obj.cells:
            raw["listOfCellsForRANFunctionDefinition"] = [
                {
                    "cellGlobalId": cell_to_json(c.cell),
                    "listOfSupportedCellLevelRANConfigurationStructures": [
                        self._structure_out(s) for s in c.structures
                    ],
                }
                for c in obj.cells
            ]
        return raw
