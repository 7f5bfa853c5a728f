"""EmbeddedRic: a near-RT RIC in one asyncio process.

It composes the E2 termination (:mod:`ric.embedded.e2term`), the R-NIB (:mod:`ric.embedded.rnib`), the
subscription manager (:mod:`ric.embedded.submgr`), control routing (:mod:`ric.embedded.control`), the A1-P
endpoint (:mod:`ric.a1`), observability (:mod:`ric.obs`) and hosts xApps - in-process (:meth:`add_xapp`) or in
other processes over the local xApp link (:mod:`ric.xapp.link`). It is the embedded
:class:`~ric.xapp.host.Host`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from e2.errors import E2Error
from ric import e2glue
from ric.a1.app import a1_router, install_error_handlers
from ric.a1.policy import A1Operation, A1Policy
from ric.a1.store import PolicyStore
from ric.embedded.control import ControlRouter
from ric.embedded.rnib import RNib
from ric.embedded.session import NodeSession, RequestId
from ric.embedded.submgr import SubscriptionManager
from ric.errors import SdlUnavailable, SubscriptionError
from ric.heap import freeze_startup_heap
from ric.obs.health import Health
from ric.obs.http import HttpServer, obs_router
from ric.obs.metrics import RicMetrics, XAppMetrics
from ric.sdl import Sdl, SdlConfig
from ric.xapp.api import XApp
from ric.xapp.runtime import RuntimeConfig, XAppRuntime
from ric.xapp.types import (
    CellInfo,
    ControlOutcome,
    ControlRequest,
    ControlStatus,
    KpmReportSpec,
    NodeEvent,
    NodeInfo,
    Subscription,
)

__all__ = ["EmbeddedRic", "RicConfig"]

log = logging.getLogger("ric")


@dataclass(frozen=True)
class RicConfig:
    """Typed configuration of the embedded RIC (the CLI builds it from flags and ``REDIS_URL``)."""

    e2_host: str = "127.0.0.1"
    e2_port: int = 36421  # 0: any free port (read back from EmbeddedRic.e2_port)
    transport: str = "auto"  # "sctp" | "tcp" | "auto" (SCTP where the kernel has it, else length-framed TCP)
    http_host: str = "127.0.0.1"
    http_port: int = 8080  # A1 (/a1-p), metrics (/metrics, /ric/v1/metrics), health (/ric/v1/health/...)
    link: str | None = None  # local xApp link, "tcp://HOST:PORT" or "unix:///PATH"; None: in-process xApps only
    sdl: SdlConfig = field(default_factory=SdlConfig)
    subscription_timeout_s: float = 5.0
    control_timeout_s: float = 1.0
    rnib_sync_s: float = 0.25  # R-NIB changes reach Redis within this (written off the event loop)
    a1_delivery_timeout_s: float = 2.0
    freeze_heap: bool = True  # gc.freeze() the start-up heap (see ric.heap): full collections stay short


class EmbeddedRic:
    """The embedded near-RT RIC; ``async with EmbeddedRic(cfg) as ric: ...`` or start()/stop()."""

    def __init__(self, config: RicConfig | None = None, *, sdl: Sdl | None = None,
                 termination: Any = None) -> None:
        """``termination``: a factory ``(ric, metrics, host=, port=, transport=) -> termination``; default the
        E2 termination over e2.transport (tests of the core pass an in-memory one)."""
        self.config = config or RicConfig()
        self._termination_factory = termination
        self.registry = CollectorRegistry()
        self.metrics = RicMetrics(self.registry)
        self.xapp_metrics = XAppMetrics(self.registry)
        self.health = Health()
        self._own_sdl = sdl is None
        self.sdl: Sdl | None = sdl
        self.rnib: RNib | None = None
        self.policies: PolicyStore | None = None
        self.submgr = SubscriptionManager(self.metrics, timeout_s=self.config.subscription_timeout_s)
        self.controls = ControlRouter(self.metrics)
        self.sessions: dict[str, NodeSession] = {}
        self.runtimes: dict[str, XAppRuntime] = {}
        self.termination: Any = None
        self.link: Any = None
        self.http: HttpServer | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sync_task: asyncio.Task[None] | None = None
        self._cells: dict[str, set[str]] = {}
        self._bad_logged: dict[str, float] = {}

    # -- lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start everything; on failure (port in use, SCTP asked where there is none...) what was started is
        stopped again before the error propagates - no orphaned Redis server or socket."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        factory = self._termination_factory
        if factory is None:
            from ric.embedded.e2term import E2Termination as factory  # E2AP is needed only once we listen

        warming = asyncio.create_task(asyncio.to_thread(e2glue.warm))  # codecs compile while Redis starts
        if self.sdl is None:
            self.sdl = await asyncio.to_thread(Sdl, self.config.sdl)
        await warming
        self.rnib = RNib(self.sdl.namespace("rnib"), self.metrics)
        self.rnib.load()
        self.policies = PolicyStore(self.sdl.namespace("a1"))
        self.health.add_check("sdl", self.sdl.ping)
        self.termination = factory(self, self.metrics, host=self.config.e2_host, port=self.config.e2_port,
                                         transport=self.config.transport)
        await self.termination.start()
        self.health.add_check("e2", lambda: self.termination is not None and self.termination.listening)
        self.health.add_check("xapps", lambda: all(r.healthy() for r in self.runtimes.values()))
        self.http = HttpServer(self._http_app(), self.config.http_host, self.config.http_port)
        await self.http.start()
        if self.config.link:
            from ric.xapp.link import LinkServer

            self.link = LinkServer(self, self.config.link)
            await self.link.start()
        self._sync_task = asyncio.create_task(self._rnib_sync_loop(), name="rnib-sync")
        if self.config.freeze_heap:
            freeze_startup_heap()
        log.info("embedded RIC up", extra={"e2_port": self.e2_port, "http": self.http.url,
                                           "transport": self.termination.transport, "sdl": self.sdl.where})

    async def stop(self) -> None:
        for runtime in list(self.runtimes.values()):
            with contextlib.suppress(Exception):
                await runtime.stop()
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync_task
        for task in list(self._tasks):
            task.cancel()
        if self.link is not None:
            await self.link.stop()
        if self.termination is not None:
            await self.termination.stop()
        if self.http is not None:
            await self.http.stop()
        if self._own_sdl and self.sdl is not None:
            self.sdl.close()
            self.sdl = None

    async def __aenter__(self) -> EmbeddedRic:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def e2_port(self) -> int:
        return self.termination.port if self.termination is not None else self.config.e2_port

    def _http_app(self) -> FastAPI:
        app = FastAPI(title="ranpilot embedded near-RT RIC")
        install_error_handlers(app)
        assert self.policies is not None
        app.include_router(a1_router(self.policies, self.deliver_policy,
                                     delivery_timeout_s=self.config.a1_delivery_timeout_s))
        app.include_router(obs_router(self.registry, self.health))

        @app.get("/ric/v1/nodes")
        async def nodes() -> list[dict[str, Any]]:
            return [n.to_json() for n in self.nodes()]

        @app.get("/ric/v1/xapps")
        async def xapps() -> list[dict[str, Any]]:
            return [{"name": r.name, "healthy": r.healthy(), "subscriptions": len(r.subscriptions),
                     "policy_types": list(r.xapp.policy_types)} for r in self.runtimes.values()]

        return app

    async def _rnib_sync_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.rnib_sync_s)
            if self.rnib is not None:
                await asyncio.to_thread(self.rnib.sync)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- hosting xApps ---------------------------------------------------------------------------------------
    async def add_xapp(self, xapp: XApp, config: RuntimeConfig | None = None) -> XAppRuntime:
        """Run ``xapp`` in this process; returns its runtime (``await runtime.stop()`` to remove it)."""
        assert self.sdl is not None, "start() the RIC first"
        runtime = XAppRuntime(xapp, self, metrics=self.xapp_metrics, sdl_namespace=self.sdl.namespace(xapp.name),
                              config=config or RuntimeConfig(control_timeout_s=self.config.control_timeout_s))
        await runtime.start()
        return runtime

    async def attach(self, runtime: XAppRuntime) -> None:
        if runtime.name in self.runtimes:
            raise ValueError(f"an xApp named {runtime.name} is already attached")
        self.runtimes[runtime.name] = runtime
        if runtime.xapp.policy_types:
            self._spawn(self._send_existing_policies(runtime))

    async def _send_existing_policies(self, runtime: XAppRuntime) -> None:
        assert self.policies is not None
        try:
            existing = await asyncio.to_thread(self.policies.all_instances)
        except SdlUnavailable as exc:
            log.warning("existing A1 policies not sent to %s: %s", runtime.name, exc)
            return
        for type_id, instance, payload in existing:
            if type_id in runtime.xapp.policy_types:
                enforced = await runtime.deliver_policy(A1Policy(type_id, instance, A1Operation.CREATE, payload))
                if enforced:
                    with contextlib.suppress(SdlUnavailable):
                        self.policies.set_enforced(type_id, instance, True)

    async def detach(self, runtime: XAppRuntime) -> None:
        await self.submgr.remove_runtime(runtime, self.sessions)
        if self.runtimes.get(runtime.name) is runtime:
            del self.runtimes[runtime.name]

    def nodes(self) -> list[NodeInfo]:
        return self.rnib.all() if self.rnib is not None else []

    async def subscribe(self, runtime: XAppRuntime, node_id: str, spec: KpmReportSpec) -> Subscription:
        node = self.rnib.get(node_id) if self.rnib is not None else None
        if node is None:
            raise SubscriptionError(f"unknown E2 node {node_id}")
        return await self.submgr.subscribe(runtime, node, self.sessions.get(node_id), spec)

    async def unsubscribe(self, runtime: XAppRuntime, subscription_id: str) -> None:
        await self.submgr.unsubscribe(subscription_id, self.sessions)

    async def control(self, runtime: XAppRuntime, node_id: str, request: ControlRequest,
                      timeout_s: float) -> ControlOutcome:
        node = self.rnib.get(node_id) if self.rnib is not None else None
        session = self.sessions.get(node_id)
        if node is None or session is None:
            return ControlOutcome(ControlStatus.ERROR, f"E2 node {node_id} is not connected")
        function = e2glue.find_function(node, request.service_model) or node.function(request.service_model)
        if function is None:
            return ControlOutcome(ControlStatus.ERROR, f"E2 node {node_id} has no {request.service_model} function")
        try:
            header, message = e2glue.encode_control_payload(function, request.header, request.message)
        except E2Error as exc:
            return ControlOutcome(ControlStatus.ERROR, f"encoding failed: {exc}")
        return await self.controls.send(session, function.ran_function_id, header, message,
                                        ack_requested=request.ack_requested,
                                        call_process_id=request.call_process_id, timeout_s=timeout_s)

    async def deliver_policy(self, policy: A1Policy) -> bool:
        """A1 -> every xApp registered for the policy's type; True when at least one enforced it."""
        targets = [r for r in self.runtimes.values() if policy.type_id in r.xapp.policy_types]
        if not targets:
            return False
        results = await asyncio.gather(*(r.deliver_policy(policy) for r in targets), return_exceptions=True)
        return any(r is True for r in results)

    # -- events from the E2 termination ----------------------------------------------------------------------
    def node_setup(self, session: NodeSession, node: NodeInfo) -> None:
        old = self.sessions.get(node.node_id)
        if old is not None and old is not session:
            old.close()  # the node set up again on a new association: the old one is dead
            self.submgr.node_down(node.node_id)
            self.controls.node_down(node.node_id)
        self.sessions[node.node_id] = session
        assert self.rnib is not None
        known = self.rnib.get(node.node_id)
        if not node.cells and known is not None and known.cells:  # keep cells learned before the reconnect
            node = NodeInfo(node.node_id, known.cells, node.ran_functions, node.connected)
        self._cells.pop(node.node_id, None)
        self.rnib.put(node)
        self.metrics.nodes.set(len(self.sessions))
        log.info("E2 node up", extra={"node": node.node_id, "cells": len(node.cells),
                                      "functions": [f"{f.short_name or f.oid} v{f.version}" for f in node.ran_functions]})
        self._spawn(self._node_up(node, session))

    async def _node_up(self, node: NodeInfo, session: NodeSession) -> None:
        await self.submgr.node_up(node, session)
        for runtime in list(self.runtimes.values()):
            runtime.deliver_node_event(node, NodeEvent.UP)

    def node_lost(self, node_id: str, session: NodeSession) -> None:
        if self.sessions.get(node_id) is not session:
            return
        del self.sessions[node_id]
        self.metrics.nodes.set(len(self.sessions))
        self.submgr.node_down(node_id)
        self.controls.node_down(node_id)
        node = self.rnib.set_connected(node_id, False) if self.rnib is not None else None
        log.info("E2 node down", extra={"node": node_id})
        if node is not None:
            for runtime in list(self.runtimes.values()):
                runtime.deliver_node_event(node, NodeEvent.DOWN)

    def subscription_answer(self, node_id: str, request: RequestId, admitted: list[int], cause: str | None) -> None:
        self.submgr.answer(node_id, request, admitted, cause)

    def subscription_delete_answer(self, node_id: str, request: RequestId, cause: str | None) -> None:
        if cause is not None:
            log.info("subscription delete at %s refused: %s", node_id, cause)

    def indication(self, node_id: str, request: RequestId, ran_function_id: int, action_id: int,
                   sequence: int | None, header: bytes, message: bytes, received_at: float) -> None:
        self.metrics.indications.inc()
        rows = self.submgr.route(node_id, request, ran_function_id, action_id, sequence, header, message,
                                 received_at)
        if rows:
            self._learn_cells(node_id, rows)

    def _learn_cells(self, node_id: str, rows: list[Any]) -> None:
        """Cells seen in a node's reports join its R-NIB entry (KPM v2/v3 E2 Setup does not list cells)."""
        known = self._cells.get(node_id)
        if known is None:
            node = self.rnib.get(node_id) if self.rnib is not None else None
            known = self._cells[node_id] = {c.nr_cgi for c in node.cells} if node else set()
        new = {r.cell for r in rows if r.cell is not None and r.cell not in known}
        if new and self.rnib is not None:
            known |= new
            node = self.rnib.get(node_id)
            if node is not None:
                cells = node.cells + tuple(CellInfo(c) for c in sorted(new))
                self.rnib.put(NodeInfo(node.node_id, cells, node.ran_functions, node.connected))

    def control_answer(self, node_id: str, request: RequestId, ok: bool, cause: str | None,
                       outcome: bytes | None) -> None:
        self.controls.answer(node_id, request, ok, cause, outcome)

    def bad_pdu(self, node_id: str | None, reason: str) -> None:
        """Counted always; logged at most once a second per node (a flood must not become a log flood)."""
        node = node_id or "unknown"
        self.metrics.decode_errors.labels(node).inc()
        now = time.monotonic()
        if now - self._bad_logged.get(node, 0.0) >= 1.0:
            self._bad_logged[node] = now
            log.warning("bad E2AP PDU", extra={"node": node, "reason": reason})
