"""A RIC-side test harness written with the E2 library: e2.transport server + e2.ap.RicConnection per node.

It accepts E2 associations, answers E2 Setup (negotiating service-model versions with the registry), and lets
a test subscribe, delete, control, send raw bytes and drop associations, collecting what the nodes send.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from lab import corridor_lab

from e2 import ap
from e2.ap.connection import E2SetupDone, MessageReceived, PduRejected, RicConnection, SubscriptionDone
from e2.errors import TransportError
from e2.sm import default_registry
from e2.transport import Endpoint, serve
from e2sim.node.runner import E2SimRunner, RunnerConfig


@dataclass
class NodeLink:
    endpoint: Endpoint
    conn: RicConnection
    setup: ap.E2SetupRequest | None = None
    models: dict[int, Any] = field(default_factory=dict)
    indications: list[ap.RicIndication] = field(default_factory=list)
    errors: list[ap.ErrorIndication] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    answers: dict[ap.RicRequestId, asyncio.Future[Any]] = field(default_factory=dict)

    @property
    def gnb_id(self) -> int:
        assert self.setup is not None
        return self.setup.global_e2_node_id.node_id

    def function(self, family: str) -> tuple[int, Any]:
        """(RAN function ID, negotiated model) of a service-model family (kpm, rc, ccc)."""
        for fid, model in self.models.items():
            if model.cli_name == family:
                return fid, model
        raise KeyError(family)


class RicHarness:
    def __init__(self, fail_setups: int = 0) -> None:
        self.fail_setups = fail_setups  # answer this many E2 Setups with E2 Setup Failure (TimeToWait 1 s)
        self.setup_failures_sent = 0
        self.resets_answered = 0
        self.nodes: dict[int, NodeLink] = {}
        self.setups: list[int] = []  # gNB IDs in the order their E2 Setup completed
        self.server: Any = None
        self.port = 0
        self._changed = asyncio.Event()

    async def start(self, port: int = 0) -> int:
        self.server = await serve(self._handle, "127.0.0.1", port, transport="tcp")
        self.port = self.server.port
        return self.port

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()
        await self.drop_all()

    async def drop_all(self) -> None:
        for link in list(self.nodes.values()):
            await link.endpoint.close()

    async def wait_for(self, cond: Callable[[], bool], timeout: float = 20.0) -> None:
        async def loop() -> None:
            while not cond():
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.2)
        await asyncio.wait_for(loop(), timeout)

    async def _handle(self, ep: Endpoint) -> None:
        link = NodeLink(ep, RicConnection(ap.GlobalRicId(ap.Plmn("001", "01"), 7), default_registry()))
        loop = asyncio.get_running_loop()
        try:
            while True:
                pdu = await ep.recv()
                for event in link.conn.receive(pdu, loop.time()):
                    await self._event(link, event)
                self._changed.set()
        except TransportError:
            pass

    async def _event(self, link: NodeLink, event: Any) -> None:
        if isinstance(event, PduRejected):
            link.rejected.append(event.reason)
            return
        if isinstance(event, SubscriptionDone):
            fut = link.answers.pop(event.request_id, None)
            if fut is not None and not fut.done():
                fut.set_result(event)
            return
        if isinstance(event, E2SetupDone):
            return
        assert isinstance(event, MessageReceived)
        msg = event.message
        if isinstance(msg, ap.E2SetupRequest) and self.setup_failures_sent < self.fail_setups:
            self.setup_failures_sent += 1
            await link.endpoint.send(link.conn.send_setup_failure(msg, ap.Cause("misc", "om-intervention"), "v1s"))
        elif isinstance(msg, ap.E2SetupRequest):
            neg = link.conn.negotiate(msg)
            link.setup, link.models = msg, neg.models
            await link.endpoint.send(link.conn.send_setup_response(msg, neg))
            self.nodes[link.gnb_id] = link
            self.setups.append(link.gnb_id)
        elif isinstance(msg, ap.RicIndication):
            link.indications.append(msg)
        elif isinstance(msg, ap.ErrorIndication):
            link.errors.append(msg)
        elif isinstance(msg, ap.ResetResponse):
            self.resets_answered += 1
        elif hasattr(msg, "request_id"):
            fut = link.answers.pop(msg.request_id, None)
            if fut is not None and not fut.done():
                fut.set_result(msg)

    async def _ask(self, link: NodeLink, rid: ap.RicRequestId, pdu: bytes, timeout: float = 10.0) -> Any:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        link.answers[rid] = fut
        await link.endpoint.send(pdu)
        return await asyncio.wait_for(fut, timeout)

    async def subscribe(self, gnb_id: int, trigger: bytes, actions: list[ap.RicAction],
                        function_id: int | None = None) -> tuple[ap.RicRequestId, Any]:
        link = self.nodes[gnb_id]
        fid = function_id if function_id is not None else link.function("kpm")[0]
        rid, pdu = link.conn.send_subscription_request(1, fid, trigger, actions, asyncio.get_running_loop().time())
        return rid, await self._ask(link, rid, pdu)

    async def delete(self, gnb_id: int, rid: ap.RicRequestId) -> Any:
        link = self.nodes[gnb_id]
        pdu = link.conn.send_subscription_delete(rid, asyncio.get_running_loop().time())
        return await self._ask(link, rid, pdu)

    async def control(self, gnb_id: int, family: str, header: bytes, message: bytes) -> Any:
        link = self.nodes[gnb_id]
        fid = link.function(family)[0]
        rid, pdu = link.conn.send_control_request(2, fid, header, message, asyncio.get_running_loop().time())
        return await self._ask(link, rid, pdu)


# Two 3-sector sites on a corridor, static UEs (stable radio for the handover tests), 1 s measurement period.
SCENARIO: dict[str, Any] = corridor_lab("e2sim-test", ["nova", "keystone"])
SPEED = 20.0  # 1 s measurement period -> 50 ms of wall time


def run_e2sim(body: Callable[[RicHarness, E2SimRunner], Awaitable[None]], *, speed: float = SPEED,
              scenario: dict[str, Any] | None = None, timeout: float = 40.0, fail_setups: int = 0) -> E2SimRunner:
    """Start the harness and e2sim, wait for every gNB's E2 Setup, run ``body``, stop both."""

    async def main() -> E2SimRunner:
        ric = RicHarness(fail_setups)
        port = await ric.start()
        runner = E2SimRunner(scenario or SCENARIO, RunnerConfig(ric_port=port, transport="tcp", speed=speed,
                                                                backoff_base_s=0.05, backoff_cap_s=0.3))
        task = asyncio.create_task(runner.run())
        try:
            await ric.wait_for(lambda: len(ric.nodes) == len(runner.agents) and all(
                a.established for a in runner.agents))
            await asyncio.wait_for(body(ric, runner), timeout)
        finally:
            runner.stop()
            await task
            await ric.stop()
        return runner

    return asyncio.run(main())
