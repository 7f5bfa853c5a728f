"""The xApp runtime: drives one :class:`~ric.xapp.api.XApp` against one :class:`~ric.xapp.host.Host`.

Why a runtime between host and xApp: the host's receive loops must never wait for, or die with, xApp code. Events
are queued per xApp and handled one at a time by the runtime's task (so xApp code needs no locks and sees events
in arrival order); every hook is timed and isolated; control calls get a deadline and a counted outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ric.a1.policy import A1Policy
from ric.errors import SubscriptionError
from ric.obs.metrics import XAppMetrics
from ric.sdl import Namespace
from ric.xapp.api import XApp, XAppContext
from ric.xapp.host import Host
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

__all__ = ["RuntimeConfig", "XAppRuntime"]

log = logging.getLogger("ric.xapp")


@dataclass(frozen=True)
class RuntimeConfig:
    """Per-xApp runtime settings."""

    control_timeout_s: float = 1.0
    queue_size: int = 100_000  # events waiting for the xApp; beyond it indications are dropped (and counted)


class XAppRuntime:
    """Owns the xApp's event loop, its subscriptions, control deadlines and metrics."""

    def __init__(self, xapp: XApp, host: Host, *, metrics: XAppMetrics, sdl_namespace: Namespace | None,
                 config: RuntimeConfig | None = None) -> None:
        self.xapp = xapp
        self.host = host
        self.metrics = metrics
        self._sdl = sdl_namespace
        self.config = config or RuntimeConfig()
        self.ctx = XAppContext(self)
        self.subscriptions: dict[str, Subscription] = {}
        # (hook, args, future) or (None, indication, None) for the hot path
        self._queue: asyncio.Queue[tuple[Callable[..., Any] | None, Any, asyncio.Future[Any] | None]] = (
            asyncio.Queue(self.config.queue_size))
        self._task: asyncio.Task[None] | None = None
        self.started = False
        self.dropped = 0
        name = xapp.name
        self._m_ind = metrics.indications.labels(name)
        self._m_dec = metrics.decode_errors.labels(name)
        self._m_subs = metrics.subscriptions.labels(name)
        self._m_lat = metrics.control_latency.labels(name)
        self._m_cb = {cb: metrics.callback_latency.labels(name, cb) for cb in ("indication", "policy", "node")}
        self._m_ctl = {status: metrics.controls.labels(name, status.value) for status in ControlStatus}

    @property
    def name(self) -> str:
        return self.xapp.name

    @property
    def sdl_namespace(self) -> Namespace:
        """The xApp's SDL namespace: the one given, else the host's SDL (e.g. the embedded RIC's Redis that a
        remote xApp learns over the link)."""
        if self._sdl is None:
            provide = getattr(self.host, "sdl_namespace", None)
            self._sdl = provide(self.name) if provide is not None else None
        if self._sdl is None:
            raise RuntimeError(f"xApp {self.name} has no SDL (its host offers none)")
        return self._sdl

    # -- lifecycle -----------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Attach to the host, then run ``on_start`` (in the xApp's task, like every hook)."""
        self._task = asyncio.create_task(self._run(), name=f"xapp:{self.name}")
        await self.host.attach(self)
        await self._call_soon("start", self.xapp.on_start, self.ctx)
        self.started = True

    async def stop(self) -> None:
        """Run ``on_stop``, leave the host (subscriptions deleted), stop the task."""
        if self._task is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._call_soon("stop", self.xapp.on_stop, self.ctx), 5)
        try:
            await self.host.detach(self)
        finally:
            self.subscriptions.clear()
            self._m_subs.set(0)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            self.started = False

    def healthy(self) -> bool:
        return self.started and self._task is not None and not self._task.done() and self.xapp.healthy()

    async def _run(self) -> None:
        while True:
            fn, args, fut = await self._queue.get()
            if fn is None:  # an indication (the hot path: no coroutine unless the hook is a coroutine)
                pending = self._on_indication(args)
                if pending is not None:
                    await pending
                continue
            try:
                result = fn(*args)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                if fut is not None and not fut.done():
                    fut.set_exception(exc)
                else:
                    log.exception("xApp hook failed", extra={"xapp": self.name})
            else:
                if fut is not None and not fut.done():
                    fut.set_result(result)

    def _call_soon(self, what: str, fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((self._timed(what, fn), args, fut))
        return fut

    def _timed(self, what: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        hist = self._m_cb.get(what)

        async def call(*args: Any) -> Any:
            t0 = time.perf_counter()
            try:
                result = fn(*args)
                if inspect.isawaitable(result):
                    result = await result
                return result
            except Exception:
                self.metrics.callback_errors.labels(self.name, what).inc()
                log.exception("xApp %s hook %s raised", self.name, what, extra={"xapp": self.name})
                raise
            finally:
                if hist is not None:
                    hist.observe(time.perf_counter() - t0)

        return call

    # -- events from the host --------------------------------------------------------------------------------
    def deliver_indication(self, ind: Indication) -> bool:
        """Queue an indication for ``on_indication``; False (and counted) when the xApp is too far behind."""
        self._m_ind.inc()
        if ind.decode_error is not None:
            self._m_dec.inc()
        try:
            self._queue.put_nowait((None, ind, None))
            return True
        except asyncio.QueueFull:
            self.dropped += 1
            self.metrics.dropped.labels(self.name).inc()
            return False

    def _on_indication(self, ind: Indication) -> Awaitable[None] | None:
        """Run ``on_indication``; a plain function's call is timed and finished here, a coroutine's is returned
        (timed until it completes) for the runtime task to await."""
        t0 = time.perf_counter()
        try:
            result = self.xapp.on_indication(self.ctx, ind)
        except Exception:
            self._indication_failed(ind)
            result = None
        if result is not None and inspect.isawaitable(result):
            return self._finish_indication(result, ind, t0)
        self._m_cb["indication"].observe(time.perf_counter() - t0)
        return None

    async def _finish_indication(self, pending: Awaitable[Any], ind: Indication, t0: float) -> None:
        try:
            await pending
        except Exception:
            self._indication_failed(ind)
        finally:
            self._m_cb["indication"].observe(time.perf_counter() - t0)

    def _indication_failed(self, ind: Indication) -> None:
        self.metrics.callback_errors.labels(self.name, "indication").inc()
        log.exception("on_indication raised", extra={"xapp": self.name, "node": ind.node_id})

    async def deliver_policy(self, policy: A1Policy) -> bool:
        """Hand an A1 policy event to ``on_a1_policy``; its bool result says whether the xApp enforced it."""
        try:
            enforced = bool(await self._call_soon("policy", self.xapp.on_a1_policy, self.ctx, policy))
        except Exception:
            enforced = False
        self.metrics.policies.labels(self.name, "enforced" if enforced else "not_enforced").inc()
        return enforced

    def deliver_node_event(self, node: NodeInfo, event: NodeEvent) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait((self._timed("node", self.xapp.on_node), (self.ctx, node, event), None))

    # -- calls from the xApp ---------------------------------------------------------------------------------
    async def subscribe(self, node_id: str, spec: KpmReportSpec) -> Subscription:
        sub = await self.host.subscribe(self, node_id, spec)
        self.subscriptions[sub.subscription_id] = sub
        self._m_subs.set(len(self.subscriptions))
        return sub

    async def unsubscribe(self, subscription_id: str) -> None:
        if subscription_id not in self.subscriptions:
            raise SubscriptionError(f"xApp {self.name} has no subscription {subscription_id}")
        await self.host.unsubscribe(self, subscription_id)
        del self.subscriptions[subscription_id]
        self._m_subs.set(len(self.subscriptions))

    async def control(self, node_id: str, request: ControlRequest, timeout_s: float | None) -> ControlOutcome:
        """The host enforces the deadline (it knows when a request left); the runtime counts the outcome and
        turns any host exception into an ERROR outcome, so a control never raises into the xApp."""
        timeout = self.config.control_timeout_s if timeout_s is None else timeout_s
        t0 = time.perf_counter()
        try:
            outcome = await self.host.control(self, node_id, request, timeout)
        except Exception as exc:
            outcome = ControlOutcome(ControlStatus.ERROR, f"{type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - t0
        if outcome.status in (ControlStatus.ACK, ControlStatus.FAILURE):
            self._m_lat.observe(elapsed)
        self._m_ctl[outcome.status].inc()
        return outcome
