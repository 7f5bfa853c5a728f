"""Sans-I/O E2AP association state machines: :class:`E2NodeConnection` and :class:`RicConnection`.

They never touch a socket or read a clock (the aioquic / h11 pattern): the transport adapter feeds every
received PDU to :meth:`receive` with the current time and gets typed events back; ``send_*`` methods return
the PDU bytes to write; :meth:`poll` turns procedures whose response did not arrive in time into
:class:`ProcedureTimedOut` events. What they track (E2AP clause 8):

* Global procedures (E2 Setup, Reset, RIC Service Update / Query) are matched by TransactionID (0..255),
  allocated by the initiating side.
* RIC Subscription / Subscription Delete / Control are matched by RIC Request ID (requestor, instance): the
  RIC allocates instances per requestor; the node keeps the subscriptions it accepted and numbers its RIC
  Indications per subscription (RICindicationSN).

A malformed or unexpected PDU never raises out of :meth:`receive`; it becomes a :class:`PduRejected` event
carrying the reason and, where E2AP asks for one (clause 10), the Error Indication to send back.
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from e2.ap import messages as m
from e2.ap.codec import decode, decode_raw, encode
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
)
from e2.errors import E2Error, ProtocolError, UnsupportedServiceModel, VersionMismatch

__all__ = [
    "Event", "MessageReceived", "PduRejected", "ProcedureTimedOut", "E2SetupDone", "SubscriptionDone",
    "Negotiation", "E2NodeConnection", "RicConnection", "DEFAULT_TIMEOUT_S",
]

DEFAULT_TIMEOUT_S = 5.0


# ---------------------------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """Something the application has to know about."""


@dataclass(frozen=True)
class MessageReceived(Event):
    """A valid message for this side; ``message`` is the typed E2AP message."""

    message: m.E2apMessage


@dataclass(frozen=True)
class E2SetupDone(Event):
    """E2 Setup finished (node side: response received; RIC side: response sent)."""

    response: m.E2SetupResponse


@dataclass(frozen=True)
class SubscriptionDone(Event):
    """The node answered a RIC Subscription Request (RIC side)."""

    request_id: RicRequestId
    ran_function_id: int
    admitted: tuple[int, ...]
    not_admitted: tuple[ActionNotAdmitted, ...]


@dataclass(frozen=True)
class PduRejected(Event):
    """A PDU that could not be used: undecodable, not for this side, or for no pending procedure."""

    reason: str
    error: E2Error
    reply: bytes | None = None      # the Error Indication to send back, when E2AP asks for one


@dataclass(frozen=True)
class ProcedureTimedOut(Event):
    """No response in time. ``key`` is the TransactionID or the RIC Request ID of the procedure."""

    procedure: str
    key: Any


@dataclass(frozen=True)
class Negotiation:
    """Outcome of matching the RAN functions of an E2 Setup with the service-model registry."""

    accepted: tuple[RanFunctionRef, ...]
    rejected: tuple[RanFunctionRejection, ...]
    models: dict[int, Any]              # RAN function id -> service model (registry object)
    reasons: dict[int, str]             # RAN function id -> why it was rejected


@dataclass
class _Pending:
    procedure: str
    deadline: float
    data: Any = None


# ---------------------------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------------------------
class _Connection(abc.ABC):
    #: message classes this side may receive
    RECEIVES: tuple[type[m.E2apMessage], ...] = ()

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._pending: dict[Any, _Pending] = {}
        self._next_tx = itertools.count(0)
        self.setup_done = False

    # -- bookkeeping ----------------------------------------------------------------------------------------
    def _transaction_id(self) -> int:
        for _ in range(256):
            tx = next(self._next_tx) % 256
            if ("tx", tx) not in self._pending:
                return tx
        raise ProtocolError("all 256 transaction IDs are in use")

    def _expect(self, key: Any, procedure: str, now: float, data: Any = None) -> None:
        self._pending[key] = _Pending(procedure, now + self.timeout_s, data)

    def _settle(self, key: Any, procedure: str) -> _Pending | None:
        pending = self._pending.get(key)
        if pending is None or pending.procedure != procedure:
            return None
        del self._pending[key]
        return pending

    @property
    def pending(self) -> dict[Any, str]:
        """Procedures waiting for a response: key -> procedure name."""
        return {k: p.procedure for k, p in self._pending.items()}

    def next_deadline(self) -> float | None:
        """When :meth:`poll` will next have something to report (None: nothing pending)."""
        return min((p.deadline for p in self._pending.values()), default=None)

    def poll(self, now: float) -> list[Event]:
        """Expire procedures whose deadline has passed."""
        expired = [k for k, p in self._pending.items() if p.deadline <= now]
        events: list[Event] = []
        for key in expired:
            pending = self._pending.pop(key)
            events.append(ProcedureTimedOut(pending.procedure, key[1] if isinstance(key, tuple) else key))
        return events

    # -- receiving ------------------------------------------------------------------------------------------
    def receive(self, pdu: bytes, now: float) -> list[Event]:
        """Process one received PDU; never raises for bad input (see :class:`PduRejected`)."""
        try:
            msg = decode(pdu)
        except E2Error as exc:
            # E2AP clause 10: a procedure we do not know is an abstract syntax error; bytes that do not even
            # decode as an E2AP-PDU envelope are a transfer syntax error.
            try:
                known = decode_raw(pdu).message_type is not None
                value = "transfer-syntax-error" if known else "abstract-syntax-error-reject"
            except E2Error:
                value = "transfer-syntax-error"
            reply = encode(m.ErrorIndication(cause=Cause("protocol", value)))
            return [PduRejected(f"undecodable E2AP PDU: {exc}", exc, reply)]
        if not isinstance(msg, self.RECEIVES):
            exc = ProtocolError(f"{type(msg).__name__} is not sent to this side of E2")
            return [PduRejected(str(exc), exc, self._error_reply(msg, "message-not-compatible-with-receiver-state"))]
        try:
            return self._handle(msg, now)
        except E2Error as exc:
            return [PduRejected(str(exc), exc, self._error_reply(msg, "message-not-compatible-with-receiver-state"))]

    def _error_reply(self, msg: m.E2apMessage, value: str) -> bytes:
        """Error Indication naming the offending procedure's ids (E2AP 8.3.2); ids that do not re-encode (a
        decoder is lenient, the encoder strict) are left out rather than failing the reply."""
        cause = Cause("protocol", value)
        try:
            return encode(m.ErrorIndication(transaction_id=getattr(msg, "transaction_id", None),
                                            request_id=getattr(msg, "request_id", None),
                                            ran_function_id=getattr(msg, "ran_function_id", None), cause=cause))
        except E2Error:
            return encode(m.ErrorIndication(cause=cause))

    @abc.abstractmethod
    def _handle(self, msg: m.E2apMessage, now: float) -> list[Event]:
        """The events of one decoded message, by role (E2 node or RIC side)."""

    def _unexpected(self, msg: m.E2apMessage, what: str) -> list[Event]:
        exc = ProtocolError(f"{type(msg).__name__} for {what} that is not pending")
        return [PduRejected(str(exc), exc, self._error_reply(msg, "message-not-compatible-with-receiver-state"))]

    # -- shared global procedures ---------------------------------------------------------------------------
    def send_reset(self, cause: Cause, now: float) -> bytes:
        """Reset Request (E2AP 8.3.4): either side may initiate."""
        tx = self._transaction_id()
        self._expect(("tx", tx), "Reset", now)
        return encode(m.ResetRequest(tx, cause))

    def send_reset_response(self, transaction_id: int) -> bytes:
        return encode(m.ResetResponse(transaction_id))

    def send_error_indication(self, cause: Cause, *, request_id: RicRequestId | None = None,
                              ran_function_id: int | None = None, transaction_id: int | None = None) -> bytes:
        return encode(m.ErrorIndication(transaction_id, request_id, ran_function_id, cause))

    def _handle_common(self, msg: m.E2apMessage) -> list[Event] | None:
        if isinstance(msg, m.ResetResponse):
            if self._settle(("tx", msg.transaction_id), "Reset") is None:
                return self._unexpected(msg, f"transaction {msg.transaction_id}")
            return [MessageReceived(msg)]
        if isinstance(msg, (m.ResetRequest, m.ErrorIndication)):
            return [MessageReceived(msg)]
        return None


# ---------------------------------------------------------------------------------------------------------------
# E2 node side
# ---------------------------------------------------------------------------------------------------------------
class E2NodeConnection(_Connection):
    """The E2 node's end of one E2 association (e2sim's gNBs use it)."""

    RECEIVES = (m.E2SetupResponse, m.E2SetupFailure, m.RicSubscriptionRequest, m.RicSubscriptionDeleteRequest,
                m.RicControlRequest, m.ResetRequest, m.ResetResponse, m.ErrorIndication,
                m.RicServiceUpdateAcknowledge, m.RicServiceUpdateFailure, m.RicServiceQuery,
                m.E2NodeConfigurationUpdateAcknowledge, m.E2NodeConfigurationUpdateFailure)

    def __init__(self, node_id: GlobalE2NodeId, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(timeout_s)
        self.node_id = node_id
        self.ran_functions: dict[int, RanFunction] = {}
        self.accepted_functions: set[int] = set()
        self.global_ric_id: GlobalRicId | None = None
        self.subscriptions: dict[RicRequestId, tuple[int, tuple[int, ...]]] = {}   # -> (ran function, actions)
        self._sn: dict[tuple[RicRequestId, int], int] = {}

    def send_setup_request(self, ran_functions: Iterable[RanFunction], now: float,
                           component_configs: Iterable[ComponentConfig] = ()) -> bytes:
        """E2 Setup Request (8.3.1) advertising ``ran_functions``."""
        functions = tuple(ran_functions)
        configs = tuple(component_configs) or (
            ComponentConfig("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 0}), b"", b""),)
        self.ran_functions = {f.id: f for f in functions}
        tx = self._transaction_id()
        self._expect(("tx", tx), "E2Setup", now)
        return encode(m.E2SetupRequest(tx, self.node_id, functions, configs))

    def send_subscription_response(self, request: m.RicSubscriptionRequest, admitted: Iterable[int],
                                   not_admitted: Iterable[ActionNotAdmitted] = ()) -> bytes:
        """Accept (some actions of) a subscription; the node then reports on it with :meth:`send_indication`."""
        admitted = tuple(admitted)
        if not admitted:
            raise ProtocolError("a RIC Subscription Response admits at least one action; send a failure instead")
        self.subscriptions[request.request_id] = (request.ran_function_id, admitted)
        return encode(m.RicSubscriptionResponse(request.request_id, request.ran_function_id, admitted,
                                                tuple(not_admitted) or None))

    def send_subscription_failure(self, request: m.RicSubscriptionRequest, cause: Cause) -> bytes:
        return encode(m.RicSubscriptionFailure(request.request_id, request.ran_function_id, cause))

    def send_subscription_delete_response(self, request: m.RicSubscriptionDeleteRequest) -> bytes:
        self.subscriptions.pop(request.request_id, None)
        return encode(m.RicSubscriptionDeleteResponse(request.request_id, request.ran_function_id))

    def send_subscription_delete_failure(self, request: m.RicSubscriptionDeleteRequest, cause: Cause) -> bytes:
        return encode(m.RicSubscriptionDeleteFailure(request.request_id, request.ran_function_id, cause))

    def send_indication(self, request_id: RicRequestId, action_id: int, header: bytes, message: bytes,
                        indication_type: str = "report", call_process_id: bytes | None = None) -> bytes:
        """RIC Indication (8.2.3) for an accepted subscription; the SN counts per (subscription, action)."""
        sub = self.subscriptions.get(request_id)
        if sub is None:
            raise ProtocolError(f"no active subscription {request_id}")
        ran_function_id, actions = sub
        if action_id not in actions:
            raise ProtocolError(f"action {action_id} is not admitted in subscription {request_id}")
        key = (request_id, action_id)
        sn = self._sn.get(key, -1) + 1 & 0xFFFF
        self._sn[key] = sn
        return encode(m.RicIndication(request_id, ran_function_id, action_id, indication_type, header, message, sn,
                                      call_process_id))

    def send_control_ack(self, request: m.RicControlRequest, outcome: bytes | None = None) -> bytes:
        return encode(m.RicControlAcknowledge(request.request_id, request.ran_function_id, request.call_process_id,
                                              outcome))

    def send_control_failure(self, request: m.RicControlRequest, cause: Cause, outcome: bytes | None = None) -> bytes:
        return encode(m.RicControlFailure(request.request_id, request.ran_function_id, cause,
                                          request.call_process_id, outcome))

    def send_service_update(self, now: float, added: Iterable[RanFunction] = (),
                            modified: Iterable[RanFunction] = (), deleted: Iterable[RanFunctionRef] = ()) -> bytes:
        tx = self._transaction_id()
        self._expect(("tx", tx), "RICserviceUpdate", now)
        return encode(m.RicServiceUpdate(tx, tuple(added) or None, tuple(modified) or None, tuple(deleted) or None))

    def send_node_configuration_update(self, now: float, additions: Iterable[ComponentConfig] = (),
                                       updates: Iterable[ComponentConfig] = (),
                                       removals: Iterable[ComponentRef] = ()) -> bytes:
        """E2 Node Configuration Update (8.3.5): report changed E2 node component configurations."""
        tx = self._transaction_id()
        self._expect(("tx", tx), "E2nodeConfigurationUpdate", now)
        return encode(m.E2NodeConfigurationUpdate(tx, self.node_id, tuple(additions) or None,
                                                  tuple(updates) or None, tuple(removals) or None))

    def _handle(self, msg: m.E2apMessage, now: float) -> list[Event]:
        common = self._handle_common(msg)
        if common is not None:
            if isinstance(msg, m.ResetRequest):   # a reset removes every subscription (8.3.4.2)
                self.subscriptions.clear()
                self._sn.clear()
            return common
        if isinstance(msg, (m.E2SetupResponse, m.E2SetupFailure)):
            if self._settle(("tx", msg.transaction_id), "E2Setup") is None:
                return self._unexpected(msg, f"E2 Setup transaction {msg.transaction_id}")
            if isinstance(msg, m.E2SetupFailure):
                return [MessageReceived(msg)]
            self.setup_done = True
            self.global_ric_id = msg.global_ric_id
            self.accepted_functions = {f.id for f in msg.accepted or ()}
            return [E2SetupDone(msg)]
        if isinstance(msg, (m.E2NodeConfigurationUpdateAcknowledge, m.E2NodeConfigurationUpdateFailure)):
            if self._settle(("tx", msg.transaction_id), "E2nodeConfigurationUpdate") is None:
                return self._unexpected(msg, f"E2 Node Configuration Update transaction {msg.transaction_id}")
            return [MessageReceived(msg)]
        if isinstance(msg, (m.RicServiceUpdateAcknowledge, m.RicServiceUpdateFailure)):
            if self._settle(("tx", msg.transaction_id), "RICserviceUpdate") is None:
                return self._unexpected(msg, f"RIC Service Update transaction {msg.transaction_id}")
            if isinstance(msg, m.RicServiceUpdateAcknowledge):
                self.accepted_functions |= {f.id for f in msg.accepted or ()}
            return [MessageReceived(msg)]
        if not self.setup_done:
            raise ProtocolError(f"{type(msg).__name__} before E2 Setup completed")
        if isinstance(msg, (m.RicSubscriptionRequest, m.RicControlRequest)) and \
                msg.ran_function_id not in self.ran_functions:
            raise ProtocolError(f"RAN function {msg.ran_function_id} is not offered by this node")
        return [MessageReceived(msg)]


# ---------------------------------------------------------------------------------------------------------------
# Near-RT RIC side
# ---------------------------------------------------------------------------------------------------------------
class RicConnection(_Connection):
    """The near-RT RIC's end of one E2 association (the embedded RIC uses one per E2 node)."""

    RECEIVES = (m.E2SetupRequest, m.RicSubscriptionResponse, m.RicSubscriptionFailure,
                m.RicSubscriptionDeleteResponse, m.RicSubscriptionDeleteFailure, m.RicIndication,
                m.RicControlAcknowledge, m.RicControlFailure, m.ResetRequest, m.ResetResponse, m.ErrorIndication,
                m.RicServiceUpdate, m.E2NodeConfigurationUpdate)

    def __init__(self, ric_id: GlobalRicId, registry: Any = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(timeout_s)
        self.ric_id = ric_id
        self.registry = registry
        self.node_id: GlobalE2NodeId | None = None
        self.ran_functions: dict[int, RanFunction] = {}
        self.models: dict[int, Any] = {}                  # RAN function id -> negotiated service model
        self.subscriptions: dict[RicRequestId, int] = {}  # active: request id -> RAN function id
        self._instances: dict[int, itertools.count] = {}

    # -- E2 Setup: version negotiation ----------------------------------------------------------------------
    def negotiate(self, request: m.E2SetupRequest) -> Negotiation:
        """Match every RAN function with a service model of the registry (OID, revision, definition).

        Without a registry every function is accepted as opaque. A function whose service model or version we
        do not implement is rejected with cause ricService/ran-function-not-supported and the reason kept.
        """
        accepted, rejected, models, reasons = [], [], {}, {}
        for fn in request.ran_functions:
            if self.registry is None:
                accepted.append(RanFunctionRef(fn.id, fn.revision))
                continue
            try:
                model = self.registry.negotiate(fn.oid, None, fn.revision, fn.definition)
            except (UnsupportedServiceModel, VersionMismatch) as exc:
                rejected.append(RanFunctionRejection(fn.id, Cause("ricService", "ran-function-not-supported")))
                reasons[fn.id] = str(exc)
                continue
            except E2Error as exc:
                rejected.append(RanFunctionRejection(fn.id, Cause("ricService", "ran-function-not-supported")))
                reasons[fn.id] = f"definition does not decode: {exc}"
                continue
            accepted.append(RanFunctionRef(fn.id, fn.revision))
            models[fn.id] = model
        return Negotiation(tuple(accepted), tuple(rejected), models, reasons)

    def send_setup_response(self, request: m.E2SetupRequest, negotiation: Negotiation | None = None) -> bytes:
        """Answer an E2 Setup Request; accepts what :meth:`negotiate` accepts (or the given negotiation)."""
        neg = negotiation or self.negotiate(request)
        self.node_id = request.global_e2_node_id
        self.ran_functions = {f.id: f for f in request.ran_functions if f.id in {a.id for a in neg.accepted}}
        self.models = dict(neg.models)
        acks = tuple(ComponentConfigAck(c.interface_type, c.component_id) for c in request.component_configs)
        self.setup_done = True
        return encode(m.E2SetupResponse(request.transaction_id, self.ric_id, acks, neg.accepted or None,
                                        neg.rejected or None))

    def send_setup_failure(self, request: m.E2SetupRequest, cause: Cause, time_to_wait: str | None = None) -> bytes:
        return encode(m.E2SetupFailure(request.transaction_id, cause, time_to_wait))

    # -- subscriptions --------------------------------------------------------------------------------------
    def _request_id(self, requestor: int) -> RicRequestId:
        counter = self._instances.setdefault(requestor, itertools.count(1))
        for _ in range(65536):
            rid = RicRequestId(requestor, next(counter) % 65536)
            if rid not in self.subscriptions and ("req", rid) not in self._pending:
                return rid
        raise ProtocolError(f"no free RIC instance id for requestor {requestor}")

    def send_subscription_request(self, requestor: int, ran_function_id: int, event_trigger: bytes,
                                  actions: Iterable[RicAction], now: float) -> tuple[RicRequestId, bytes]:
        """RIC Subscription Request (8.2.1): returns the allocated RIC Request ID and the PDU."""
        self._check_function(ran_function_id)
        rid = self._request_id(requestor)
        pdu = encode(m.RicSubscriptionRequest(rid, ran_function_id, SubscriptionDetails(event_trigger,
                                                                                         tuple(actions))))
        self._expect(("req", rid), "RICsubscription", now, ran_function_id)
        return rid, pdu

    def send_subscription_delete(self, request_id: RicRequestId, now: float) -> bytes:
        ran_function_id = self.subscriptions.get(request_id)
        if ran_function_id is None:
            raise ProtocolError(f"no active subscription {request_id}")
        self._expect(("req", request_id), "RICsubscriptionDelete", now, ran_function_id)
        return encode(m.RicSubscriptionDeleteRequest(request_id, ran_function_id))

    def send_control_request(self, requestor: int, ran_function_id: int, header: bytes, message: bytes, now: float,
                             ack: bool = True, call_process_id: bytes | None = None) -> tuple[RicRequestId, bytes]:
        """RIC Control Request (8.2.4); with ``ack`` the node's acknowledge/failure is awaited."""
        self._check_function(ran_function_id)
        rid = self._request_id(requestor)
        pdu = encode(m.RicControlRequest(rid, ran_function_id, header, message, call_process_id,
                                         "ack" if ack else "noAck"))
        if ack:
            self._expect(("req", rid), "RICcontrol", now, ran_function_id)
        return rid, pdu

    def send_service_update_ack(self, update: m.RicServiceUpdate) -> bytes:
        for fn in (update.added or ()) + (update.modified or ()):
            self.ran_functions[fn.id] = fn
        for ref in update.deleted or ():
            self.ran_functions.pop(ref.id, None)
        accepted = tuple(RanFunctionRef(f.id, f.revision) for f in (update.added or ()) + (update.modified or ()))
        return encode(m.RicServiceUpdateAcknowledge(update.transaction_id, accepted or None))

    def send_node_configuration_update_ack(self, update: m.E2NodeConfigurationUpdate) -> bytes:
        """Acknowledge every component of an E2 Node Configuration Update (real gNBs send one after setup)."""
        def acks(items: Any) -> tuple[ComponentConfigAck, ...] | None:
            return tuple(ComponentConfigAck(c.interface_type, c.component_id) for c in items) if items else None

        return encode(m.E2NodeConfigurationUpdateAcknowledge(update.transaction_id, acks(update.additions),
                                                             acks(update.updates), acks(update.removals)))

    def _check_function(self, ran_function_id: int) -> None:
        if not self.setup_done:
            raise ProtocolError("E2 Setup has not completed")
        if ran_function_id not in self.ran_functions:
            raise ProtocolError(f"RAN function {ran_function_id} was not accepted from this node")

    def _handle(self, msg: m.E2apMessage, now: float) -> list[Event]:
        if isinstance(msg, m.RicIndication):  # by far the most frequent message: checked first
            if msg.request_id not in self.subscriptions:
                raise ProtocolError(f"RIC Indication for unknown subscription {msg.request_id}")
            return [MessageReceived(msg)]
        common = self._handle_common(msg)
        if common is not None:
            if isinstance(msg, m.ResetRequest):
                self.subscriptions.clear()
            return common
        if isinstance(msg, (m.E2SetupRequest, m.RicServiceUpdate, m.E2NodeConfigurationUpdate)):
            return [MessageReceived(msg)]
        if isinstance(msg, (m.RicSubscriptionResponse, m.RicSubscriptionFailure)):
            if self._settle(("req", msg.request_id), "RICsubscription") is None:
                return self._unexpected(msg, f"subscription {msg.request_id}")
            if isinstance(msg, m.RicSubscriptionFailure):
                return [MessageReceived(msg)]
            self.subscriptions[msg.request_id] = msg.ran_function_id
            return [SubscriptionDone(msg.request_id, msg.ran_function_id, msg.admitted, msg.not_admitted or ())]
        if isinstance(msg, (m.RicSubscriptionDeleteResponse, m.RicSubscriptionDeleteFailure)):
            if self._settle(("req", msg.request_id), "RICsubscriptionDelete") is None:
                return self._unexpected(msg, f"subscription deletion {msg.request_id}")
            if isinstance(msg, m.RicSubscriptionDeleteResponse):
                self.subscriptions.pop(msg.request_id, None)
            return [MessageReceived(msg)]
        if isinstance(msg, (m.RicControlAcknowledge, m.RicControlFailure)):
            if self._settle(("req", msg.request_id), "RICcontrol") is None:
                return self._unexpected(msg, f"control {msg.request_id}")
            return [MessageReceived(msg)]
        raise ProtocolError(f"unhandled {type(msg).__name__}")  # pragma: no cover - RECEIVES is exhaustive

