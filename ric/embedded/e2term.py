"""E2 termination of the embedded RIC: accepts E2 nodes and runs the RIC side of E2AP for each.

Thin by design: the E2AP procedure state of an association (transactions, RIC Request IDs, which subscriptions
are active) lives in the sans-I/O :class:`e2.ap.connection.RicConnection`; bytes move through
:mod:`e2.transport` (SCTP where the kernel has it, else 4-byte length-framed TCP). This module only connects the
two and translates the connection's events into calls on the RIC core (:class:`~ric.embedded.session.E2Events`):

* E2 Setup (E2AP 8.3.1): RAN functions negotiated against the ``e2.sm`` registry (the accepted ones, with the
  version picked, go to the R-NIB; rejected ones are logged with the reason naming both versions);
* Subscription / Delete / Control answers and RIC Indications go to the core, matched by RIC Request ID;
* Reset (8.3.3): answered; the node forgot its subscriptions, so the core restores them;
* RIC Service Update (8.3.2): acknowledged, the node's RAN functions updated;
* a PDU that does not decode or does not fit the association's state is counted and answered with the Error
  Indication (8.3.4) the connection prepared; the association and every other node carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from e2 import ap
from e2.ap.connection import MessageReceived, PduRejected, ProcedureTimedOut, RicConnection, SubscriptionDone
from e2.errors import E2Error, TransportError
from e2.sm import default_registry
from e2.transport import Endpoint, serve
from ric import e2glue
from ric.embedded.session import E2Events, RequestId
from ric.obs.metrics import RicMetrics
from ric.xapp.types import NodeInfo, RanFunctionInfo

__all__ = ["E2Association", "E2Termination", "node_name"]

log = logging.getLogger("ric.e2term")

RIC_ID = ap.GlobalRicId(ap.Plmn("001", "01"), 0x5A5A5)  # Global RIC ID (E2AP 9.2.6), 20-bit RIC ID
PROCEDURE_TIMEOUT_S = 60.0  # connection bookkeeping only; callers have their own, shorter deadlines


def node_name(node: ap.GlobalE2NodeId) -> str:
    """R-NIB name of an E2 node, in the O-RAN SC e2mgr style: ``gnb_MCC_MNC_GNBID`` (gNB ID as 8 hex digits)."""
    prefix = {"gNB": "gnb", "en-gNB": "engnb", "ng-eNB": "ngenb", "eNB": "enb"}.get(node.node_type, "e2node")
    mnc = node.plmn.mnc.rjust(3, "0")
    extra = "".join(f"_{k}{v}" for k, v in (("cuup", node.cu_up_id), ("du", node.du_id)) if v is not None)
    return f"{prefix}_{node.plmn.mcc}_{mnc}_{node.node_id:08x}{extra}"


class E2Association:
    """One E2 node's association (the core's :class:`~ric.embedded.session.NodeSession`)."""

    def __init__(self, term: E2Termination, endpoint: Endpoint, peer: str) -> None:
        self.term = term
        self.endpoint = endpoint
        self.peer = peer
        self.conn = RicConnection(RIC_ID, default_registry(), timeout_s=PROCEDURE_TIMEOUT_S)
        self.node_id = ""

    # -- NodeSession -------------------------------------------------------------------------------------------
    async def send_subscription(self, requestor: int, ran_function_id: int, plan: e2glue.KpmPlan) -> RequestId:
        rid, pdu = self.conn.send_subscription_request(
            requestor, ran_function_id, plan.event_trigger,
            [ap.RicAction(a.action_id, "report", a.definition) for a in plan.actions], time.monotonic())
        await self.endpoint.send(pdu)
        return RequestId(rid.requestor, rid.instance)

    async def send_subscription_delete(self, request: RequestId) -> None:
        pdu = self.conn.send_subscription_delete(ap.RicRequestId(request.requestor, request.instance),
                                                 time.monotonic())
        await self.endpoint.send(pdu)

    async def send_control(self, requestor: int, ran_function_id: int, header: bytes, message: bytes,
                           ack_requested: bool, call_process_id: bytes | None) -> RequestId:
        rid, pdu = self.conn.send_control_request(requestor, ran_function_id, header, message, time.monotonic(),
                                                  ack=ack_requested, call_process_id=call_process_id)
        await self.endpoint.send(pdu)
        return RequestId(rid.requestor, rid.instance)

    def close(self) -> None:
        asyncio.get_running_loop().create_task(self.endpoint.close())

    # -- receiving ---------------------------------------------------------------------------------------------
    async def handle(self, pdu: bytes) -> None:
        """One PDU from the node. Never raises for bad input: it is counted and answered."""
        now = time.monotonic()
        for event in self.conn.receive(pdu, now):
            if event.__class__ is MessageReceived:
                msg = event.message
                if msg.__class__ is ap.RicIndication:  # the hot path, without a coroutine per PDU
                    r = msg.request_id
                    self.term.events.indication(self.node_id, RequestId(r.requestor, r.instance),
                                                msg.ran_function_id, msg.action_id, msg.sn, msg.header, msg.message,
                                                now)
                elif msg.__class__ is ap.RicControlAcknowledge:
                    r = msg.request_id
                    self.term.events.control_answer(self.node_id, RequestId(r.requestor, r.instance), True, None,
                                                    msg.outcome)
                else:
                    await self._message(msg, now)
            elif isinstance(event, SubscriptionDone):
                r = event.request_id
                self.term.events.subscription_answer(self.node_id, RequestId(r.requestor, r.instance),
                                                     list(event.admitted), None)
            elif isinstance(event, PduRejected):
                self.term.events.bad_pdu(self.node_id or self.peer, event.reason)
                if event.reply is not None:
                    self.term.metrics.error_indications.inc()
                    await self.endpoint.send(event.reply)

    async def _message(self, msg: ap.E2apMessage, now: float) -> None:
        events = self.term.events
        if isinstance(msg, ap.RicIndication):  # the hot path first
            r = msg.request_id
            events.indication(self.node_id, RequestId(r.requestor, r.instance), msg.ran_function_id,
                              msg.action_id, msg.sn, msg.header, msg.message, now)
        elif isinstance(msg, ap.RicControlAcknowledge | ap.RicControlFailure):
            r = msg.request_id
            failed = isinstance(msg, ap.RicControlFailure)
            events.control_answer(self.node_id, RequestId(r.requestor, r.instance), not failed,
                                  str(msg.cause) if failed else None, msg.outcome)
        elif isinstance(msg, ap.RicSubscriptionFailure):
            r = msg.request_id
            events.subscription_answer(self.node_id, RequestId(r.requestor, r.instance), [], str(msg.cause))
        elif isinstance(msg, ap.RicSubscriptionDeleteResponse | ap.RicSubscriptionDeleteFailure):
            r = msg.request_id
            cause = str(msg.cause) if isinstance(msg, ap.RicSubscriptionDeleteFailure) else None
            events.subscription_delete_answer(self.node_id, RequestId(r.requestor, r.instance), cause)
        elif isinstance(msg, ap.E2SetupRequest):
            await self._setup(msg)
        elif isinstance(msg, ap.ResetRequest):
            await self.endpoint.send(self.conn.send_reset_response(msg.transaction_id))
            if self.node_id:  # the node dropped its subscriptions: restore them as after a reconnect
                node = self.term.node_info(self)
                events.node_lost(self.node_id, self)
                events.node_setup(self, node)
        elif isinstance(msg, ap.RicServiceUpdate):
            await self.endpoint.send(self.conn.send_service_update_ack(msg))
            events.node_setup(self, self.term.node_info(self))
        elif isinstance(msg, ap.ErrorIndication):
            log.warning("Error Indication from %s: %s", self.node_id or self.peer, msg.cause)

    async def _setup(self, req: ap.E2SetupRequest) -> None:
        negotiation = self.conn.negotiate(req)
        await self.endpoint.send(self.conn.send_setup_response(req, negotiation))
        for fn_id, reason in negotiation.reasons.items():
            log.info("RAN function %d of %s not supported: %s", fn_id, req.global_e2_node_id, reason)
        name = node_name(req.global_e2_node_id)
        if self.node_id and self.node_id != name:
            self.term.events.node_lost(self.node_id, self)
        self.node_id = name
        self.term.events.node_setup(self, self.term.node_info(self))

    def poll(self, now: float) -> None:
        """Expire the connection's stale procedures (callers already gave up on them)."""
        for event in self.conn.poll(now):
            if isinstance(event, ProcedureTimedOut):
                log.debug("E2 procedure timed out at %s: %s", self.node_id, event)


class E2Termination:
    """Listens for E2 nodes over :mod:`e2.transport`."""

    def __init__(self, events: E2Events, metrics: RicMetrics, *, host: str = "127.0.0.1", port: int = 36421,
                 transport: str = "auto") -> None:
        self.events = events
        self.metrics = metrics
        self.host = host
        self.port = port
        self.requested = transport
        self.transport = ""
        self.listening = False
        self._server: Any = None
        self._assocs: set[E2Association] = set()
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._server = await serve(self._serve, self.host, self.port, transport=self.requested)
        self.transport = self._server.kind
        self.port = self._server.port
        self.listening = True
        self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        self.listening = False
        if self._poller is not None:
            self._poller.cancel()
        for a in list(self._assocs):
            with contextlib.suppress(Exception):
                await a.endpoint.close()
        if self._server is not None:
            await self._server.close()

    def node_info(self, assoc: E2Association) -> NodeInfo:
        """The R-NIB entry of an association: its accepted RAN functions with their negotiated versions (and, for
        E2SM-KPM, the report styles and measurement names the node advertises)."""
        functions = []
        for fn_id, fn in sorted(assoc.conn.ran_functions.items()):
            model = assoc.conn.models.get(fn_id)
            info = RanFunctionInfo(fn_id, fn.oid, model.short_name if model else "", fn.revision,
                                   model.version if model else "")
            functions.append(e2glue.with_report_styles(info, fn.definition))
        raw = [assoc.conn.ran_functions[f.ran_function_id] for f in functions]
        return NodeInfo(assoc.node_id, e2glue.cells_of(raw, functions), tuple(functions), connected=True)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(5)
            now = time.monotonic()
            for a in list(self._assocs):
                a.poll(now)

    async def _serve(self, endpoint: Endpoint) -> None:
        peer = str(getattr(endpoint, "peer", "") or "")
        assoc = E2Association(self, endpoint, peer)
        self._assocs.add(assoc)
        try:
            while True:
                pdu = await endpoint.recv()
                await assoc.handle(pdu)
        except TransportError as exc:
            if "frame" in str(exc):  # broken framing cannot be resynchronised: counted, the association ends
                self.events.bad_pdu(assoc.node_id or peer, str(exc))
            else:
                log.info("E2 association %s ended: %s", assoc.node_id or peer, exc)
        except E2Error as exc:
            self.events.bad_pdu(assoc.node_id or peer, str(exc))
        finally:
            self._assocs.discard(assoc)
            if assoc.node_id:
                self.events.node_lost(assoc.node_id, assoc)
