"""E2 termination of the embedded RIC: accepts E2 nodes, runs the RIC side of E2AP procedures, and reports to
the core through :class:`~ric.embedded.session.E2Events`.

Per association (E2AP v03.01 clause 8):

* the first PDU must be E2 Setup Request (8.3.1); the RIC answers E2 Setup Response with the RAN functions it
  accepted (those the ``e2.sm`` registry can negotiate a version for) and rejected (with a cause naming the
  versions), acknowledges every component configuration, and registers the node in the R-NIB;
* RIC Subscription Response/Failure, Delete Response/Failure, Indication, Control Acknowledge/Failure are
  handed to the core;
* Reset Request is answered with Reset Response (and the node's subscriptions are restored by the core);
* a PDU that does not decode, or is not allowed in the association's state, is counted and answered with an
  Error Indication (8.3.4) carrying the cause - the association and every other node carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from e2 import ap
from e2.errors import E2Error
from ric import e2glue
from ric.embedded.session import E2Events, RequestId
from ric.obs.metrics import RicMetrics
from ric.xapp.types import NodeInfo, RanFunctionInfo

__all__ = ["E2Association", "E2Termination", "node_name"]

log = logging.getLogger("ric.e2term")

RIC_PLMN = ap.Plmn("001", "01")
RIC_ID = 0x5A5A5  # 20-bit RIC ID (E2AP 9.2.6 Global RIC ID)


def node_name(node: ap.GlobalE2NodeId) -> str:
    """R-NIB name of an E2 node, like the O-RAN SC e2mgr's: ``gnb_MCC_MNC_GNBID`` (gNB ID in 8 hex digits)."""
    prefix = {"gNB": "gnb", "en-gNB": "engnb", "ng-eNB": "ngenb", "eNB": "enb"}.get(node.node_type, "e2node")
    mnc = node.plmn.mnc.rjust(3, "0")
    extra = "".join(f"_{k}{v}" for k, v in (("cuup", node.cu_up_id), ("du", node.du_id)) if v is not None)
    return f"{prefix}_{node.plmn.mcc}_{mnc}_{node.node_id:08x}{extra}"


class E2Association:
    """One E2 node's association: the RIC side of its E2AP procedures (a :class:`NodeSession`)."""

    def __init__(self, term: E2Termination, writer: Any, peer: str) -> None:
        self.term = term
        self.writer = writer
        self.peer = peer
        self.node_id: str = ""
        self._closed = False

    # -- NodeSession -------------------------------------------------------------------------------------------
    def send_subscription(self, request: RequestId, ran_function_id: int, plan: e2glue.KpmPlan) -> None:
        self._send(ap.RicSubscriptionRequest(
            ap.RicRequestId(request.requestor, request.instance), ran_function_id,
            ap.SubscriptionDetails(plan.event_trigger, tuple(
                ap.RicAction(a.action_id, "report", a.definition) for a in plan.actions))))

    def send_subscription_delete(self, request: RequestId, ran_function_id: int) -> None:
        self._send(ap.RicSubscriptionDeleteRequest(ap.RicRequestId(request.requestor, request.instance),
                                                   ran_function_id))

    def send_control(self, request: RequestId, ran_function_id: int, header: bytes, message: bytes,
                     ack_requested: bool, call_process_id: bytes | None) -> None:
        self._send(ap.RicControlRequest(ap.RicRequestId(request.requestor, request.instance), ran_function_id,
                                        header, message, call_process_id, "ack" if ack_requested else "noAck"))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.writer.close()

    # -- wire --------------------------------------------------------------------------------------------------
    def _send(self, msg: ap.E2apMessage) -> None:
        if self._closed:
            return
        self.term.send(self.writer, ap.encode(msg))

    def _error_indication(self, cause: ap.Cause, request: ap.RicRequestId | None = None,
                          ran_function_id: int | None = None) -> None:
        self.term.metrics.error_indications.inc()
        with contextlib.suppress(E2Error):
            self._send(ap.ErrorIndication(request_id=request, ran_function_id=ran_function_id, cause=cause))

    def handle(self, data: bytes) -> None:
        """One PDU from the node. Never raises: bad input is counted and answered with Error Indication."""
        received_at = time.monotonic()
        events = self.term.events
        try:
            msg = ap.decode(data)
        except E2Error as exc:
            events.bad_pdu(self.node_id or self.peer, str(exc))
            self._error_indication(ap.Cause("protocol", "abstract-syntax-error-falsely-constructed-message"))
            return
        if isinstance(msg, ap.RicIndication):  # the hot path first
            if not self.node_id:
                return self._unexpected(msg)
            r = msg.request_id
            events.indication(self.node_id, RequestId(r.requestor, r.instance), msg.ran_function_id,
                              msg.action_id, msg.sn, msg.header, msg.message, received_at)
        elif isinstance(msg, ap.E2SetupRequest):
            self._setup(msg)
        elif not self.node_id:
            self._unexpected(msg)
        elif isinstance(msg, ap.RicControlAcknowledge | ap.RicControlFailure):
            r = msg.request_id
            failed = isinstance(msg, ap.RicControlFailure)
            events.control_answer(self.node_id, RequestId(r.requestor, r.instance), not failed,
                                  str(msg.cause) if failed else None, msg.outcome)
        elif isinstance(msg, ap.RicSubscriptionResponse):
            r = msg.request_id
            events.subscription_answer(self.node_id, RequestId(r.requestor, r.instance), list(msg.admitted), None)
        elif isinstance(msg, ap.RicSubscriptionFailure):
            r = msg.request_id
            events.subscription_answer(self.node_id, RequestId(r.requestor, r.instance), [], str(msg.cause))
        elif isinstance(msg, ap.RicSubscriptionDeleteResponse | ap.RicSubscriptionDeleteFailure):
            r = msg.request_id
            cause = str(msg.cause) if isinstance(msg, ap.RicSubscriptionDeleteFailure) else None
            events.subscription_delete_answer(self.node_id, RequestId(r.requestor, r.instance), cause)
        elif isinstance(msg, ap.ResetRequest):
            self._send(ap.ResetResponse(msg.transaction_id))
        elif isinstance(msg, ap.ErrorIndication):
            log.warning("Error Indication from %s: %s", self.node_id, msg.cause)
        else:
            self._unexpected(msg)

    def _unexpected(self, msg: ap.E2apMessage) -> None:
        self.term.events.bad_pdu(self.node_id or self.peer, f"unexpected {type(msg).__name__}")
        cause = ap.Cause("protocol", "message-not-compatible-with-receiver-state")
        self._error_indication(cause, getattr(msg, "request_id", None), getattr(msg, "ran_function_id", None))

    def _setup(self, req: ap.E2SetupRequest) -> None:
        accepted, rejected, functions = [], [], []
        for f in req.ran_functions:
            info = e2glue.with_version(RanFunctionInfo(f.id, f.oid, "", f.revision), f.definition)
            if info.version:
                accepted.append(ap.RanFunctionRef(f.id, f.revision))
            else:
                rejected.append(ap.RanFunctionRejection(f.id, ap.Cause("ricService", "function-not-required")))
                log.info("RAN function %s (%s) of %s not supported: %s", f.id, f.oid, req.global_e2_node_id,
                         e2glue.negotiation_error(f.oid, f.revision, f.definition))
            functions.append(info)
        acks = tuple(ap.ComponentConfigAck(c.interface_type, c.component_id) for c in req.component_configs)
        name = node_name(req.global_e2_node_id)
        self._send(ap.E2SetupResponse(req.transaction_id, ap.GlobalRicId(RIC_PLMN, RIC_ID), acks,
                                      tuple(accepted) or None, tuple(rejected) or None))
        if self.node_id and self.node_id != name:
            self.term.events.node_lost(self.node_id, self)
        self.node_id = name
        cells = e2glue.cells_of(req.ran_functions, functions)
        self.term.events.node_setup(self, NodeInfo(name, cells, tuple(functions), connected=True))


class E2Termination:
    """Listens for E2 nodes (length-framed TCP; SCTP where the kernel and e2.transport support it)."""

    def __init__(self, events: E2Events, metrics: RicMetrics, *, host: str = "127.0.0.1", port: int = 36421,
                 transport: str = "auto") -> None:
        self.events = events
        self.metrics = metrics
        self.host = host
        self.port = port
        self.requested = transport
        self.transport = "tcp"
        self.listening = False
        self._server: Any = None
        self._assocs: set[E2Association] = set()

    async def start(self) -> None:
        from ric.embedded import wire

        self.transport, self._server = await wire.listen(self.requested, self.host, self.port, self._serve)
        self.port = self._server.sockets[0].getsockname()[1]
        self.listening = True

    async def stop(self) -> None:
        self.listening = False
        if self._server is not None:
            self._server.close()
        for a in list(self._assocs):
            a.close()

    def send(self, writer: Any, pdu: bytes) -> None:
        from ric.embedded import wire

        wire.send(writer, pdu)

    async def _serve(self, reader: Any, writer: Any) -> None:
        from ric.embedded import wire

        peer = str(writer.get_extra_info("peername"))
        assoc = E2Association(self, writer, peer)
        self._assocs.add(assoc)
        try:
            async for pdu in wire.frames(reader):
                assoc.handle(pdu)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except E2Error as exc:  # broken framing: the stream cannot be resynchronised
            self.events.bad_pdu(assoc.node_id or peer, str(exc))
        finally:
            self._assocs.discard(assoc)
            assoc.close()
            if assoc.node_id:
                self.events.node_lost(assoc.node_id, assoc)
