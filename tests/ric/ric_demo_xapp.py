"""A tiny xApp used by the CLI test: subscribes to every node that comes up."""

from ric.xapp import KpmReportSpec, NodeEvent, XApp


class SubscribeAll(XApp):
    name = "suball"

    async def on_node(self, ctx, node, event):
        if event is NodeEvent.UP and not any(s.node_id == node.node_id for s in ctx.subscriptions):
            await ctx.subscribe(node.node_id, KpmReportSpec(("DRB.UEThpDl",), period_ms=100))
