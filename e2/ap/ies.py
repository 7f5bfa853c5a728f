"""Typed E2AP information elements (E2AP v03.01 clause 9.2) and their mapping to/from ASN.1 values.

Each converter pair turns a dataclass into the asn1tools-convention value of its ASN.1 type and back. The
list IEs (RANfunctions-List, RICactions-ToBeSetup-List, ...) are SEQUENCE OF ProtocolIE-SingleContainer: each
item is a ProtocolIE-Field whose value is the open-type encoding of the item, so their converters encode and
decode the items through the codec (second pass), with the item IE id and criticality of the spec's item IE set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from e2.errors import DecodeError, EncodeError
from e2.identity import Plmn, bits_to_int, int_to_bits

__all__ = [
    "RicRequestId", "Cause", "GlobalE2NodeId", "GlobalRicId", "RanFunction", "RanFunctionRef",
    "RanFunctionRejection", "ComponentConfig", "ComponentConfigAck", "ComponentRef", "TnlAssociationRemoval",
    "SubsequentAction", "RicAction",
    "SubscriptionDetails", "ActionNotAdmitted", "CONVERTERS",
]

# ---------------------------------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RicRequestId:
    """RICrequestID (9.2.7): requestor (the xApp's id) and instance (the RIC's subscription instance)."""

    requestor: int
    instance: int


@dataclass(frozen=True)
class Cause:
    """Cause (9.2.4) as a typed (group, value) pair, e.g. ``Cause("ricRequest", "action-not-supported")``."""

    group: str
    value: str

    def __str__(self) -> str:
        return f"{self.group}/{self.value}"


@dataclass(frozen=True)
class GlobalE2NodeId:
    """Global E2 Node ID (9.2.6). ``node_type`` is the GlobalE2node-ID alternative: gNB, en-gNB, ng-eNB, eNB.

    For gNB / en-gNB ``node_id`` is the gNB ID of ``node_id_bits`` (22..32) bits; for ng-eNB / eNB it is the
    eNB ID and ``id_kind`` the ENB-ID alternative (e.g. ``macro-eNB-ID``). ``cu_up_id`` / ``du_id`` identify
    a CU-UP / DU behind a gNB (or the ng-eNB DU).
    """

    plmn: Plmn
    node_id: int
    node_id_bits: int = 32
    node_type: str = "gNB"
    cu_up_id: int | None = None
    du_id: int | None = None
    id_kind: str = ""

    def __str__(self) -> str:
        extra = "".join(f"/{k}={v}" for k, v in (("cu-up", self.cu_up_id), ("du", self.du_id)) if v is not None)
        return f"{self.node_type}:{self.plmn}:{self.node_id}/{self.node_id_bits}{extra}"


@dataclass(frozen=True)
class GlobalRicId:
    """Global RIC ID (9.2.14): PLMN + 20-bit near-RT RIC ID."""

    plmn: Plmn
    ric_id: int


@dataclass(frozen=True)
class RanFunction:
    """RAN function item of E2 Setup / RIC Service Update (9.2.23): the E2SM definition is opaque bytes here."""

    id: int
    definition: bytes
    revision: int
    oid: str


@dataclass(frozen=True)
class RanFunctionRef:
    """RAN function ID + revision (RANfunctionID-Item)."""

    id: int
    revision: int


@dataclass(frozen=True)
class RanFunctionRejection:
    id: int
    cause: Cause


@dataclass(frozen=True)
class ComponentConfig:
    """E2 node component configuration addition item (9.2.26-9.2.27, 9.2.32).

    ``component_id`` is the E2nodeComponentID CHOICE value (asn1tools convention), e.g.
    ``("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 1})``.
    """

    interface_type: str
    component_id: tuple[str, Any]
    request_part: bytes
    response_part: bytes


@dataclass(frozen=True)
class ComponentConfigAck:
    interface_type: str
    component_id: tuple[str, Any]
    outcome: str = "success"
    failure_cause: Cause | None = None


@dataclass(frozen=True)
class ComponentRef:
    """An E2 node component (E2nodeComponentConfigRemoval item): interface type + component ID."""

    interface_type: str
    component_id: tuple[str, Any]


@dataclass(frozen=True)
class TnlAssociationRemoval:
    """E2nodeTNLassociationRemoval item: the node's and the RIC's TNL information (TNLinformation values)."""

    tnl_information: dict[str, Any]
    tnl_information_ric: dict[str, Any]


@dataclass(frozen=True)
class SubsequentAction:
    type: str = "continue"          # continue | wait
    time_to_wait: str = "w10ms"     # RICtimeToWait item name


@dataclass(frozen=True)
class RicAction:
    """RIC action to be set up (9.1.1.1): the E2SM action definition is opaque bytes here."""

    id: int
    type: str = "report"            # report | insert | policy
    definition: bytes | None = None
    subsequent_action: SubsequentAction | None = None
    execution_order: int | None = None


@dataclass(frozen=True)
class SubscriptionDetails:
    """RICsubscriptionDetails: the E2SM event trigger (bytes) and the actions."""

    event_trigger: bytes
    actions: tuple[RicAction, ...]


@dataclass(frozen=True)
class ActionNotAdmitted:
    action_id: int
    cause: Cause


# ---------------------------------------------------------------------------------------------------------------
# Converters: ASN.1 type name -> (to_asn(value, codec), from_asn(asn_value, codec))
# ---------------------------------------------------------------------------------------------------------------
Converter = tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]


def _ident() -> Converter:
    return (lambda v, c: v), (lambda v, c: v)


def _cause_to(v: Cause, c: Any) -> Any:
    return (v.group, v.value)


def _cause_from(v: Any, c: Any) -> Cause:
    return Cause(v[0] or "unknown", v[1] or "unknown")


def _req_to(v: RicRequestId, c: Any) -> Any:
    return {"ricRequestorID": v.requestor, "ricInstanceID": v.instance}


def _req_from(v: Any, c: Any) -> RicRequestId:
    return RicRequestId(v["ricRequestorID"], v["ricInstanceID"])


def _node_to(v: GlobalE2NodeId, c: Any) -> Any:
    plmn = v.plmn.to_bytes()
    if v.node_type == "gNB":
        body: dict[str, Any] = {"global-gNB-ID": {"plmn-id": plmn,
                                                 "gnb-id": ("gnb-ID", int_to_bits(v.node_id, v.node_id_bits))}}
        if v.cu_up_id is not None:
            body["gNB-CU-UP-ID"] = v.cu_up_id
        if v.du_id is not None:
            body["gNB-DU-ID"] = v.du_id
    elif v.node_type == "en-gNB":
        body = {"global-en-gNB-ID": {"pLMN-Identity": plmn,
                                     "gNB-ID": ("gNB-ID", int_to_bits(v.node_id, v.node_id_bits))}}
        if v.cu_up_id is not None:
            body["en-gNB-CU-UP-ID"] = v.cu_up_id
        if v.du_id is not None:
            body["en-gNB-DU-ID"] = v.du_id
    elif v.node_type == "ng-eNB":
        kind = v.id_kind or "enb-ID-macro"
        body = {"global-ng-eNB-ID": {"plmn-id": plmn, "enb-id": (kind, int_to_bits(v.node_id, v.node_id_bits))}}
        if v.du_id is not None:
            body["ngENB-DU-ID"] = v.du_id
    elif v.node_type == "eNB":
        kind = v.id_kind or "macro-eNB-ID"
        body = {"global-eNB-ID": {"pLMN-Identity": plmn, "eNB-ID": (kind, int_to_bits(v.node_id, v.node_id_bits))}}
    else:
        raise EncodeError(f"unknown E2 node type {v.node_type!r}", where="GlobalE2node-ID")
    return (v.node_type, body)


def _node_from(v: Any, c: Any) -> GlobalE2NodeId:
    alt, body = v
    if alt == "gNB":
        g = body["global-gNB-ID"]
        bits = g["gnb-id"][1]
        return GlobalE2NodeId(Plmn.from_bytes(g["plmn-id"]), bits_to_int(bits), bits[1], "gNB",
                              body.get("gNB-CU-UP-ID"), body.get("gNB-DU-ID"))
    if alt == "en-gNB":
        g = body["global-en-gNB-ID"]
        bits = g["gNB-ID"][1]
        return GlobalE2NodeId(Plmn.from_bytes(g["pLMN-Identity"]), bits_to_int(bits), bits[1], "en-gNB",
                              body.get("en-gNB-CU-UP-ID"), body.get("en-gNB-DU-ID"))
    if alt == "ng-eNB":
        g = body["global-ng-eNB-ID"]
        kind, bits = g["enb-id"]
        return GlobalE2NodeId(Plmn.from_bytes(g["plmn-id"]), bits_to_int(bits), bits[1], "ng-eNB",
                              None, body.get("ngENB-DU-ID"), kind)
    if alt == "eNB":
        g = body["global-eNB-ID"]
        kind, bits = g["eNB-ID"]
        return GlobalE2NodeId(Plmn.from_bytes(g["pLMN-Identity"]), bits_to_int(bits), bits[1], "eNB", id_kind=kind)
    raise DecodeError(f"unknown GlobalE2node-ID alternative {alt!r}", where="GlobalE2node-ID")


def _ric_to(v: GlobalRicId, c: Any) -> Any:
    return {"pLMN-Identity": v.plmn.to_bytes(), "ric-ID": int_to_bits(v.ric_id, 20)}


def _ric_from(v: Any, c: Any) -> GlobalRicId:
    return GlobalRicId(Plmn.from_bytes(v["pLMN-Identity"]), bits_to_int(v["ric-ID"]))


def _item_list(item_id: int, criticality: str, item_type: str,
               to: Callable[[Any], Any], frm: Callable[[Any], Any]) -> Converter:
    """Converter of a SEQUENCE OF ProtocolIE-SingleContainer whose items are ``item_type`` with IE ``item_id``."""

    def to_asn(values: Any, codec: Any) -> Any:
        return [{"id": item_id, "criticality": criticality, "value": codec.encode(item_type, to(v))}
                for v in values]

    def from_asn(fields: Any, codec: Any) -> Any:
        out = []
        for f in fields:
            if f["id"] != item_id:      # lenient: an item of an unknown kind is skipped
                continue
            out.append(frm(codec.decode(item_type, f["value"])))
        return tuple(out)

    return to_asn, from_asn


def _ranfn_to(v: RanFunction) -> Any:
    return {"ranFunctionID": v.id, "ranFunctionDefinition": v.definition, "ranFunctionRevision": v.revision,
            "ranFunctionOID": v.oid}


def _ranfn_from(v: Any) -> RanFunction:
    return RanFunction(v["ranFunctionID"], v["ranFunctionDefinition"], v["ranFunctionRevision"], v["ranFunctionOID"])


def _action_to(a: RicAction) -> Any:
    out: dict[str, Any] = {"ricActionID": a.id, "ricActionType": a.type}
    if a.definition is not None:
        out["ricActionDefinition"] = a.definition
    if a.subsequent_action is not None:
        out["ricSubsequentAction"] = {"ricSubsequentActionType": a.subsequent_action.type,
                                      "ricTimeToWait": a.subsequent_action.time_to_wait}
    if a.execution_order is not None:
        out["ricActionExecutionOrder"] = a.execution_order
    return out


def _action_from(v: Any) -> RicAction:
    sub = v.get("ricSubsequentAction")
    return RicAction(v["ricActionID"], v["ricActionType"], v.get("ricActionDefinition"),
                     SubsequentAction(sub["ricSubsequentActionType"], sub["ricTimeToWait"]) if sub else None,
                     v.get("ricActionExecutionOrder"))


_ACTIONS = _item_list(19, "ignore", "RICaction-ToBeSetup-Item", _action_to, _action_from)


def _details_to(v: SubscriptionDetails, c: Any) -> Any:
    return {"ricEventTriggerDefinition": v.event_trigger, "ricAction-ToBeSetup-List": _ACTIONS[0](v.actions, c)}


def _details_from(v: Any, c: Any) -> SubscriptionDetails:
    return SubscriptionDetails(v["ricEventTriggerDefinition"], _ACTIONS[1](v["ricAction-ToBeSetup-List"], c))


def _cfg_to(v: ComponentConfig) -> Any:
    return {"e2nodeComponentInterfaceType": v.interface_type, "e2nodeComponentID": v.component_id,
            "e2nodeComponentConfiguration": {"e2nodeComponentRequestPart": v.request_part,
                                             "e2nodeComponentResponsePart": v.response_part}}


def _cfg_from(v: Any) -> ComponentConfig:
    cfg = v["e2nodeComponentConfiguration"]
    return ComponentConfig(v["e2nodeComponentInterfaceType"], v["e2nodeComponentID"],
                           cfg["e2nodeComponentRequestPart"], cfg["e2nodeComponentResponsePart"])


def _cfgack_to(v: ComponentConfigAck) -> Any:
    ack: dict[str, Any] = {"updateOutcome": v.outcome}
    if v.failure_cause is not None:
        ack["failureCause"] = _cause_to(v.failure_cause, None)
    return {"e2nodeComponentInterfaceType": v.interface_type, "e2nodeComponentID": v.component_id,
            "e2nodeComponentConfigurationAck": ack}


def _cfgack_from(v: Any) -> ComponentConfigAck:
    ack = v["e2nodeComponentConfigurationAck"]
    cause = ack.get("failureCause")
    return ComponentConfigAck(v["e2nodeComponentInterfaceType"], v["e2nodeComponentID"], ack["updateOutcome"],
                              _cause_from(cause, None) if cause else None)


CONVERTERS: dict[str, Converter] = {
    "Cause": (_cause_to, _cause_from),
    "RICrequestID": (_req_to, _req_from),
    "GlobalE2node-ID": (_node_to, _node_from),
    "GlobalRIC-ID": (_ric_to, _ric_from),
    "RICsubscriptionDetails": (_details_to, _details_from),
    "RANfunctions-List": _item_list(8, "ignore", "RANfunction-Item", _ranfn_to, _ranfn_from),
    "RANfunctionsID-List": _item_list(
        6, "ignore", "RANfunctionID-Item",
        lambda v: {"ranFunctionID": v.id, "ranFunctionRevision": v.revision},
        lambda v: RanFunctionRef(v["ranFunctionID"], v["ranFunctionRevision"])),
    "RANfunctionsIDcause-List": _item_list(
        7, "ignore", "RANfunctionIDcause-Item",
        lambda v: {"ranFunctionID": v.id, "cause": _cause_to(v.cause, None)},
        lambda v: RanFunctionRejection(v["ranFunctionID"], _cause_from(v["cause"], None))),
    "RICaction-Admitted-List": _item_list(
        14, "ignore", "RICaction-Admitted-Item", lambda v: {"ricActionID": v}, lambda v: v["ricActionID"]),
    "RICaction-NotAdmitted-List": _item_list(
        16, "ignore", "RICaction-NotAdmitted-Item",
        lambda v: {"ricActionID": v.action_id, "cause": _cause_to(v.cause, None)},
        lambda v: ActionNotAdmitted(v["ricActionID"], _cause_from(v["cause"], None))),
    "E2nodeComponentConfigAddition-List": _item_list(
        51, "reject", "E2nodeComponentConfigAddition-Item", _cfg_to, _cfg_from),
    "E2nodeComponentConfigAdditionAck-List": _item_list(
        53, "reject", "E2nodeComponentConfigAdditionAck-Item", _cfgack_to, _cfgack_from),
    "E2nodeComponentConfigUpdate-List": _item_list(34, "reject", "E2nodeComponentConfigUpdate-Item", _cfg_to, _cfg_from),
    "E2nodeComponentConfigUpdateAck-List": _item_list(
        36, "reject", "E2nodeComponentConfigUpdateAck-Item", _cfgack_to, _cfgack_from),
    "E2nodeComponentConfigRemoval-List": _item_list(
        55, "reject", "E2nodeComponentConfigRemoval-Item",
        lambda v: {"e2nodeComponentInterfaceType": v.interface_type, "e2nodeComponentID": v.component_id},
        lambda v: ComponentRef(v["e2nodeComponentInterfaceType"], v["e2nodeComponentID"])),
    "E2nodeComponentConfigRemovalAck-List": _item_list(
        57, "reject", "E2nodeComponentConfigRemovalAck-Item", _cfgack_to, _cfgack_from),
    "E2nodeTNLassociationRemoval-List": _item_list(
        59, "reject", "E2nodeTNLassociationRemoval-Item",
        lambda v: {"tnlInformation": v.tnl_information, "tnlInformationRIC": v.tnl_information_ric},
        lambda v: TnlAssociationRemoval(v["tnlInformation"], v["tnlInformationRIC"])),
}


_IDENTITY = _ident()


def converter(type_name: str) -> Converter:
    """The converter of an IE type (identity for INTEGER / OCTET STRING / ENUMERATED / raw SEQUENCE IEs)."""
    return CONVERTERS.get(type_name) or _IDENTITY
