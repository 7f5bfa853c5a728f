"""A tiny xApp used by the CLI test: subscribes to every node that comes up and counts its reports in a series
of its own (``suball_reports{node}``), registered in ``ctx.registry`` - the registry its host serves."""

from prometheus_client import Counter

from ric.obs.metrics import once_per_registry
from ric.xapp import KpmReportSpec, NodeEvent, XApp


class SubscribeAll(XApp):
    name = "suball"

    async def on_start(self, ctx):
        self.reports = once_per_registry(ctx.registry, "suball:reports", lambda r: Counter(
            "suball_reports", "KPM reports received, per node", ["node"], registry=r))

    async def on_node(self, ctx, node, event):
        if event is NodeEvent.UP and not any(s.node_id == node.node_id for s in ctx.subscriptions):
            await ctx.subscribe(node.node_id, KpmReportSpec(("DRB.UEThpDl",), period_ms=100))

    async def on_indication(self, ctx, ind):
        self.reports.labels(ind.node_id).inc()
