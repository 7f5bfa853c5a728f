"""Subscription manager of the embedded RIC.

* An xApp's subscription goes to the KPM RAN function of the node it names.
* Identical subscriptions (same node, RAN function, measurements, period, cells) are merged: one E2 subscription,
  many members - the node does the work once and the RIC fans indications out (the O-RAN SC submgr does the same).
* Indications are routed by RIC Request ID (E2AP 9.2.7) to every member, decoded once.
* When an xApp leaves, its memberships go; an E2 subscription without members is deleted at the node.
* When a node's association drops, its subscriptions are suspended (kept); when the node sets up again they are
  re-sent on the new association (which allocates new RIC Request IDs); xApps keep their subscription ids and
  see only a gap.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from e2.errors import E2Error
from ric import e2glue
from ric.embedded.session import NodeSession, RequestId
from ric.errors import SubscriptionError
from ric.obs.metrics import RicMetrics
from ric.xapp.types import Indication, KpmReportSpec, NodeInfo, RanFunctionInfo, Subscription

if TYPE_CHECKING:
    from ric.xapp.runtime import XAppRuntime

__all__ = ["E2Subscription", "SubscriptionManager"]

log = logging.getLogger("ric.submgr")

SUBSCRIPTION_REQUESTOR = 1  # RIC requestor id of subscriptions (controls use another, see control.py)
EARLY_TTL_S = 1.0  # an answer that arrives before its request was registered is kept this long
MAX_HELD = 1024  # request IDs whose indications are held while a subscription request is being sent


@dataclass
class E2Subscription:
    """One E2 subscription at one node and the xApp subscriptions merged into it."""

    node_id: str
    function: RanFunctionInfo
    spec: KpmReportSpec
    request: RequestId
    plan: e2glue.KpmPlan
    members: dict[str, XAppRuntime] = field(default_factory=dict)  # xApp subscription id -> runtime
    state: str = "pending"  # pending | active | suspended
    waiter: asyncio.Future[tuple[list[int], str | None]] | None = None
    indications: int = 0

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.node_id, self.function.ran_function_id, self.spec.key())


class SubscriptionManager:
    """Merges, routes, deletes and restores E2 subscriptions."""

    def __init__(self, metrics: RicMetrics, *, timeout_s: float = 5.0) -> None:
        self.metrics = metrics
        self.timeout_s = timeout_s
        self._by_key: dict[tuple[Any, ...], E2Subscription] = {}
        self._by_request: dict[tuple[str, int], E2Subscription] = {}  # (node, instance) -> subscription
        self._by_member: dict[str, E2Subscription] = {}
        self._early: dict[tuple[str, int], tuple[float, tuple[list[int], str | None]]] = {}
        # Indications for a RIC Request ID not known yet, read while a subscription to that node was being sent
        # (its answer and first reports can overtake the send's return): replayed once the ID is registered.
        self._sending: dict[str, int] = {}  # node -> subscription requests being sent
        self._held: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
        self._member_ids = itertools.count(1)

    # -- xApp side ------------------------------------------------------------------------------------------
    async def subscribe(self, runtime: XAppRuntime, node: NodeInfo, session: NodeSession | None,
                        spec: KpmReportSpec) -> Subscription:
        """The xApp joins the E2 subscription for ``spec`` (sent to the node when there is none yet).

        The member is registered *before* the node's answer is awaited: a node may send its first report right
        behind the Subscription Response, and both can be read in one batch - before this coroutine resumes -
        so a member added afterwards would miss that report (it would be counted unrouted). A refused or
        unanswered subscription removes the member again."""
        function = node.function(e2glue.KPM_SHORT_NAME) or e2glue.find_function(node, "kpm")
        if function is None:
            raise SubscriptionError(f"E2 node {node.node_id} offers no E2SM-KPM RAN function")
        key = (node.node_id, function.ran_function_id, spec.key())
        sub = self._by_key.get(key)
        if sub is None:
            if session is None:
                raise SubscriptionError(f"E2 node {node.node_id} is not connected")
            try:
                plan = e2glue.kpm_subscription(function, spec, node.cells)
            except E2Error as exc:
                raise SubscriptionError(f"cannot encode the KPM subscription for {node.node_id}: {exc}") from exc
            sub = E2Subscription(node.node_id, function, spec, RequestId(SUBSCRIPTION_REQUESTOR, 0), plan)
            self._by_key[key] = sub
            member = self._join(sub, runtime)
            try:
                await self._request(sub, session)
            except SubscriptionError:
                self._drop(sub)
                raise
        else:
            member = self._join(sub, runtime)
            if sub.state == "pending" and sub.waiter is not None:
                # an identical request is in flight: share its answer (decided by the answer itself - the
                # requester may not have resumed yet to mark the subscription active)
                admitted, cause = await asyncio.shield(sub.waiter)
                if cause is not None or not admitted:
                    self._leave(member)
                    raise SubscriptionError(f"E2 subscription to {node.node_id} failed: "
                                            f"{cause or 'no action admitted'}")
        self._gauge()
        return Subscription(member, node.node_id, spec, function.ran_function_id)

    def _join(self, sub: E2Subscription, runtime: XAppRuntime) -> str:
        member = f"{runtime.name}-{next(self._member_ids)}"
        sub.members[member] = runtime
        self._by_member[member] = sub
        return member

    def _leave(self, member: str) -> None:
        sub = self._by_member.pop(member, None)
        if sub is not None:
            sub.members.pop(member, None)
        self._gauge()

    async def _request(self, sub: E2Subscription, session: NodeSession) -> None:
        sub.state = "pending"
        sub.waiter = asyncio.get_running_loop().create_future()
        self._by_request.pop((sub.node_id, sub.request.instance), None)
        self._sending[sub.node_id] = self._sending.get(sub.node_id, 0) + 1
        try:
            sub.request = await session.send_subscription(SUBSCRIPTION_REQUESTOR, sub.function.ran_function_id,
                                                          sub.plan)
        except E2Error as exc:
            sub.state = "suspended"
            self._settle(sub, f"not sent: {exc}")
            raise SubscriptionError(f"cannot send the subscription to {sub.node_id}: {exc}") from exc
        else:
            key = (sub.node_id, sub.request.instance)
            self._by_request[key] = sub
            early = self._early.pop(key, None)
            if early is not None and time.monotonic() - early[0] < EARLY_TTL_S:
                sub.waiter.set_result(early[1])
        finally:
            self._sent(sub)
        try:
            admitted, cause = await asyncio.wait_for(asyncio.shield(sub.waiter), self.timeout_s)
        except TimeoutError:
            sub.state = "suspended"
            self._settle(sub, "no RIC Subscription Response")
            raise SubscriptionError(f"no RIC Subscription Response from {sub.node_id} within "
                                    f"{self.timeout_s} s") from None
        if cause is not None or not admitted:
            sub.state = "failed"
            raise SubscriptionError(f"E2 node {sub.node_id} refused the subscription: {cause or 'no action admitted'}")
        sub.state = "active"

    def _sent(self, sub: E2Subscription) -> None:
        """A request has left (or failed to): replay the reports held for its RIC Request ID; once no request
        to the node is in flight, what is still held belongs to nobody and is counted unrouted."""
        node = sub.node_id
        for held in self._held.pop((node, sub.request.instance), ()):
            self.route(*held)
        self._sending[node] -= 1
        if not self._sending[node]:
            del self._sending[node]
            for key in [k for k in self._held if k[0] == node]:
                self.metrics.unrouted.inc(len(self._held.pop(key)))

    @staticmethod
    def _settle(sub: E2Subscription, cause: str) -> None:
        """Wake xApps waiting on a request that will get no answer."""
        if sub.waiter is not None and not sub.waiter.done():
            sub.waiter.set_result(([], cause))

    async def unsubscribe(self, member: str, session_of: dict[str, NodeSession]) -> None:
        sub = self._by_member.pop(member, None)
        if sub is None:
            raise SubscriptionError(f"unknown subscription {member}")
        sub.members.pop(member, None)
        if not sub.members:
            session = session_of.get(sub.node_id)
            self._drop(sub)
            if session is not None and sub.state == "active":
                try:
                    await session.send_subscription_delete(sub.request)
                except E2Error as exc:  # the node forgot it already (reset, reconnect): nothing to delete
                    log.info("subscription delete %s at %s not sent: %s", sub.request, sub.node_id, exc)
        self._gauge()

    async def remove_runtime(self, runtime: XAppRuntime, session_of: dict[str, NodeSession]) -> None:
        for member, sub in list(self._by_member.items()):
            if sub.members.get(member) is runtime:
                await self.unsubscribe(member, session_of)

    # -- node side ------------------------------------------------------------------------------------------
    def answer(self, node_id: str, request: RequestId, admitted: list[int], cause: str | None) -> None:
        sub = self._by_request.get((node_id, request.instance))
        if sub is None:  # answered while our request was still flushing, or unknown
            now = time.monotonic()
            if len(self._early) >= 1024:
                self._early = {k: v for k, v in self._early.items() if now - v[0] < EARLY_TTL_S}
            if len(self._early) < 1024:
                self._early[(node_id, request.instance)] = (now, (admitted, cause))
            return
        if sub.waiter is None or sub.waiter.done():
            log.info("late subscription answer %s from %s", request, node_id)
            return
        sub.waiter.set_result((admitted, cause))

    def route(self, node_id: str, request: RequestId, ran_function_id: int, action_id: int,
              sequence: int | None, header: bytes, message: bytes, received_at: float) -> list[Any] | None:
        """Deliver an indication to every member; returns its decoded rows (None: unknown subscription)."""
        sub = self._by_request.get((node_id, request.instance))
        if sub is None or not sub.members:
            if sub is None and node_id in self._sending and len(self._held) < MAX_HELD:
                self._held.setdefault((node_id, request.instance), []).append(
                    (node_id, request, ran_function_id, action_id, sequence, header, message, received_at))
                return None
            self.metrics.unrouted.inc()
            return None
        sub.indications += 1
        action = sub.plan.action(action_id)
        rows, error = e2glue.kpm_rows_or_error(sub.function, node_id, header, message,
                                               action.typed if action else None, action.cell if action else None)
        for member, runtime in sub.members.items():
            runtime.deliver_indication(Indication(
                node_id=node_id, subscription_id=member, ran_function_id=ran_function_id, action_id=action_id,
                header=header, message=message, rows=rows, sequence=sequence, received_at=received_at,
                decode_error=error))
        return rows

    def node_down(self, node_id: str) -> None:
        self._early = {k: v for k, v in self._early.items() if k[0] != node_id}
        for sub in self._by_key.values():
            if sub.node_id == node_id:
                if sub.waiter is not None and not sub.waiter.done():
                    sub.waiter.set_result(([], "E2 node disconnected"))
                sub.state = "suspended"
        self._gauge()

    async def node_up(self, node: NodeInfo, session: NodeSession) -> list[str]:
        """Re-send the node's suspended subscriptions; returns the failures (one line each)."""
        failures = []
        subs = [s for s in self._by_key.values()
                if s.node_id == node.node_id and s.members and s.state in ("suspended", "failed")]
        results = await asyncio.gather(*(self._request(s, session) for s in subs), return_exceptions=True)
        for sub, res in zip(subs, results, strict=True):
            if isinstance(res, Exception):
                failures.append(f"{sub.request}: {res}")
                log.warning("subscription %s not restored at %s: %s", sub.request, node.node_id, res)
        self._gauge()
        return failures

    # -- bookkeeping ----------------------------------------------------------------------------------------
    def _drop(self, sub: E2Subscription) -> None:
        self._by_key.pop(sub.key, None)
        self._by_request.pop((sub.node_id, sub.request.instance), None)
        for member in list(sub.members):
            self._by_member.pop(member, None)
        self._gauge()

    def _gauge(self) -> None:
        self.metrics.subscriptions.set(sum(1 for s in self._by_key.values() if s.state == "active"))

    def subscriptions(self) -> list[E2Subscription]:
        return list(self._by_key.values())

    def active_for(self, node_id: str) -> int:
        return sum(1 for s in self._by_key.values() if s.node_id == node_id and s.state == "active")

