"""Typed E2AP v03.01 messages (clause 9.1) and their information object sets.

Every message class carries what the spec's ASN.1 information object sets say (clause 9.3.3-9.3.4): the
procedure code and criticality of its elementary procedure (E2AP-ELEMENTARY-PROCEDURES), which PDU alternative
it travels in, and its IE set (E2AP-PROTOCOL-IES: id, criticality, type, presence) in the canonical order used
when encoding. Field names of the dataclass are the IE attributes; optional IEs default to ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from e2.ap.ies import (
    ActionNotAdmitted,
    Cause,
    ComponentConfig,
    ComponentConfigAck,
    ComponentRef,
    GlobalE2NodeId,
    GlobalRicId,
    RanFunction,
    RanFunctionRef,
    RanFunctionRejection,
    RicRequestId,
    SubscriptionDetails,
    TnlAssociationRemoval,
)

INITIATING, SUCCESSFUL, UNSUCCESSFUL = "initiatingMessage", "successfulOutcome", "unsuccessfulOutcome"
M, OPT = "mandatory", "optional"

# Procedure codes and criticalities (E2AP-Constants, E2AP-PDU-Descriptions 9.3.3)
PROCEDURES: dict[int, tuple[str, str]] = {
    1: ("id-E2setup", "reject"),
    2: ("id-ErrorIndication", "ignore"),
    3: ("id-Reset", "reject"),
    4: ("id-RICcontrol", "reject"),
    5: ("id-RICindication", "ignore"),
    6: ("id-RICserviceQuery", "ignore"),
    7: ("id-RICserviceUpdate", "reject"),
    8: ("id-RICsubscription", "reject"),
    9: ("id-RICsubscriptionDelete", "reject"),
    10: ("id-E2nodeConfigurationUpdate", "reject"),
}

# IE ids (E2AP-Constants) -> name, for messages and the CLI
IE_NAMES: dict[int, str] = {
    1: "id-Cause", 2: "id-CriticalityDiagnostics", 3: "id-GlobalE2node-ID", 4: "id-GlobalRIC-ID",
    5: "id-RANfunctionID", 6: "id-RANfunctionID-Item", 7: "id-RANfunctionIEcause-Item", 8: "id-RANfunction-Item",
    9: "id-RANfunctionsAccepted", 10: "id-RANfunctionsAdded", 11: "id-RANfunctionsDeleted",
    12: "id-RANfunctionsModified", 13: "id-RANfunctionsRejected", 14: "id-RICaction-Admitted-Item",
    15: "id-RICactionID", 16: "id-RICaction-NotAdmitted-Item", 17: "id-RICactions-Admitted",
    18: "id-RICactions-NotAdmitted", 19: "id-RICaction-ToBeSetup-Item", 20: "id-RICcallProcessID",
    21: "id-RICcontrolAckRequest", 22: "id-RICcontrolHeader", 23: "id-RICcontrolMessage",
    25: "id-RICindicationHeader", 26: "id-RICindicationMessage", 27: "id-RICindicationSN",
    28: "id-RICindicationType", 29: "id-RICrequestID", 30: "id-RICsubscriptionDetails", 31: "id-TimeToWait",
    32: "id-RICcontrolOutcome", 33: "id-E2nodeComponentConfigUpdate", 34: "id-E2nodeComponentConfigUpdate-Item",
    35: "id-E2nodeComponentConfigUpdateAck", 36: "id-E2nodeComponentConfigUpdateAck-Item",
    48: "id-TNLinformation", 49: "id-TransactionID",
    50: "id-E2nodeComponentConfigAddition", 51: "id-E2nodeComponentConfigAddition-Item",
    52: "id-E2nodeComponentConfigAdditionAck", 53: "id-E2nodeComponentConfigAdditionAck-Item",
    54: "id-E2nodeComponentConfigRemoval", 55: "id-E2nodeComponentConfigRemoval-Item",
    56: "id-E2nodeComponentConfigRemovalAck", 57: "id-E2nodeComponentConfigRemovalAck-Item",
    58: "id-E2nodeTNLassociationRemoval", 59: "id-E2nodeTNLassociationRemoval-Item",
    62: "id-RICsubscriptionStartTime", 63: "id-RICsubscriptionEndTime",
}


@dataclass(frozen=True)
class IeSpec:
    """One entry of an IE set: ``{ ID id CRITICALITY c TYPE t PRESENCE p }`` plus the dataclass attribute."""

    id: int
    criticality: str
    type: str
    presence: str
    attr: str

    @property
    def name(self) -> str:
        return IE_NAMES.get(self.id, f"id-{self.id}")


def _ies(*rows: tuple[int, str, str, str, str]) -> tuple[IeSpec, ...]:
    return tuple(IeSpec(*row) for row in rows)


_REQ = (29, "reject", "RICrequestID", M, "request_id")
_RANFN = (5, "reject", "RANfunctionID", M, "ran_function_id")
_CRITDIAG = (2, "ignore", "CriticalityDiagnostics", OPT, "criticality_diagnostics")
_TXID = (49, "reject", "TransactionID", M, "transaction_id")


class E2apMessage:
    """Base of every typed E2AP message."""

    PROCEDURE: ClassVar[int]
    KIND: ClassVar[str]
    ASN1_TYPE: ClassVar[str]
    IES: ClassVar[tuple[IeSpec, ...]]

    @property
    def procedure_name(self) -> str:
        return PROCEDURES[self.PROCEDURE][0]


# -- RIC Subscription (9.1.1.1-3) -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RicSubscriptionRequest(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    details: SubscriptionDetails
    start_time: bytes | None = None
    end_time: bytes | None = None
    PROCEDURE, KIND, ASN1_TYPE = 8, INITIATING, "RICsubscriptionRequest"
    IES = _ies(_REQ, _RANFN, (30, "reject", "RICsubscriptionDetails", M, "details"),
               (62, "reject", "RICsubscriptionTime", OPT, "start_time"),
               (63, "reject", "RICsubscriptionTime", OPT, "end_time"))


@dataclass(frozen=True)
class RicSubscriptionResponse(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    admitted: tuple[int, ...]
    not_admitted: tuple[ActionNotAdmitted, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 8, SUCCESSFUL, "RICsubscriptionResponse"
    IES = _ies(_REQ, _RANFN, (17, "reject", "RICaction-Admitted-List", M, "admitted"),
               (18, "reject", "RICaction-NotAdmitted-List", OPT, "not_admitted"))


@dataclass(frozen=True)
class RicSubscriptionFailure(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    cause: Cause
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 8, UNSUCCESSFUL, "RICsubscriptionFailure"
    IES = _ies(_REQ, _RANFN, (1, "reject", "Cause", M, "cause"), _CRITDIAG)


# -- RIC Subscription Delete (9.1.1.4-6) ------------------------------------------------------------------------
@dataclass(frozen=True)
class RicSubscriptionDeleteRequest(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    PROCEDURE, KIND, ASN1_TYPE = 9, INITIATING, "RICsubscriptionDeleteRequest"
    IES = _ies(_REQ, _RANFN)


@dataclass(frozen=True)
class RicSubscriptionDeleteResponse(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    PROCEDURE, KIND, ASN1_TYPE = 9, SUCCESSFUL, "RICsubscriptionDeleteResponse"
    IES = _ies(_REQ, _RANFN)


@dataclass(frozen=True)
class RicSubscriptionDeleteFailure(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    cause: Cause
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 9, UNSUCCESSFUL, "RICsubscriptionDeleteFailure"
    IES = _ies(_REQ, _RANFN, (1, "ignore", "Cause", M, "cause"), _CRITDIAG)


# -- RIC Indication (9.1.1.7) -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RicIndication(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    action_id: int
    indication_type: str        # report | insert
    header: bytes
    message: bytes
    sn: int | None = None
    call_process_id: bytes | None = None
    PROCEDURE, KIND, ASN1_TYPE = 5, INITIATING, "RICindication"
    IES = _ies(_REQ, _RANFN, (15, "reject", "RICactionID", M, "action_id"),
               (27, "reject", "RICindicationSN", OPT, "sn"),
               (28, "reject", "RICindicationType", M, "indication_type"),
               (25, "reject", "RICindicationHeader", M, "header"),
               (26, "reject", "RICindicationMessage", M, "message"),
               (20, "reject", "RICcallProcessID", OPT, "call_process_id"))


# -- RIC Control (9.1.1.8-10) -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RicControlRequest(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    header: bytes
    message: bytes
    call_process_id: bytes | None = None
    ack_request: str | None = None      # noAck | ack
    PROCEDURE, KIND, ASN1_TYPE = 4, INITIATING, "RICcontrolRequest"
    IES = _ies(_REQ, _RANFN, (20, "reject", "RICcallProcessID", OPT, "call_process_id"),
               (22, "reject", "RICcontrolHeader", M, "header"),
               (23, "reject", "RICcontrolMessage", M, "message"),
               (21, "reject", "RICcontrolAckRequest", OPT, "ack_request"))


@dataclass(frozen=True)
class RicControlAcknowledge(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    call_process_id: bytes | None = None
    outcome: bytes | None = None
    PROCEDURE, KIND, ASN1_TYPE = 4, SUCCESSFUL, "RICcontrolAcknowledge"
    IES = _ies(_REQ, _RANFN, (20, "reject", "RICcallProcessID", OPT, "call_process_id"),
               (32, "reject", "RICcontrolOutcome", OPT, "outcome"))


@dataclass(frozen=True)
class RicControlFailure(E2apMessage):
    request_id: RicRequestId
    ran_function_id: int
    cause: Cause
    call_process_id: bytes | None = None
    outcome: bytes | None = None
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 4, UNSUCCESSFUL, "RICcontrolFailure"
    IES = _ies(_REQ, _RANFN, (20, "reject", "RICcallProcessID", OPT, "call_process_id"),
               (1, "ignore", "Cause", M, "cause"),
               (32, "reject", "RICcontrolOutcome", OPT, "outcome"), _CRITDIAG)


# -- Error Indication (9.1.2.1) ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrorIndication(E2apMessage):
    transaction_id: int | None = None
    request_id: RicRequestId | None = None
    ran_function_id: int | None = None
    cause: Cause | None = None
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 2, INITIATING, "ErrorIndication"
    IES = _ies((49, "reject", "TransactionID", OPT, "transaction_id"),
               (29, "reject", "RICrequestID", OPT, "request_id"),
               (5, "reject", "RANfunctionID", OPT, "ran_function_id"),
               (1, "ignore", "Cause", OPT, "cause"), _CRITDIAG)


# -- E2 Setup (9.1.2.2-4) ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class E2SetupRequest(E2apMessage):
    transaction_id: int
    global_e2_node_id: GlobalE2NodeId
    ran_functions: tuple[RanFunction, ...]
    component_configs: tuple[ComponentConfig, ...]
    PROCEDURE, KIND, ASN1_TYPE = 1, INITIATING, "E2setupRequest"
    IES = _ies(_TXID, (3, "reject", "GlobalE2node-ID", M, "global_e2_node_id"),
               (10, "reject", "RANfunctions-List", M, "ran_functions"),
               (50, "reject", "E2nodeComponentConfigAddition-List", M, "component_configs"))


@dataclass(frozen=True)
class E2SetupResponse(E2apMessage):
    transaction_id: int
    global_ric_id: GlobalRicId
    component_config_acks: tuple[ComponentConfigAck, ...]
    accepted: tuple[RanFunctionRef, ...] | None = None
    rejected: tuple[RanFunctionRejection, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 1, SUCCESSFUL, "E2setupResponse"
    IES = _ies(_TXID, (4, "reject", "GlobalRIC-ID", M, "global_ric_id"),
               (9, "reject", "RANfunctionsID-List", OPT, "accepted"),
               (13, "reject", "RANfunctionsIDcause-List", OPT, "rejected"),
               (52, "reject", "E2nodeComponentConfigAdditionAck-List", M, "component_config_acks"))


@dataclass(frozen=True)
class E2SetupFailure(E2apMessage):
    transaction_id: int
    cause: Cause
    time_to_wait: str | None = None
    criticality_diagnostics: dict[str, Any] | None = None
    tnl_information: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 1, UNSUCCESSFUL, "E2setupFailure"
    IES = _ies(_TXID, (1, "ignore", "Cause", M, "cause"), (31, "ignore", "TimeToWait", OPT, "time_to_wait"),
               _CRITDIAG, (48, "ignore", "TNLinformation", OPT, "tnl_information"))


# -- Reset (9.1.2.5-6) ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResetRequest(E2apMessage):
    transaction_id: int
    cause: Cause
    PROCEDURE, KIND, ASN1_TYPE = 3, INITIATING, "ResetRequest"
    IES = _ies(_TXID, (1, "ignore", "Cause", M, "cause"))


@dataclass(frozen=True)
class ResetResponse(E2apMessage):
    transaction_id: int
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 3, SUCCESSFUL, "ResetResponse"
    IES = _ies(_TXID, _CRITDIAG)


# -- RIC Service Update (9.1.2.7-9) / RIC Service Query (9.1.2.10) ----------------------------------------------
@dataclass(frozen=True)
class RicServiceUpdate(E2apMessage):
    transaction_id: int
    added: tuple[RanFunction, ...] | None = None
    modified: tuple[RanFunction, ...] | None = None
    deleted: tuple[RanFunctionRef, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 7, INITIATING, "RICserviceUpdate"
    IES = _ies(_TXID, (10, "reject", "RANfunctions-List", OPT, "added"),
               (12, "reject", "RANfunctions-List", OPT, "modified"),
               (11, "reject", "RANfunctionsID-List", OPT, "deleted"))


@dataclass(frozen=True)
class RicServiceUpdateAcknowledge(E2apMessage):
    transaction_id: int
    accepted: tuple[RanFunctionRef, ...] | None = None
    rejected: tuple[RanFunctionRejection, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 7, SUCCESSFUL, "RICserviceUpdateAcknowledge"
    IES = _ies(_TXID, (9, "reject", "RANfunctionsID-List", OPT, "accepted"),
               (13, "reject", "RANfunctionsIDcause-List", OPT, "rejected"))


@dataclass(frozen=True)
class RicServiceUpdateFailure(E2apMessage):
    transaction_id: int
    cause: Cause
    time_to_wait: str | None = None
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 7, UNSUCCESSFUL, "RICserviceUpdateFailure"
    IES = _ies(_TXID, (1, "reject", "Cause", M, "cause"), (31, "ignore", "TimeToWait", OPT, "time_to_wait"),
               _CRITDIAG)


@dataclass(frozen=True)
class RicServiceQuery(E2apMessage):
    transaction_id: int
    accepted: tuple[RanFunctionRef, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 6, INITIATING, "RICserviceQuery"
    IES = _ies(_TXID, (9, "reject", "RANfunctionsID-List", OPT, "accepted"))


# -- E2 Node Configuration Update (9.1.2.11-13) -----------------------------------------------------------------
@dataclass(frozen=True)
class E2NodeConfigurationUpdate(E2apMessage):
    transaction_id: int
    global_e2_node_id: GlobalE2NodeId | None = None
    additions: tuple[ComponentConfig, ...] | None = None
    updates: tuple[ComponentConfig, ...] | None = None
    removals: tuple[ComponentRef, ...] | None = None
    tnl_removals: tuple[TnlAssociationRemoval, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 10, INITIATING, "E2nodeConfigurationUpdate"
    IES = _ies(_TXID, (3, "reject", "GlobalE2node-ID", OPT, "global_e2_node_id"),
               (50, "reject", "E2nodeComponentConfigAddition-List", OPT, "additions"),
               (33, "reject", "E2nodeComponentConfigUpdate-List", OPT, "updates"),
               (54, "reject", "E2nodeComponentConfigRemoval-List", OPT, "removals"),
               (58, "reject", "E2nodeTNLassociationRemoval-List", OPT, "tnl_removals"))


@dataclass(frozen=True)
class E2NodeConfigurationUpdateAcknowledge(E2apMessage):
    transaction_id: int
    addition_acks: tuple[ComponentConfigAck, ...] | None = None
    update_acks: tuple[ComponentConfigAck, ...] | None = None
    removal_acks: tuple[ComponentConfigAck, ...] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 10, SUCCESSFUL, "E2nodeConfigurationUpdateAcknowledge"
    IES = _ies(_TXID, (52, "reject", "E2nodeComponentConfigAdditionAck-List", OPT, "addition_acks"),
               (35, "reject", "E2nodeComponentConfigUpdateAck-List", OPT, "update_acks"),
               (56, "reject", "E2nodeComponentConfigRemovalAck-List", OPT, "removal_acks"))


@dataclass(frozen=True)
class E2NodeConfigurationUpdateFailure(E2apMessage):
    transaction_id: int
    cause: Cause
    time_to_wait: str | None = None
    criticality_diagnostics: dict[str, Any] | None = None
    PROCEDURE, KIND, ASN1_TYPE = 10, UNSUCCESSFUL, "E2nodeConfigurationUpdateFailure"
    IES = _ies(_TXID, (1, "ignore", "Cause", M, "cause"), (31, "ignore", "TimeToWait", OPT, "time_to_wait"),
               _CRITDIAG)


MESSAGE_TYPES: tuple[type[E2apMessage], ...] = (
    RicSubscriptionRequest, RicSubscriptionResponse, RicSubscriptionFailure,
    RicSubscriptionDeleteRequest, RicSubscriptionDeleteResponse, RicSubscriptionDeleteFailure,
    RicIndication, RicControlRequest, RicControlAcknowledge, RicControlFailure, ErrorIndication,
    E2SetupRequest, E2SetupResponse, E2SetupFailure, ResetRequest, ResetResponse,
    RicServiceUpdate, RicServiceUpdateAcknowledge, RicServiceUpdateFailure, RicServiceQuery,
    E2NodeConfigurationUpdate, E2NodeConfigurationUpdateAcknowledge, E2NodeConfigurationUpdateFailure,
)

# (procedure code, PDU alternative) -> message class
BY_PROCEDURE: dict[tuple[int, str], type[E2apMessage]] = {(m.PROCEDURE, m.KIND): m for m in MESSAGE_TYPES}
