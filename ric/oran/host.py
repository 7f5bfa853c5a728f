"""OranHost: the :class:`~ric.xapp.host.Host` of an xApp running inside an O-RAN SC near-RT RIC.

Message routing by RMR type (the O-RAN SC platform contract):

==========================  ==================================================================================
RMR type                    handling
==========================  ==================================================================================
100 HEALTH_CHECK_REQ        reply 101 ``OK`` when the xApp is healthy, ``ERROR [NOT READY]`` otherwise
12050 RIC_INDICATION        E2AP RIC Indication -> the subscription of its RMR sub id -> ``on_indication``
12041/12042 CONTROL ACK/FAIL  resolve the pending :meth:`control` of that RIC request id
20010 A1_POLICY_REQ         ``on_a1_policy``; reply 20011 with an *integer* ``policy_type_id`` and OK/ERROR/DELETED
12011/12012/12021/12022     subscription answers go to submgr, not xApps: counted and dropped
==========================  ==================================================================================

Subscriptions go through the subscription manager's REST API (:mod:`ric.oran.submgr`): POST, then the outcome
arrives at ``/ric/v1/subscriptions/response`` (:meth:`OranHost.on_subscription_response`), whose
``E2EventInstanceId`` is the RMR sub id indications carry. Controls are E2AP RIC Control Requests sent over RMR
with the node's name as MEID; the E2 termination forwards them to the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from e2.errors import E2Error
from ric import e2glue
from ric.a1.policy import A1Operation, A1Policy
from ric.errors import PolicyError, RicError, SubscriptionError
from ric.oran.platform import AppmgrClient, E2mgrClient
from ric.oran.rmr import RmrMessage, RmrPort, RmrType
from ric.oran.submgr import (
    ActionToBeSetup,
    SubmgrClient,
    SubscriptionDetail,
    SubscriptionParams,
    SubscriptionResponse,
)
from ric.xapp.runtime import XAppRuntime
from ric.xapp.types import (
    ControlOutcome,
    ControlRequest,
    ControlStatus,
    Indication,
    KpmReportSpec,
    NodeEvent,
    NodeInfo,
    Subscription,
)

__all__ = ["OranConfig", "OranHost"]

log = logging.getLogger("ric.oran")


@dataclass(frozen=True)
class OranConfig:
    """Typed settings of the O-RAN SC host (built from ``CONFIG_FILE`` and the platform env by the edge)."""

    xapp_name: str
    xapp_version: str = "0.0.0"
    instance_name: str = ""
    http_host: str = "127.0.0.1"  # how submgr reaches this xApp's REST (its Kubernetes service name in a RIC)
    http_port: int = 8080
    rmr_host: str = "127.0.0.1"
    rmr_port: int = 4560
    submgr_url: str = "http://service-ricplt-submgr-http.ricplt:8088"
    appmgr_url: str | None = "http://service-ricplt-appmgr-http.ricplt:8080"
    e2mgr_url: str | None = "http://service-ricplt-e2mgr-http.ricplt:3800"
    config_path: str = ""
    controls: dict[str, Any] = field(default_factory=dict)  # the xApp's own config ("controls" section)
    requestor_id: int = 1001  # RIC requestor id in this xApp's control requests
    subscription_timeout_s: float = 10.0
    node_poll_s: float = 10.0


class OranHost:
    """One xApp per process, carried by RMR + platform REST."""

    def __init__(self, config: OranConfig, port: RmrPort, submgr: SubmgrClient, *,
                 e2mgr: E2mgrClient | None = None, appmgr: AppmgrClient | None = None) -> None:
        self.config = config
        self.port = port
        self.submgr = submgr
        self.e2mgr = e2mgr
        self.appmgr = appmgr
        self.runtime: XAppRuntime | None = None
        self._nodes: dict[str, NodeInfo] = {}
        self._subs: dict[str, Subscription] = {}  # submgr SubscriptionId -> subscription
        self._by_e2_instance: dict[int, tuple[Subscription, dict[int, e2glue.KpmAction]]] = {}
        self._waiting: dict[str, asyncio.Future[SubscriptionResponse]] = {}
        self._early: dict[str, SubscriptionResponse] = {}
        self._controls: dict[tuple[int, int], asyncio.Future[ControlOutcome]] = {}
        self._instance_ids = itertools.count(1)
        self._event_ids = itertools.count(1)
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.counters: dict[str, int] = {"unexpected": 0, "bad_indication": 0, "bad_policy": 0, "unknown_sub": 0}

    # -- Host ------------------------------------------------------------------------------------------------
    async def attach(self, runtime: XAppRuntime) -> None:
        self.runtime = runtime
        self.port.start(self.on_rmr)
        if self.appmgr is not None:
            try:
                await self.appmgr.register(
                    app_name=self.config.xapp_name, app_version=self.config.xapp_version,
                    instance_name=self.config.instance_name or self.config.xapp_name,
                    http_endpoint=f"{self.config.http_host}:{self.config.http_port}",
                    rmr_endpoint=f"{self.config.rmr_host}:{self.config.rmr_port}",
                    config_path=self.config.config_path, config=self.config.controls)
            except RicError as exc:  # the xApp still works without appmgr's listing
                log.warning("appmgr registration failed: %s", exc)
        await self.refresh_nodes()
        for type_id in runtime.xapp.policy_types:  # ask the A1 mediator for instances created before we started
            self.port.send(RmrType.A1_POLICY_QUERY, json.dumps({"policy_type_id": type_id}).encode())
        if self.e2mgr is not None and self.config.node_poll_s > 0:
            self._poller = asyncio.create_task(self._poll_nodes())

    async def detach(self, runtime: XAppRuntime) -> None:
        if self._poller is not None:
            self._poller.cancel()
        for sub_id in list(self._subs):
            with contextlib.suppress(SubscriptionError):
                await self.submgr.delete(sub_id)
            self._forget(sub_id)
        if self.appmgr is not None:
            with contextlib.suppress(RicError):
                await self.appmgr.deregister(app_name=self.config.xapp_name,
                                             instance_name=self.config.instance_name or self.config.xapp_name)
        self.port.stop()
        self.runtime = None

    def nodes(self) -> list[NodeInfo]:
        return list(self._nodes.values())

    async def subscribe(self, runtime: XAppRuntime, node_id: str, spec: KpmReportSpec) -> Subscription:
        node = self._nodes.get(node_id)
        if node is None:
            await self.refresh_nodes()
            node = self._nodes.get(node_id)
        if node is None:
            raise SubscriptionError(f"unknown E2 node {node_id}")
        function = e2glue.find_function(node, "kpm")
        if function is None:
            raise SubscriptionError(f"E2 node {node_id} offers no E2SM-KPM RAN function")
        plan = e2glue.kpm_subscription(function, spec, node.cells)
        event_id = next(self._event_ids) % 256
        params = SubscriptionParams(
            host=self.config.http_host, http_port=self.config.http_port, rmr_port=self.config.rmr_port,
            meid=node_id, ran_function_id=function.ran_function_id,
            details=(SubscriptionDetail(event_id, plan.event_trigger, tuple(
                ActionToBeSetup(a.action_id, "report", a.definition) for a in plan.actions)),))
        resp = await self.submgr.subscribe(params)
        sub_id = resp.subscription_id
        fut = asyncio.get_running_loop().create_future()
        self._waiting[sub_id] = fut
        if sub_id in self._early:
            fut.set_result(self._early.pop(sub_id))
        try:
            outcome = await asyncio.wait_for(fut, self.config.subscription_timeout_s)
        except TimeoutError:
            with contextlib.suppress(SubscriptionError):
                await self.submgr.delete(sub_id)
            raise SubscriptionError(f"no subscription response from submgr for {sub_id}") from None
        finally:
            self._waiting.pop(sub_id, None)
        failed = [i for i in outcome.instances if not i.ok]
        if failed or not outcome.instances:
            with contextlib.suppress(SubscriptionError):
                await self.submgr.delete(sub_id)
            cause = failed[0].error_cause or failed[0].timeout_type if failed else "no instances"
            raise SubscriptionError(f"E2 subscription to {node_id} failed: {cause}")
        sub = Subscription(sub_id, node_id, spec, function.ran_function_id)
        self._subs[sub_id] = sub
        actions = {a.action_id: a for a in plan.actions}
        for inst in outcome.instances:
            self._by_e2_instance[inst.e2_event_instance_id] = (sub, actions)
        return sub

    async def unsubscribe(self, runtime: XAppRuntime, subscription_id: str) -> None:
        await self.submgr.delete(subscription_id)
        self._forget(subscription_id)

    async def control(self, runtime: XAppRuntime, node_id: str, request: ControlRequest,
                      timeout_s: float) -> ControlOutcome:
        node = self._nodes.get(node_id)
        if node is None:
            return ControlOutcome(ControlStatus.ERROR, f"unknown E2 node {node_id}")
        function = e2glue.find_function(node, request.service_model) or node.function(request.service_model)
        if function is None:
            return ControlOutcome(ControlStatus.ERROR, f"E2 node {node_id} has no {request.service_model} function")
        try:
            header, message = e2glue.encode_control_payload(function, request.header, request.message)
            instance = next(self._instance_ids) % 65536
            pdu = e2glue.encode_control_request(self.config.requestor_id, instance, function.ran_function_id,
                                                header, message, request.ack_requested, request.call_process_id)
        except E2Error as exc:
            return ControlOutcome(ControlStatus.ERROR, f"encoding failed: {exc}")
        key = (self.config.requestor_id, instance)
        fut: asyncio.Future[ControlOutcome] = asyncio.get_running_loop().create_future()
        self._controls[key] = fut
        t0 = time.perf_counter()
        try:
            if not self.port.send(RmrType.RIC_CONTROL_REQ, pdu, meid=node_id):
                return ControlOutcome(ControlStatus.ERROR, "RMR send failed")
            if not request.ack_requested:
                return ControlOutcome(ControlStatus.ACK, "sent, no ack requested")
            out = await asyncio.wait_for(fut, timeout_s)
            return ControlOutcome(out.status, out.cause, out.outcome, time.perf_counter() - t0)
        except TimeoutError:
            return ControlOutcome(ControlStatus.TIMEOUT, f"no ack/failure within {timeout_s} s",
                                  latency_s=time.perf_counter() - t0)
        finally:
            self._controls.pop(key, None)

    # -- platform inputs -------------------------------------------------------------------------------------
    def on_subscription_response(self, body: Any) -> None:
        """Body of submgr's POST to ``/ric/v1/subscriptions/response``."""
        resp = SubscriptionResponse.from_json(body)
        fut = self._waiting.get(resp.subscription_id)
        if fut is not None and not fut.done():
            fut.set_result(resp)
        elif len(self._early) < 1024:  # the notification may overtake submgr's POST reply; bounded
            self._early[resp.subscription_id] = resp

    async def refresh_nodes(self) -> None:
        if self.e2mgr is None:
            return
        try:
            fresh = {n.node_id: n for n in await self.e2mgr.nodes()}
        except RicError as exc:
            log.warning("node refresh failed: %s", exc)
            return
        old = self._nodes
        self._nodes = {k: self._with_versions(n) for k, n in fresh.items()}
        if self.runtime is None:
            return
        for node_id, node in self._nodes.items():
            was = old.get(node_id)
            if node.connected and (was is None or not was.connected):
                self.runtime.deliver_node_event(node, NodeEvent.UP)
            elif not node.connected and was is not None and was.connected:
                self.runtime.deliver_node_event(node, NodeEvent.DOWN)

    def set_nodes(self, nodes: list[NodeInfo]) -> None:
        """Nodes known without e2mgr (tests, or a RIC whose e2mgr is not reachable from the xApp)."""
        self._nodes = {n.node_id: self._with_versions(n) for n in nodes}

    @staticmethod
    def _with_versions(node: NodeInfo) -> NodeInfo:
        return NodeInfo(node.node_id, node.cells, tuple(e2glue.with_version(f) for f in node.ran_functions),
                        node.connected)

    async def _poll_nodes(self) -> None:
        while True:
            await asyncio.sleep(self.config.node_poll_s)
            await self.refresh_nodes()

    def _forget(self, sub_id: str) -> None:
        self._subs.pop(sub_id, None)
        for k in [k for k, (s, _) in self._by_e2_instance.items() if s.subscription_id == sub_id]:
            del self._by_e2_instance[k]

    # -- RMR -------------------------------------------------------------------------------------------------
    def on_rmr(self, msg: RmrMessage) -> None:
        """Route one RMR message by type. Never raises: bad input is counted and logged."""
        handler = _ROUTES.get(msg.mtype)
        if handler is None:
            self.counters["unexpected"] += 1
            log.info("unexpected RMR type %d dropped", msg.mtype)
            return
        handler(self, msg)

    def _health(self, msg: RmrMessage) -> None:
        ok = self.runtime is not None and self.runtime.healthy()
        self.port.reply(msg, RmrType.HEALTH_CHECK_RESP, b"OK\n" if ok else b"ERROR [NOT READY]\n")

    def _indication(self, msg: RmrMessage) -> None:
        if self.runtime is None:
            return
        try:
            ind = e2glue.decode_indication(msg.payload)
        except E2Error as exc:
            self.counters["bad_indication"] += 1
            log.warning("bad RIC Indication from %s: %s", msg.meid, exc)
            return
        entry = self._by_e2_instance.get(msg.sub_id if msg.sub_id >= 0 else ind.instance_id)
        if entry is None:
            self.counters["unknown_sub"] += 1
            return
        sub, actions = entry
        node = self._nodes.get(sub.node_id)
        function = e2glue.find_function(node, "kpm") if node else None
        action = actions.get(ind.action_id)
        rows, error = e2glue.kpm_rows_or_error(function, sub.node_id, ind.header, ind.message,
                                               action.typed if action else None)
        self.runtime.deliver_indication(Indication(
            node_id=sub.node_id, subscription_id=sub.subscription_id, ran_function_id=ind.ran_function_id,
            action_id=ind.action_id, header=ind.header, message=ind.message, rows=rows, sequence=ind.sequence,
            received_at=time.monotonic(), decode_error=error))

    def _control_answer(self, msg: RmrMessage) -> None:
        try:
            ans = e2glue.decode_control_answer(msg.payload)
        except E2Error as exc:
            self.counters["bad_indication"] += 1
            log.warning("bad control answer from %s: %s", msg.meid, exc)
            return
        fut = self._controls.get((ans.requestor_id, ans.instance_id))
        if fut is not None and not fut.done():
            fut.set_result(ControlOutcome(ControlStatus.ACK if ans.ok else ControlStatus.FAILURE, ans.cause,
                                          ans.outcome))

    def _a1_request(self, msg: RmrMessage) -> None:
        try:
            policy = A1Policy.from_rmr_json(json.loads(msg.payload))
        except (ValueError, PolicyError) as exc:
            self.counters["bad_policy"] += 1
            log.warning("bad A1 policy request: %s", exc)
            return
        task = asyncio.get_running_loop().create_task(self._a1_deliver(msg, policy))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _a1_deliver(self, msg: RmrMessage, policy: A1Policy) -> None:
        enforced = False
        if self.runtime is not None and policy.type_id in self.runtime.xapp.policy_types:
            enforced = await self.runtime.deliver_policy(policy)
        status = ("DELETED" if policy.operation is A1Operation.DELETE else "OK") if enforced else "ERROR"
        body = {"policy_type_id": policy.type_id, "policy_instance_id": policy.instance_id,
                "handler_id": self.config.instance_name or self.config.xapp_name, "status": status}
        self.port.reply(msg, RmrType.A1_POLICY_RESP, json.dumps(body).encode())

    def _drop_sub_answer(self, msg: RmrMessage) -> None:
        self.counters["unexpected"] += 1


_ROUTES = {
    RmrType.HEALTH_CHECK_REQ: OranHost._health,
    RmrType.RIC_INDICATION: OranHost._indication,
    RmrType.RIC_CONTROL_ACK: OranHost._control_answer,
    RmrType.RIC_CONTROL_FAILURE: OranHost._control_answer,
    RmrType.A1_POLICY_REQ: OranHost._a1_request,
    RmrType.RIC_SUB_RESP: OranHost._drop_sub_answer,
    RmrType.RIC_SUB_FAILURE: OranHost._drop_sub_answer,
    RmrType.RIC_SUB_DEL_RESP: OranHost._drop_sub_answer,
    RmrType.RIC_SUB_DEL_FAILURE: OranHost._drop_sub_answer,
}
