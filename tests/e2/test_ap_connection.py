"""Sans-I/O E2 node and RIC connections driven against each other (no sockets, explicit time)."""

from __future__ import annotations

import pytest

from e2 import ap
from e2.ap import messages as m
from e2.ap.connection import (
    E2NodeConnection,
    E2SetupDone,
    MessageReceived,
    PduRejected,
    ProcedureTimedOut,
    RicConnection,
    SubscriptionDone,
)
from e2.errors import ProtocolError
from e2.sm import default_registry

PLMN = ap.Plmn("001", "01")


@pytest.fixture()
def pair():
    registry = default_registry()
    node = E2NodeConnection(ap.GlobalE2NodeId(PLMN, 0x19B, 22), timeout_s=2.0)
    ric = RicConnection(ap.GlobalRicId(PLMN, 1), registry, timeout_s=2.0)
    return node, ric, registry


def _kpm_function(registry, fid: int = 2) -> ap.RanFunction:
    from e2.sm.kpm import KpmV3_00  # noqa: F401 - the registry's KPM codec builds the definition below

    kpm = registry.lookup(name="kpm", version="3.00")
    raw = {"ranFunction-Name": {"ranFunction-ShortName": kpm.short_name, "ranFunction-E2SM-OID": kpm.oid,
                                "ranFunction-Description": "KPM monitor"},
           "ric-EventTriggerStyle-List": [{"ric-EventTriggerStyle-Type": 1,
                                           "ric-EventTriggerStyle-Name": "Periodic report",
                                           "ric-EventTriggerFormat-Type": 1}]}
    return ap.RanFunction(fid, kpm.encode_raw("ran-function-description", raw), 1, kpm.oid)


def _setup(node, ric, registry, functions=None, now=0.0):
    functions = functions or [_kpm_function(registry)]
    req = node.send_setup_request(functions, now)
    (event,) = ric.receive(req, now)
    assert isinstance(event, MessageReceived) and isinstance(event.message, m.E2SetupRequest)
    negotiation = ric.negotiate(event.message)
    (done,) = node.receive(ric.send_setup_response(event.message, negotiation), now)
    assert isinstance(done, E2SetupDone)
    return negotiation


def test_setup_negotiates_versions(pair) -> None:
    node, ric, registry = pair
    newer = ap.RanFunction(7, b"\x00", 1, "1.3.6.1.4.1.53148.1.9.2.2")        # KPM v09: not implemented
    unknown = ap.RanFunction(8, b"\x00", 1, "1.2.3.4")
    neg = _setup(node, ric, registry, [_kpm_function(registry), newer, unknown])
    assert [a.id for a in neg.accepted] == [2]
    assert {r.id for r in neg.rejected} == {7, 8}
    assert "9" in neg.reasons[7] and "3.00" in neg.reasons[7]       # the mismatch names both versions
    assert neg.models[2].version == "3.00"
    assert node.accepted_functions == {2} and node.setup_done and ric.setup_done
    assert ric.models[2].cli_name == "kpm"


def test_subscription_indication_control_delete(pair) -> None:
    node, ric, registry = pair
    _setup(node, ric, registry)
    rid, pdu = ric.send_subscription_request(1001, 2, b"\x01", [ap.RicAction(1, "report", b"\x02")], now=1.0)
    (ev,) = node.receive(pdu, 1.0)
    request = ev.message
    assert isinstance(request, m.RicSubscriptionRequest) and request.request_id == rid
    (done,) = ric.receive(node.send_subscription_response(request, [1]), 1.1)
    assert isinstance(done, SubscriptionDone) and done.admitted == (1,)
    sns = []
    for _ in range(3):
        (ind,) = ric.receive(node.send_indication(rid, 1, b"h", b"m"), 1.2)
        sns.append(ind.message.sn)
    assert sns == [0, 1, 2]
    crid, cpdu = ric.send_control_request(1001, 2, b"ch", b"cm", now=2.0)
    (ctrl,) = node.receive(cpdu, 2.0)
    (ack,) = ric.receive(node.send_control_ack(ctrl.message, b"ok"), 2.1)
    assert isinstance(ack.message, m.RicControlAcknowledge) and ack.message.request_id == crid
    (dreq,) = node.receive(ric.send_subscription_delete(rid, 3.0), 3.0)
    (deleted,) = ric.receive(node.send_subscription_delete_response(dreq.message), 3.1)
    assert isinstance(deleted.message, m.RicSubscriptionDeleteResponse)
    assert rid not in ric.subscriptions and rid not in node.subscriptions
    assert ric.pending == {}


def test_timeouts_are_reported_by_poll(pair) -> None:
    node, ric, registry = pair
    _setup(node, ric, registry)
    rid, _ = ric.send_subscription_request(7, 2, b"", [ap.RicAction(1)], now=10.0)
    assert ric.next_deadline() == 12.0
    assert ric.poll(11.9) == []
    assert ric.poll(12.0) == [ProcedureTimedOut("RICsubscription", rid)]
    assert ric.next_deadline() is None


def test_request_ids_are_unique_per_requestor(pair) -> None:
    node, ric, registry = pair
    _setup(node, ric, registry)
    ids = {ric.send_subscription_request(5, 2, b"", [ap.RicAction(1)], now=0.0)[0] for _ in range(50)}
    assert len(ids) == 50


def test_malformed_and_unexpected_pdus_are_rejected_not_raised(pair) -> None:
    node, ric, registry = pair
    (bad,) = ric.receive(b"\xff\x00garbage", 0.0)
    assert isinstance(bad, PduRejected) and bad.reply is not None
    reply = ap.decode(bad.reply)
    assert isinstance(reply, m.ErrorIndication) and reply.cause == ap.Cause("protocol", "transfer-syntax-error")
    # a message the RIC never receives (a RIC Subscription Request) and an indication before any subscription
    rid = ap.RicRequestId(1, 1)
    wrong_way = ap.encode(m.RicSubscriptionRequest(rid, 2, ap.SubscriptionDetails(b"", (ap.RicAction(1),))))
    (ev,) = ric.receive(wrong_way, 0.0)
    assert isinstance(ev, PduRejected)
    (ev,) = ric.receive(ap.encode(m.RicIndication(rid, 2, 1, "report", b"", b"")), 0.0)
    assert isinstance(ev, PduRejected) and "unknown subscription" in ev.reason
    # a response to nothing
    ack = ap.ComponentConfigAck("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 0}))
    (ev,) = node.receive(ap.encode(m.E2SetupResponse(42, ap.GlobalRicId(PLMN, 1), (ack,))), 0.0)
    assert isinstance(ev, PduRejected)


def test_node_refuses_work_before_setup_and_bad_sends(pair) -> None:
    node, ric, registry = pair
    sub = ap.encode(m.RicSubscriptionRequest(ap.RicRequestId(1, 1), 2,
                                             ap.SubscriptionDetails(b"", (ap.RicAction(1),))))
    (ev,) = node.receive(sub, 0.0)
    assert isinstance(ev, PduRejected) and "before E2 Setup" in ev.reason
    with pytest.raises(ProtocolError):
        node.send_indication(ap.RicRequestId(1, 1), 1, b"", b"")
    with pytest.raises(ProtocolError):
        ric.send_subscription_request(1, 2, b"", [ap.RicAction(1)], now=0.0)


def test_reset_clears_subscriptions(pair) -> None:
    node, ric, registry = pair
    _setup(node, ric, registry)
    rid, pdu = ric.send_subscription_request(1, 2, b"", [ap.RicAction(1)], now=0.0)
    (ev,) = node.receive(pdu, 0.0)
    ric.receive(node.send_subscription_response(ev.message, [1]), 0.0)
    (reset,) = node.receive(ric.send_reset(ap.Cause("misc", "om-intervention"), 1.0), 1.0)
    assert node.subscriptions == {}
    (done,) = ric.receive(node.send_reset_response(reset.message.transaction_id), 1.0)
    assert isinstance(done.message, m.ResetResponse)
    assert ric.subscriptions == {rid: 2}   # the RIC clears on a Reset it receives; its own reset is app policy


def test_node_configuration_update_is_acknowledged(pair) -> None:
    node, ric, registry = pair
    _setup(node, ric, registry)
    cfg = ap.ComponentConfig("ng", ("e2nodeComponentInterfaceTypeNG", {"amf-name": "amf1"}), b"q", b"r")
    (ev,) = ric.receive(node.send_node_configuration_update(5.0, additions=[cfg]), 5.0)
    assert isinstance(ev.message, m.E2NodeConfigurationUpdate) and ev.message.additions == (cfg,)
    (ack,) = node.receive(ric.send_node_configuration_update_ack(ev.message), 5.1)
    assert isinstance(ack.message, m.E2NodeConfigurationUpdateAcknowledge)
    assert ack.message.addition_acks == (ap.ComponentConfigAck("ng", cfg.component_id),)
    assert node.pending == {}


def test_unknown_procedure_gets_an_abstract_syntax_error(pair) -> None:
    from e2.ap.codec import codec

    node, ric, registry = pair
    c = codec()
    body = c.encode("ErrorIndication", {"protocolIEs": [{"id": 49, "criticality": "reject", "value": b"\x00\x01"}]})
    pdu = c.encode("E2AP-PDU", ("initiatingMessage", {"procedureCode": 16, "criticality": "reject", "value": body}))
    (ev,) = ric.receive(pdu, 0.0)
    assert isinstance(ev, PduRejected)
    assert ap.decode(ev.reply).cause == ap.Cause("protocol", "abstract-syntax-error-reject")
