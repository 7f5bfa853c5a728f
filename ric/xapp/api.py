"""The xApp API: what an xApp author writes against.

An xApp subclasses :class:`XApp` and overrides the hooks it needs; it supplies features, policy and control
mapping only. The runtime (:class:`ric.xapp.runtime.XAppRuntime`) owns the loop, ordering, timeouts, metrics and
error isolation, and the host (embedded RIC or O-RAN SC) owns E2 - so the same class runs unchanged in both.

Example::

    class Watch(XApp):
        name = "watch"
        policy_types = (20008,)

        async def on_start(self, ctx):
            for node in ctx.nodes():
                await ctx.subscribe(node.node_id, KpmReportSpec(("DRB.UEThpDl",), period_ms=100))

        async def on_indication(self, ctx, ind):
            for row in ind.rows:
                if row.measurement == "DRB.UEThpDl" and row.value < 1.0:
                    out = await ctx.control(ind.node_id, ControlRequest("RC", header, message))
                    ctx.log.info("control %s", out.status.value)

Hooks may be ``async def`` or plain ``def``. A hook that raises is logged and counted
(``ranpilot_xapp_callback_errors``); the xApp keeps running.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from ric.a1.policy import A1Policy
from ric.xapp.types import (
    ControlOutcome,
    ControlRequest,
    Indication,
    KpmReportSpec,
    NodeEvent,
    NodeInfo,
    Subscription,
)

if TYPE_CHECKING:
    from ric.sdl import Namespace
    from ric.xapp.runtime import XAppRuntime

__all__ = ["XApp", "XAppContext"]


class XApp:
    """Base class of every xApp. Class attributes describe it; hooks receive an :class:`XAppContext`."""

    name: ClassVar[str] = "xapp"
    version: ClassVar[str] = "0.0.0"
    policy_types: ClassVar[tuple[int, ...]] = ()  # A1 policy types this xApp enforces

    async def on_start(self, ctx: XAppContext) -> None:
        """Called once the xApp is attached to its RIC: subscribe here."""

    async def on_indication(self, ctx: XAppContext, ind: Indication) -> None:
        """A RIC Indication of one of this xApp's subscriptions (decoded rows + raw bytes)."""

    async def on_a1_policy(self, ctx: XAppContext, policy: A1Policy) -> bool:
        """An A1 policy of a registered type was created, updated or deleted. Return True when enforced."""
        return False

    async def on_node(self, ctx: XAppContext, node: NodeInfo, event: NodeEvent) -> None:
        """An E2 node came up (setup done, subscriptions restored) or went down."""

    async def on_stop(self, ctx: XAppContext) -> None:
        """Called before the xApp leaves its RIC."""

    def healthy(self) -> bool:
        """The xApp's own readiness (e.g. its model is loaded); part of ``/ric/v1/health/ready``."""
        return True


class XAppContext:
    """The xApp's handle on its RIC: subscriptions, control, nodes, SDL, metrics, logging."""

    def __init__(self, runtime: XAppRuntime) -> None:
        self._rt = runtime
        self.name = runtime.xapp.name
        self.log = logging.LoggerAdapter(logging.getLogger(f"xapp.{self.name}"), {"xapp": self.name})

    @property
    def sdl(self) -> Namespace:
        """This xApp's SDL namespace (its name)."""
        return self._rt.sdl_namespace

    def nodes(self) -> list[NodeInfo]:
        return self._rt.host.nodes()

    def node(self, node_id: str) -> NodeInfo | None:
        return next((n for n in self.nodes() if n.node_id == node_id), None)

    async def subscribe(self, node_id: str, spec: KpmReportSpec) -> Subscription:
        return await self._rt.subscribe(node_id, spec)

    async def unsubscribe(self, sub: Subscription | str) -> None:
        await self._rt.unsubscribe(sub.subscription_id if isinstance(sub, Subscription) else sub)

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._rt.subscriptions.values())

    async def control(self, node_id: str, request: ControlRequest, *, timeout_s: float | None = None
                      ) -> ControlOutcome:
        """Send a control and wait for its outcome; never raises for a RAN-side problem (see ControlStatus)."""
        return await self._rt.control(node_id, request, timeout_s)

    @property
    def registry(self) -> Any:
        """The Prometheus registry the host serves (``/metrics``, ``/ric/v1/metrics``): the embedded RIC's for an
        in-process xApp, the xApp process's with ``ranpilot ric --connect --xapp-http-port``, the xApp's own in an
        O-RAN SC RIC. Register the xApp's own series here, once per registry
        (:func:`ric.obs.metrics.once_per_registry`: a restarted xApp reuses them), labelled with
        :meth:`metric_labels` where several xApps share one host."""
        return self._rt.metrics.registry

    def set_model_version(self, version: str) -> None:
        """Publish the model in use (metric ``ranpilot_xapp_model_version``), e.g. after a hot-swap."""
        self._rt.metrics.set_model_version(self.name, version)

    def metric_labels(self) -> dict[str, Any]:
        return {"xapp": self.name}
