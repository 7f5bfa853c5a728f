"""One example of every E2AP message type ranpilot implements (used by tests, the fuzzer and benchmarks).

The values exercise optional IEs, extension additions (RICactionExecutionOrder, RICsubscriptionStartTime), every
E2 node identity field and list IEs, so that a codec change that breaks any of them shows up at once.
"""

from __future__ import annotations

from e2.ap import messages as m
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
    RicAction,
    RicRequestId,
    SubscriptionDetails,
    SubsequentAction,
    TnlAssociationRemoval,
)
from e2.identity import Plmn

__all__ = ["SAMPLES", "sample_messages"]

PLMN = Plmn("001", "01")
NODE = GlobalE2NodeId(PLMN, 0x19B, 22, du_id=7)
RID = RicRequestId(1001, 3)
CAUSE = Cause("ricRequest", "action-not-supported")
KPM_OID = "1.3.6.1.4.1.53148.1.3.2.2"
CFG = ComponentConfig("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 7}), b"req", b"resp")
ACK = ComponentConfigAck("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 7}))
DIAG = {"procedureCode": 8, "triggeringMessage": "initiating-message", "procedureCriticality": "reject"}

SAMPLES: tuple[m.E2apMessage, ...] = (
    m.E2SetupRequest(
        0,
        NODE,
        (
            RanFunction(2, b"\x00\x01", 1, KPM_OID),
            RanFunction(3, b"{}", 2, "1.3.6.1.4.1.53148.1.6.2.4"),
        ),
        (CFG,),
    ),
    m.E2SetupResponse(
        0,
        GlobalRicId(PLMN, 0xABCDE),
        (ACK,),
        (RanFunctionRef(2, 1),),
        (RanFunctionRejection(3, Cause("ricService", "ran-function-not-supported")),),
    ),
    m.E2SetupFailure(1, Cause("misc", "unspecified"), "v10s", DIAG),
    m.RicSubscriptionRequest(
        RID,
        2,
        SubscriptionDetails(
            b"\x01\x02",
            (
                RicAction(1, "report", b"\x05"),
                RicAction(2, "insert", None, SubsequentAction("wait", "w100ms"), execution_order=3),
            ),
        ),
        start_time=bytes(8),
    ),
    m.RicSubscriptionResponse(RID, 2, (1,), (ActionNotAdmitted(2, CAUSE),)),
    m.RicSubscriptionFailure(RID, 2, CAUSE, DIAG),
    m.RicSubscriptionDeleteRequest(RID, 2),
    m.RicSubscriptionDeleteResponse(RID, 2),
    m.RicSubscriptionDeleteFailure(RID, 2, Cause("ricRequest", "request-id-unknown")),
    m.RicIndication(RID, 2, 1, "report", b"hdr", b"msg" * 100, sn=65535, call_process_id=b"\x09"),
    m.RicControlRequest(RID, 4, b"ch", b"cm", b"cp", "ack"),
    m.RicControlAcknowledge(RID, 4, b"cp", b"outcome"),
    m.RicControlFailure(RID, 4, Cause("ricRequest", "control-failed-to-execute"), None, b"o"),
    m.ErrorIndication(cause=Cause("protocol", "transfer-syntax-error")),
    m.ErrorIndication(5, RID, 2, CAUSE, DIAG),
    m.ResetRequest(9, Cause("misc", "om-intervention")),
    m.ResetResponse(9),
    m.RicServiceUpdate(4, added=(RanFunction(5, b"d", 1, KPM_OID),), deleted=(RanFunctionRef(3, 2),)),
    m.RicServiceUpdateAcknowledge(4, (RanFunctionRef(5, 1),)),
    m.RicServiceUpdateFailure(4, Cause("ricService", "excessive-functions"), "v1s"),
    m.RicServiceQuery(2, (RanFunctionRef(5, 1),)),
    m.E2NodeConfigurationUpdate(5, NODE, (CFG,), (CFG,), (ComponentRef("f1", CFG.component_id),),
                                (TnlAssociationRemoval({"tnlAddress": (b"\x7f\x00\x00\x01", 32)},
                                                       {"tnlAddress": (b"\x0a\x00\x00\x01", 32),
                                                        "tnlPort": (b"\x8e\x45", 16)}),)),
    m.E2NodeConfigurationUpdateAcknowledge(5, (ACK,), (ACK,), (ComponentConfigAck(
        "f1", CFG.component_id, "failure", Cause("e2Node", "e2node-component-unknown")),)),
    m.E2NodeConfigurationUpdateFailure(5, Cause("misc", "unspecified"), "v5s"),
)


def sample_messages() -> tuple[m.E2apMessage, ...]:
    """One (or two) valid messages of every type of :data:`e2.ap.messages.MESSAGE_TYPES`."""
    return SAMPLES
