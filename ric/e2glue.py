"""The RIC's one meeting point with the E2 library (``e2.sm`` service models, ``e2.ap`` messages).

Everything the hosts (embedded RIC, O-RAN SC) need from E2 goes through these functions, so the xApp API stays
free of ASN.1 and both hosts encode/decode the same way:

* version negotiation of a RAN function (:func:`with_version`, through the ``e2.sm`` registry);
* a KPM REPORT subscription plan from an xApp's :class:`~ric.xapp.types.KpmReportSpec`, encoded for the node's
  KPM version (E2SM-KPM 7.3 REPORT service: event trigger format 1, action definition format 1 per cell, or
  format 4 for UE-level reports);
* KPM indications as tidy rows; control payloads encoded with the node's RC/CCC codec.

Every failure is an :class:`e2.errors.E2Error`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from e2.errors import DecodeError, E2Error, EncodeError, UnsupportedServiceModel
from e2.sm import PayloadKind, ServiceModel, default_registry
from e2.sm.common import NrCgi, Plmn
from e2.sm.kpm import (
    KPM_SHORT_NAME,
    ActionDefinitionFormat1,
    ActionDefinitionFormat4,
    KpmActionDefinition,
    KpmEventTrigger,
    MeasurementInfo,
    TestCondition,
    kpm_rows,
)
from ric.xapp.types import CellInfo, KpmReportSpec, KpmReportStyleInfo, NodeInfo, RanFunctionInfo

__all__ = [
    "ControlAnswer",
    "IndicationPdu",
    "decode_control_answer",
    "decode_indication",
    "encode_control_request",
    "KPM_SHORT_NAME",
    "KpmAction",
    "KpmPlan",
    "cell_from_text",
    "cells_of",
    "encode_control_payload",
    "find_function",
    "kpm_model",
    "kpm_rows_or_error",
    "kpm_subscription",
    "model_for",
    "warm",
    "with_report_styles",
    "with_version",
]

log = logging.getLogger("ric.e2glue")

# Service-model families by the names xApps use in ControlRequest.service_model.
_FAMILY_NAMES = {"kpm": "kpm", "rc": "rc", "ccc": "ccc", "orane2smkpm": "kpm", "orane2smrc": "rc",
                 "orane2smccc": "ccc"}


@dataclass(frozen=True)
class KpmAction:
    """One REPORT action of a KPM subscription: its id, encoded definition, typed definition and cell label."""

    action_id: int
    definition: bytes
    typed: KpmActionDefinition
    cell: str | None


@dataclass(frozen=True)
class KpmPlan:
    """The E2SM part of a RIC Subscription Request: encoded event trigger and actions."""

    event_trigger: bytes
    actions: tuple[KpmAction, ...]
    version: str

    def action(self, action_id: int) -> KpmAction | None:
        """The action with RIC Action ID ``action_id`` (looked up for every indication: a dict built once)."""
        by_id: dict[int, KpmAction] | None = self.__dict__.get("_by_id")
        if by_id is None:
            by_id = {a.action_id: a for a in self.actions}
            object.__setattr__(self, "_by_id", by_id)
        return by_id.get(action_id)


def warm() -> None:
    """Compile (and generate the fast paths of) the codecs the RIC's hot paths use, by running each once: E2AP
    messages of the subscription / indication / control procedures and, per KPM version, a subscription plan
    and an indication decode. Seconds of CPU at start instead of a stalled loop when the first node arrives;
    the RIC runs it before it listens."""
    from e2 import ap
    from e2.sm.kpm import IndicationMessageFormat1, KpmIndicationHeader, MeasurementData

    rid = ap.RicRequestId(1, 1)
    for msg in (ap.RicIndication(rid, 1, 1, "report", b"h", b"m", sn=1),
                ap.RicControlRequest(rid, 1, b"h", b"m", None, "ack"), ap.RicControlAcknowledge(rid, 1),
                ap.RicControlFailure(rid, 1, ap.Cause("misc", "unspecified")),
                ap.RicSubscriptionRequest(rid, 1, ap.SubscriptionDetails(b"t", (ap.RicAction(1, "report", b"d"),))),
                ap.RicSubscriptionResponse(rid, 1, (1,)), ap.RicSubscriptionDeleteRequest(rid, 1)):
        ap.decode(ap.encode(msg))
    for model in default_registry().family("kpm"):
        info = RanFunctionInfo(1, model.oid, model.short_name, 1, model.version)
        plan = kpm_subscription(info, KpmReportSpec(("DRB.UEThpDl",), 100, cells=("001-01/000000001",)))
        header = model.encode(KpmIndicationHeader(collect_start_time=0.0))
        message = model.encode(IndicationMessageFormat1((MeasurementData((1.0,)),), plan.actions[0].typed
                                                        .definition.measurements, 100))
        kpm_rows_or_error(info, "warm", header, message, plan.actions[0].typed)


@functools.lru_cache(maxsize=4096)
def model_for(function: RanFunctionInfo) -> ServiceModel:
    """The codec for a node's RAN function (negotiated once in E2 Setup and kept in ``function.version``);
    cached per function, since it runs for every indication and control."""
    registry = default_registry()
    if function.version:
        family = _family(function)
        if family is not None:
            return registry.lookup(family, function.version)
    return registry.negotiate(function.oid, function.short_name or None, function.revision)


def _family(function: RanFunctionInfo) -> str | None:
    for m in default_registry().models:
        if function.oid == m.oid or function.short_name.upper() == m.short_name.upper():
            return m.cli_name
    return None


def with_version(function: RanFunctionInfo, definition: bytes | None = None) -> RanFunctionInfo:
    """``function`` with the service-model version the registry negotiates for it ("" when none fits)."""
    try:
        model = default_registry().negotiate(function.oid, function.short_name or None, function.revision,
                                             definition)
    except E2Error:
        return function
    return RanFunctionInfo(function.ran_function_id, function.oid, function.short_name or model.short_name,
                           function.revision, model.version)


def with_report_styles(function: RanFunctionInfo, definition: bytes | None) -> RanFunctionInfo:
    """``function`` with the REPORT styles and measurement names of its E2SM-KPM RAN function description
    (E2SM-KPM 8.2.2.1, decoded with the KPM codec of the negotiated version), so xApps can subscribe to what
    the node supports. Unchanged for other service models; a description that does not decode is logged and
    leaves the function without styles (xApps then learn by asking)."""
    if not definition or not function.version or _family(function) != "kpm":
        return function
    try:
        desc = model_for(function).decode(PayloadKind.RAN_FUNCTION_DESCRIPTION, definition)
    except E2Error as exc:
        log.warning("KPM RAN function %d description not decoded: %s", function.ran_function_id, exc)
        return function
    styles = tuple(KpmReportStyleInfo(s.style, s.name, s.action_format, tuple((m.name, m.id) for m in s.measurements))
                   for s in desc.report_styles)
    return dataclasses.replace(function, report_styles=styles)


def cells_of(functions: Any, infos: tuple[RanFunctionInfo, ...] | list[RanFunctionInfo]) -> tuple[CellInfo, ...]:
    """Cells an E2 node declares in E2 Setup. KPM v2/v3 and RC RAN function definitions carry no cell list;
    E2SM-CCC's does (List of Cells for RAN Function Definition), so cells come from a CCC function when the
    registry has a CCC codec. Otherwise the RIC learns cells from the indications' rows."""
    cells: dict[str, CellInfo] = {}
    for raw, info in zip(functions, infos, strict=True):
        if not info.version or _family(info) != "ccc":
            continue
        try:
            desc = model_for(info).decode(PayloadKind.RAN_FUNCTION_DESCRIPTION, raw.definition)
        except E2Error:
            continue
        for entry in getattr(desc, "cells", ()):  # CccRanFunctionDefinition.cells: (CellStructures(cell=NrCgi), ...)
            text = str(entry.cell)
            cells.setdefault(text, CellInfo(text, str(entry.cell.plmn), entry.cell.nci))
    return tuple(cells.values())


@functools.lru_cache(maxsize=4096)
def find_function(node: NodeInfo, service_model: str) -> RanFunctionInfo | None:
    """The node's RAN function for a family name (``"RC"``, ``"kpm"``, ``"ORAN-E2SM-CCC"``) or an OID."""
    key = _FAMILY_NAMES.get(re.sub(r"[^a-z]", "", service_model.lower()), service_model.lower())
    for f in node.ran_functions:
        if f.oid == service_model:
            return f
        family = _family(f)
        if family is not None and family == key:
            return f
    return None


def kpm_model(function: RanFunctionInfo) -> ServiceModel:
    model = model_for(function)
    if model.cli_name != "kpm":
        raise UnsupportedServiceModel(f"RAN function {function.ran_function_id} is {model.label}, not E2SM-KPM")
    return model


def cell_from_text(text: str) -> NrCgi:
    """Parse the tidy-row cell label ``"MCC-MNC/NCI"`` (NCI: 9 hex digits, 36 bits) back into an NR CGI."""
    m = re.fullmatch(r"(\d{3})-(\d{2,3})/([0-9a-fA-F]{1,9})", text.strip())
    if m is None:
        raise EncodeError(f"bad cell {text!r}: expected MCC-MNC/NCI, e.g. 001-01/000000001", where="cell")
    return NrCgi(Plmn(m.group(1), m.group(2)), int(m.group(3), 16))


def kpm_subscription(function: RanFunctionInfo, spec: KpmReportSpec, cells: tuple[CellInfo, ...] = ()) -> KpmPlan:
    """Event trigger + one action per cell (``spec.cells``, else the node's known cells, else one node-level
    action), encoded with the node's KPM version. UE-level specs use action definition format 4 (style 4: all
    UEs, matching condition "present"), which the node answers with indication message format 3."""
    model = kpm_model(function)
    trigger = model.encode(KpmEventTrigger(spec.period_ms))
    names = spec.cells if spec.cells is not None else tuple(c.nr_cgi for c in cells)
    targets: list[str | None] = list(names) or [None]
    granularity = spec.granularity_ms or spec.period_ms
    actions = []
    for i, cell_text in enumerate(targets, start=1):
        cgi = cell_from_text(cell_text) if cell_text else None
        fmt1 = ActionDefinitionFormat1(tuple(MeasurementInfo(m) for m in spec.measurements), granularity, cgi)
        typed = (KpmActionDefinition(4, ActionDefinitionFormat4((TestCondition("sNSSAI", "present"),), fmt1))
                 if spec.ue_level else KpmActionDefinition(1, fmt1))
        actions.append(KpmAction(i, model.encode(typed), typed, str(cgi) if cgi else None))
    return KpmPlan(trigger, tuple(actions), model.version)


def kpm_rows_or_error(function: RanFunctionInfo | None, node_id: str, header: bytes, message: bytes,
                      action: KpmActionDefinition | None = None,
                      cell: str | None = None) -> tuple[list[Any], str | None]:
    """Decode a KPM indication into tidy rows; on failure no rows and the reason (the raw bytes still reach the
    xApp, and the failure is counted as a decode error). ``cell``: the rows' cell label when the caller knows it
    already (a :class:`KpmAction`'s, the text of its definition's cell: not formatted again per indication)."""
    if function is None:
        return [], "no E2SM-KPM RAN function known for this node"
    try:
        model = kpm_model(function)
        h = model.decode(PayloadKind.INDICATION_HEADER, header)
        m = model.decode(PayloadKind.INDICATION_MESSAGE, message)
        return kpm_rows(h, m, node=node_id, action=action, cell=cell), None
    except E2Error as exc:
        return [], str(exc)


def encode_control_payload(function: RanFunctionInfo, header: Any, message: Any) -> tuple[bytes, bytes]:
    """RIC control header and message as bytes: bytes pass through, ``e2.sm`` typed values are encoded with the
    node's codec (so the same xApp request fits nodes of different versions)."""
    if isinstance(header, bytes | bytearray) and isinstance(message, bytes | bytearray):
        return bytes(header), bytes(message)
    model = model_for(function)
    h = bytes(header) if isinstance(header, bytes | bytearray) else model.encode(header)
    m = bytes(message) if isinstance(message, bytes | bytearray) else model.encode(message)
    return h, m


# -- E2AP (the O-RAN SC host carries whole E2AP PDUs in RMR payloads) ------------------------------------------
@dataclass(frozen=True)
class IndicationPdu:
    """The fields of an E2AP RIC Indication (9.1.1.7) an xApp host routes on."""

    requestor_id: int
    instance_id: int
    ran_function_id: int
    action_id: int
    sequence: int | None
    header: bytes
    message: bytes


@dataclass(frozen=True)
class ControlAnswer:
    """An E2AP RIC Control Acknowledge (ok) or Failure (with its cause), by RIC Request ID."""

    requestor_id: int
    instance_id: int
    ok: bool
    cause: str | None
    outcome: bytes | None


def decode_indication(pdu: bytes) -> IndicationPdu:
    """Decode an E2AP PDU that must be a RIC Indication (DecodeError otherwise)."""
    from e2 import ap

    msg = ap.decode(pdu)
    if not isinstance(msg, ap.RicIndication):
        raise DecodeError(f"expected RICindication, got {type(msg).__name__}", where="E2AP-PDU")
    return IndicationPdu(msg.request_id.requestor, msg.request_id.instance, msg.ran_function_id, msg.action_id,
                         msg.sn, msg.header, msg.message)


def decode_control_answer(pdu: bytes) -> ControlAnswer:
    """Decode an E2AP RIC Control Acknowledge / Failure (DecodeError for anything else)."""
    from e2 import ap

    msg = ap.decode(pdu)
    if isinstance(msg, ap.RicControlAcknowledge):
        return ControlAnswer(msg.request_id.requestor, msg.request_id.instance, True, None, msg.outcome)
    if isinstance(msg, ap.RicControlFailure):
        return ControlAnswer(msg.request_id.requestor, msg.request_id.instance, False, str(msg.cause),
                             msg.outcome)
    raise DecodeError(f"expected RICcontrolAcknowledge/Failure, got {type(msg).__name__}", where="E2AP-PDU")


def encode_control_request(requestor_id: int, instance_id: int, ran_function_id: int, header: bytes,
                           message: bytes, ack_requested: bool, call_process_id: bytes | None) -> bytes:
    """An E2AP RIC Control Request PDU (8.2.4)."""
    from e2 import ap

    return ap.encode(ap.RicControlRequest(ap.RicRequestId(requestor_id, instance_id), ran_function_id, header,
                                          message, call_process_id, "ack" if ack_requested else "noAck"))

