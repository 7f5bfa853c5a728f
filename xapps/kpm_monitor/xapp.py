"""kpm-monitor: the "hello world" xApp of ranpilot - subscribe to cell-level KPM on every node, keep the latest.

What it shows an xApp author, in order:

1. ``on_start`` / ``on_node(UP)``: subscribe on every E2 node that offers E2SM-KPM, for every cell, with
   REPORT style 1 (action definition format 1: cell-level measurements, E2SM-KPM 7.4.1 / 8.2.1.2.1). The RIC
   encodes the subscription with the KPM version the node negotiated (v03.00 or v02.03), so the xApp never
   cares which vendor it talks to. A node that reconnects gets its subscriptions back from the RIC.
2. Measurement names: the R-NIB carries the measurement names each node's KPM RAN function description
   advertises for REPORT style 1 (``node.function(KPM).kpm_measurements()``), so the monitor asks only for the
   wanted names the node supports. A node that advertises none is asked for all of them; when it refuses with
   E2AP cause ``requested-information-unavailable``, the monitor finds out name by name (one trial
   subscription each) which ones it admits and subscribes to those.
3. ``on_indication``: the RIC delivers decoded tidy rows; the monitor keeps the latest value per
   (node, cell, measurement) in a :class:`~xapps.kpm_monitor.store.KpmStore`, writes it to SDL
   (``{kpm-monitor},cell:<node>|<cell>``), counts indications per node in its own Prometheus series
   ``ranpilot_kpm_monitor_indications{node}`` - registered in ``ctx.registry``, so whichever host runs the xApp
   serves it at ``/metrics`` and ``/ric/v1/metrics`` - and checks that reports arrive one period apart.
4. The raw bytes are there too: on a node's first indication the monitor decodes the KPM indication header
   itself to learn the vendor name the node reports (E2SM-KPM 8.2.1.3.1 ``vendorName``).

Bad input never stops it: a refused subscription is logged and the node skipped, an undecodable report is
counted (by the runtime) and ignored, and a Redis that is down only costs the SDL copy (counted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from e2.errors import E2Error
from e2.sm import PayloadKind, default_registry
from ric.errors import SdlUnavailable, SubscriptionError
from ric.obs.metrics import once_per_registry
from ric.xapp import Indication, KpmReportSpec, NodeEvent, NodeInfo, XApp, XAppContext
from xapps.kpm_monitor.store import CellKpm, KpmStore

__all__ = ["DEFAULT_MEASUREMENTS", "KPM", "KpmMonitor", "MonitorConfig"]

KPM = "ORAN-E2SM-KPM"  # the RAN function short name E2SM-KPM nodes advertise
# TS 28.552 names: PRBs used / available (5.1.1.2), mean DL UE throughput (5.1.1.3), mean RRC connections
# (5.1.1.4), mean power (5.1.1.19, PEE); the cell-level view every later xApp builds on.
DEFAULT_MEASUREMENTS: tuple[str, ...] = ("RRU.PrbUsedDl", "RRU.PrbAvailDl", "DRB.UEThpDl", "RRC.ConnMean",
                                         "PEE.AvgPower")
_UNSUPPORTED = "requested-information-unavailable"  # E2AP Cause (RIC request group): cannot report that


@dataclass(frozen=True)
class MonitorConfig:
    """What to ask every node for, and how often (milliseconds of the node's clock)."""

    measurements: tuple[str, ...] = DEFAULT_MEASUREMENTS
    period_ms: int = 1000
    write_sdl: bool = True


class KpmMonitor(XApp):
    """Subscribes to cell-level KPM on every node and keeps the latest values (see the module docstring)."""

    name = "kpm-monitor"
    version = "1.0.0"

    def __init__(self, config: MonitorConfig | None = None) -> None:
        self.config = config or MonitorConfig()
        self.store = KpmStore(self.config.period_ms / 1000.0)
        self.supported: dict[str, tuple[str, ...]] = {}  # node -> the names it was subscribed to
        self.subscription: dict[str, str] = {}  # node -> id of its monitoring subscription
        self.refused: dict[str, str] = {}  # node -> why it has no subscription
        self.vendors: dict[str, str] = {}  # node -> vendorName from its first indication header
        self.probed: set[str] = set()  # nodes whose names were found by trial subscriptions (none advertised)
        self.sdl_errors = 0
        self._m_ind: Counter | None = None

    @staticmethod
    def _indications_counter(registry: CollectorRegistry) -> Counter:
        return Counter("ranpilot_kpm_monitor_indications", "KPM indications received, per E2 node", ["node"],
                       registry=registry)

    # -- 1. subscribe -------------------------------------------------------------------------------------------
    async def on_start(self, ctx: XAppContext) -> None:
        # the xApp's own series, in the registry its host serves (created once per registry)
        self._m_ind = once_per_registry(ctx.registry, "kpm-monitor:indications", self._indications_counter)
        for node in ctx.nodes():
            if node.connected:
                await self._subscribe(ctx, node)

    async def on_node(self, ctx: XAppContext, node: NodeInfo, event: NodeEvent) -> None:
        if event is NodeEvent.UP:
            await self._subscribe(ctx, node)

    async def _subscribe(self, ctx: XAppContext, node: NodeInfo) -> None:
        kpm = node.function(KPM)
        if kpm is None or any(s.node_id == node.node_id for s in ctx.subscriptions):
            return  # no KPM here, or already subscribed (the RIC restores subscriptions after a reconnect)
        advertised = set(kpm.kpm_measurements())  # REPORT style 1 names of the node's RAN function description
        names = tuple(n for n in self.config.measurements if not advertised or n in advertised)
        if not names:
            self.refused[node.node_id] = f"supports none of {list(self.config.measurements)}"
            return
        try:
            sub = await ctx.subscribe(node.node_id, self._spec(names))
        except SubscriptionError as exc:
            if advertised or _UNSUPPORTED not in str(exc):
                self.refused[node.node_id] = str(exc)
                ctx.log.warning("no KPM subscription on %s: %s", node.node_id, exc)
                return
            self.probed.add(node.node_id)  # the node lists no names: find out by asking
            names = await self._probe(ctx, node, names)
            if not names:
                self.refused[node.node_id] = f"supports none of {list(self.config.measurements)}"
                return
            sub = await ctx.subscribe(node.node_id, self._spec(names))
        self.supported[node.node_id] = names
        self.subscription[node.node_id] = sub.subscription_id
        ctx.log.info("subscribed %s to %s every %d ms", node.node_id, ", ".join(names), self.config.period_ms)

    async def _probe(self, ctx: XAppContext, node: NodeInfo, names: tuple[str, ...]) -> tuple[str, ...]:
        """The names the node admits, one trial subscription each (deleted at once)."""
        ok = []
        for name in names:
            try:
                sub = await ctx.subscribe(node.node_id, self._spec((name,)))
            except SubscriptionError:
                continue
            await ctx.unsubscribe(sub)
            ok.append(name)
        return tuple(ok)

    def _spec(self, names: tuple[str, ...]) -> KpmReportSpec:
        # cells=None: one format-1 action per cell the R-NIB knows for the node
        return KpmReportSpec(names, period_ms=self.config.period_ms)

    # -- 3. keep the latest values --------------------------------------------------------------------------
    async def on_indication(self, ctx: XAppContext, ind: Indication) -> None:
        if self._m_ind is not None:
            self._m_ind.labels(ind.node_id).inc()
        if ind.node_id not in self.vendors:
            self.vendors[ind.node_id] = self._vendor(ctx, ind)
        # rows of a trial subscription (see _probe) are not kept; no rows when the payload did not decode
        mine = self.subscription.get(ind.node_id) == ind.subscription_id
        updated = self.store.add(ind.node_id, ind.rows if mine else ())
        if updated and self.config.write_sdl:
            self._to_sdl(ctx, updated)

    def _to_sdl(self, ctx: XAppContext, cells: list[CellKpm]) -> None:
        try:
            ctx.sdl.set_many({f"cell:{c.node}|{c.cell}": json.dumps(c.to_json(), separators=(",", ":"))
                              for c in cells})
        except SdlUnavailable:
            self.sdl_errors += 1  # the values stay in memory; Redis gets the next report

    # -- 4. the raw bytes --------------------------------------------------------------------------------------
    @staticmethod
    def _vendor(ctx: XAppContext, ind: Indication) -> str:
        node = ctx.node(ind.node_id)
        kpm = node.function(KPM) if node is not None else None
        if kpm is None or not kpm.version:
            return ""
        try:
            header = default_registry().lookup("kpm", kpm.version).decode(PayloadKind.INDICATION_HEADER, ind.header)
        except E2Error:
            return ""
        return header.vendor_name or ""
