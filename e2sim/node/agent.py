"""The E2 node agent of one simulated gNB: sans-I/O protocol logic (E2AP v03.01 clause 8, node side).

It never touches a socket or a clock. The runner feeds it

* :meth:`connection_made` / :meth:`connection_lost` when the association comes up or goes down,
* :meth:`receive` with every PDU from the RIC (and the current time, for E2AP procedure timers),
* :meth:`on_period` with every closed simulator measurement period (the KPM report clock),
* :meth:`poll` now and then (E2 Setup that never got an answer),

and sends whatever bytes they return. The association state machine (transaction IDs, indication SNs,
which messages a node may receive, Error Indications for malformed PDUs) is :class:`e2.ap.E2NodeConnection`;
the agent adds what a gNB does: its RAN functions, the KPM report service and RIC Control on the simulator.
Nothing the RIC sends can raise out of the agent: bad input is answered (failure, Error Indication) and counted.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from e2 import ap
from e2.ap.connection import (
    E2NodeConnection,
    E2SetupDone,
    MessageReceived,
    PduRejected,
    ProcedureTimedOut,
)
from e2.errors import E2Error
from e2.sm import ServiceModel, default_registry
from e2.sm.ccc import ran_function_definition as ccc_definition
from e2.sm.common import RanFunctionName
from e2.sm.rc import RcRanFunctionDefinition
from e2sim.node.control import ControlResult, ccc_control, rc_control, rc_control_styles
from e2sim.node.kpm import KpmService, Rejected, ran_function_description
from e2sim.node.ran import GnbSpec, RanContext
from e2sim.sim import Measurements

__all__ = ["E2NodeAgent", "Outgoing"]

log = logging.getLogger("e2sim.node")

# TimeToWait IE of an E2 Setup Failure (E2AP 9.1.2.4) -> seconds before the node may try again
_TIME_TO_WAIT_S = {"v1s": 1.0, "v2s": 2.0, "v5s": 5.0, "v10s": 10.0, "v20s": 20.0, "v60s": 60.0}


@dataclass(frozen=True)
class Outgoing:
    """A RIC Indication PDU and the simulated time its reporting period ended (for lateness accounting)."""

    pdu: bytes
    due_sim_s: float


class E2NodeAgent:
    """One gNB's E2 node: identity, RAN functions (KPM of the vendor's version, RC, CCC), services, counters."""

    def __init__(self, ctx: RanContext, gnb: GnbSpec, *, timeout_s: float = 5.0) -> None:
        self.ctx = ctx
        self.gnb = gnb
        self.profile = p = gnb.profile
        self.timeout_s = timeout_s
        registry = default_registry()
        self.kpm_model: ServiceModel = registry.lookup("kpm", p.kpm_version)
        self.rc_model: ServiceModel = registry.lookup("rc")
        self.ccc_model: ServiceModel | None = registry.lookup("ccc") if p.ccc_function_id is not None else None
        self.kpm = KpmService(ctx, gnb, self.kpm_model)
        self.node_id = ap.GlobalE2NodeId(ap.Plmn(ctx.config.mcc, ctx.config.mnc), gnb.gnb_id, gnb.gnb_id_bits)
        self.ran_functions = self._ran_functions()
        self.counters: Counter[str] = Counter()
        self.conn: E2NodeConnection | None = None
        self.setup_refused = False  # the RIC answered E2 Setup with a failure: drop and try again later
        self.retry_after_s: float | None = None  # the failure's TimeToWait, if it had one
        self.global_ric_id: ap.GlobalRicId | None = None

    @property
    def name(self) -> str:
        return self.gnb.name

    @property
    def established(self) -> bool:
        return self.conn is not None and self.conn.setup_done

    def _ran_functions(self) -> tuple[ap.RanFunction, ...]:
        """RAN function items of E2 Setup (E2AP 9.2.8); the vendor's quirk may put the short name in the OID."""
        p = self.profile
        kpm_def = self.kpm_model.encode(ran_function_description(self.kpm_model, self.gnb))
        kpm_oid = self.kpm_model.short_name if p.oid_is_short_name else self.kpm_model.oid
        rc_def = self.rc_model.encode(RcRanFunctionDefinition(
            RanFunctionName(self.rc_model.short_name, self.rc_model.oid, "RAN Control"), rc_control_styles()))
        functions = [ap.RanFunction(p.kpm_function_id, kpm_def, 1, kpm_oid),
                     ap.RanFunction(p.rc_function_id, rc_def, 1, self.rc_model.oid)]
        if self.ccc_model is not None and p.ccc_function_id is not None:
            cells = [self.gnb.cgi(i) for i in range(len(self.gnb.cells))]
            functions.append(ap.RanFunction(p.ccc_function_id, self.ccc_model.encode(ccc_definition(cells)), 1,
                                            self.ccc_model.oid))
        return tuple(functions)

    # -- association ---------------------------------------------------------------------------------------
    def connection_made(self, now: float) -> list[bytes]:
        """A fresh association: the node starts over (no subscriptions) and sends E2 Setup Request (8.3.1)."""
        self.conn = E2NodeConnection(self.node_id, self.timeout_s)
        self.kpm.clear()
        self.setup_refused, self.retry_after_s = False, None
        self.counters["setup_requests"] += 1
        # E2 node component: the gNB's F1 side (E2AP 9.2.26); the simulator has no F1AP, so the
        # request/response parts are empty octet strings.
        component = ap.ComponentConfig("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": self.gnb.gnb_id}),
                                       b"", b"")
        return [self.conn.send_setup_request(self.ran_functions, now, (component,))]

    def connection_lost(self) -> None:
        """The association is gone: subscriptions die with it (the RIC restores them after the next setup)."""
        self.conn = None
        self.kpm.clear()

    def poll(self, now: float) -> bool:
        """True when the association should be dropped and retried (E2 Setup unanswered in time)."""
        if self.conn is None:
            return False
        for event in self.conn.poll(now):
            if isinstance(event, ProcedureTimedOut):
                self.counters[f"timeouts_{event.procedure}"] += 1
                if event.procedure == "E2Setup":
                    return True
        return False

    # -- receiving -----------------------------------------------------------------------------------------
    def receive(self, pdu: bytes, now: float) -> list[bytes]:
        """Handle one PDU from the RIC; returns the PDUs to send back. Never raises for bad input."""
        if self.conn is None:
            return []
        out: list[bytes] = []
        for event in self.conn.receive(pdu, now):
            try:
                out += self._event(event, now)
            except E2Error as exc:  # a well-formed message we cannot answer as asked
                self.counters["bad_pdus"] += 1
                log.warning("%s: %s", self.name, exc)
                out.append(self.conn.send_error_indication(ap.Cause("protocol", "semantic-error")))
                self.counters["error_indications_sent"] += 1
        return out

    def _event(self, event: object, now: float) -> list[bytes]:
        conn = self.conn
        assert conn is not None
        if isinstance(event, PduRejected):
            self.counters["bad_pdus"] += 1
            log.info("%s: rejected PDU: %s", self.name, event.reason)
            if event.reply is None:
                return []
            self.counters["error_indications_sent"] += 1
            return [event.reply]
        if isinstance(event, E2SetupDone):
            self.counters["setups"] += 1
            self.global_ric_id = event.response.global_ric_id
            rejected = {r.id: str(r.cause) for r in event.response.rejected or ()}
            if rejected:
                log.warning("%s: RIC rejected RAN functions %s", self.name, rejected)
            return []
        if not isinstance(event, MessageReceived):
            return []
        msg = event.message
        if isinstance(msg, ap.E2SetupFailure):
            self.counters["setup_failures"] += 1
            self.setup_refused = True
            self.retry_after_s = _TIME_TO_WAIT_S.get(msg.time_to_wait or "", None)
            log.warning("%s: E2 Setup refused: %s (time to wait %s)", self.name, msg.cause, msg.time_to_wait)
            return []
        if isinstance(msg, ap.RicSubscriptionRequest):
            return [self._subscribe(msg)]
        if isinstance(msg, ap.RicSubscriptionDeleteRequest):
            if msg.ran_function_id == self.profile.kpm_function_id and self.kpm.delete(msg.request_id):
                self.counters["subscription_deletes"] += 1
                return [conn.send_subscription_delete_response(msg)]
            return [conn.send_subscription_delete_failure(msg, ap.Cause("ricRequest", "request-id-unknown"))]
        if isinstance(msg, ap.RicControlRequest):
            return self._control(msg)
        if isinstance(msg, ap.ResetRequest):  # E2AP 8.3.4: drop every subscription, confirm
            self.counters["resets"] += 1
            self.kpm.clear()
            return [conn.send_reset_response(msg.transaction_id)]
        if isinstance(msg, ap.ErrorIndication):
            self.counters["error_indications_received"] += 1
            log.warning("%s: Error Indication from the RIC: %s", self.name, msg.cause)
        return []

    def _subscribe(self, req: ap.RicSubscriptionRequest) -> bytes:
        conn = self.conn
        assert conn is not None
        if req.ran_function_id != self.profile.kpm_function_id:  # RC / CCC: this node offers CONTROL only
            self.counters["subscription_failures"] += 1
            return conn.send_subscription_failure(req, ap.Cause("ricRequest", "action-not-supported"))
        try:
            sub, refused = self.kpm.subscribe(req)
        except Rejected as rej:
            self.counters["subscription_failures"] += 1
            log.info("%s: subscription %s refused: %s (%s)", self.name, req.request_id, rej.cause, rej)
            return conn.send_subscription_failure(req, rej.cause)
        assert sub is not None
        self.counters["subscriptions"] += 1
        self.counters["actions_not_admitted"] += len(refused)
        return conn.send_subscription_response(req, [a.action_id for a in sub.actions], refused)

    def _control(self, req: ap.RicControlRequest) -> list[bytes]:
        conn = self.conn
        assert conn is not None
        p = self.profile
        if req.ran_function_id == p.rc_function_id:
            result = rc_control(self.ctx, self.gnb, self.rc_model, req.header, req.message)
        elif self.ccc_model is not None and req.ran_function_id == p.ccc_function_id:
            result = ccc_control(self.ctx, self.gnb, self.ccc_model, req.header, req.message)
        else:
            result = ControlResult(False, None, ap.Cause("ricRequest", "action-not-supported"),
                                   f"RAN function {req.ran_function_id} has no CONTROL service")
        if result.ok:
            self.counters["controls_ok"] += 1
            return [] if req.ack_request == "noAck" else [conn.send_control_ack(req, result.outcome)]
        self.counters["controls_failed"] += 1
        log.info("%s: control %s failed: %s (%s)", self.name, req.request_id, result.cause, result.reason)
        assert result.cause is not None
        return [conn.send_control_failure(req, result.cause, result.outcome)]

    # -- reporting -----------------------------------------------------------------------------------------
    def on_period(self, m: Measurements) -> list[Outgoing]:
        """A closed simulator measurement period: the RIC Indications of every reporting period it completes."""
        if not self.established:
            return []
        conn = self.conn
        assert conn is not None
        out = []
        for report in self.kpm.on_period(m):
            out.append(Outgoing(conn.send_indication(report.request_id, report.action_id, report.header,
                                                     report.message), report.due_sim_s))
        self.counters["indications"] += len(out)
        return out
