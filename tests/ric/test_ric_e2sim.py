"""e2sim's E2 node agent (two vendor profiles: "nova" KPM v3.00, "keystone" KPM v2.03 with the short name as
OID) against the embedded RIC and a test xApp, over real sockets (length-framed TCP) and real Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lab import corridor_lab

pytest.importorskip("e2sim.node.runner")

from e2.sm import PayloadKind, default_registry
from e2.sm.ccc.controls import switch_cell_control
from e2.sm.common import Plmn, Snssai
from e2.sm.rc import SliceQuota, slice_prb_quota_control
from e2sim.node.runner import E2SimRunner, RunnerConfig
from ric.e2glue import cell_from_text
from ric.embedded.ric import EmbeddedRic, RicConfig
from ric.sdl import SdlConfig
from ric.xapp import ControlRequest, ControlStatus, KpmReportSpec, NodeEvent, XApp

# Two 3-sector sites, static UEs, 1 s measurement period (keystone's minimum report period), run 20x real time.
SCENARIO: dict[str, Any] = corridor_lab("ric-e2sim", ["nova", "keystone"])


class Collector(XApp):
    name = "collector"

    def __init__(self) -> None:
        self.indications: list[Any] = []
        self.events: list[tuple[str, NodeEvent]] = []

    async def on_indication(self, ctx, ind):
        self.indications.append(ind)

    async def on_node(self, ctx, node, event):
        self.events.append((node.node_id, event))

    def of(self, node_id: str) -> list[Any]:
        return [i for i in self.indications if i.node_id == node_id]


async def until(cond, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def test_e2sim_vendors_under_the_embedded_ric(redis_server):
    async def scenario() -> None:
        config = RicConfig(e2_port=0, http_port=0, transport="tcp", sdl=SdlConfig(url=redis_server.url),
                           subscription_timeout_s=5, control_timeout_s=3, rnib_sync_s=0.05, freeze_heap=False)
        async with EmbeddedRic(config) as ric:
            app = Collector()
            rt = await ric.add_xapp(app)
            runner = E2SimRunner(SCENARIO, RunnerConfig(ric_port=ric.e2_port, transport="tcp", speed=20.0,
                                                        backoff_base_s=0.05, backoff_cap_s=0.3))
            sim = asyncio.create_task(runner.run())
            try:
                await until(lambda: len(ric.sessions) == 2 and len(app.events) == 2)
                described = {f"gnb_001_001_{d['gnb_id']:08x}": d for d in runner.describe()}
                assert set(described) == set(ric.sessions)
                for node_id, d in described.items():
                    node = ric.rnib.get(node_id)
                    assert node.function("ORAN-E2SM-KPM").version == d["kpm"]
                    assert {c.nr_cgi for c in node.cells} == set(d["cells"])  # from E2SM-CCC's definition
                vendors = {d["vendor"]: n for n, d in described.items()}
                nova, keystone = vendors["nova"], vendors["keystone"]

                subs = {}
                for node_id in (nova, keystone):
                    cells = tuple(c.nr_cgi for c in ric.rnib.get(node_id).cells)
                    subs[node_id] = await rt.ctx.subscribe(
                        node_id, KpmReportSpec(("DRB.UEThpDl", "RRU.PrbUsedDl"), period_ms=1000, cells=cells))
                await until(lambda: all(len(app.of(n)) >= 9 for n in (nova, keystone)))
                for node_id in (nova, keystone):
                    first_cell = [i for i in app.of(node_id) if i.action_id == 1]
                    times = [i.rows[0].time for i in first_cell]
                    assert {round(b - a, 3) for a, b in zip(times, times[1:], strict=False)} == {1.0}  # sim time
                    rows = [r for i in app.of(node_id) for r in i.rows]
                    assert {r.measurement for r in rows} == {"DRB.UEThpDl", "RRU.PrbUsedDl"}
                    assert all(i.decode_error is None for i in app.of(node_id))
                    assert all(isinstance(r.value, int | float) for r in rows)

                # controls: RC slice PRB quota on nova, CCC cell switch-off on keystone (outcome without wrapper)
                header, message = slice_prb_quota_control([SliceQuota(Plmn("001", "01"), Snssai(1), 30, 80, 10)])
                out = await rt.ctx.control(nova, ControlRequest("RC", header, message))
                assert out.status is ControlStatus.ACK, out
                cell = cell_from_text(described[keystone]["cells"][1])
                ccc_h, ccc_m = switch_cell_control(cell, on=False)
                out = await rt.ctx.control(keystone, ControlRequest("CCC", ccc_h, ccc_m))
                assert out.status is ControlStatus.ACK, out
                outcome = default_registry().lookup("ccc").decode(PayloadKind.CONTROL_OUTCOME, out.outcome)
                assert outcome.all_accepted

                # the association drops; e2sim reconnects, sets up again, the RIC restores the subscription
                index = next(i for i, a in enumerate(runner.agents)
                             if f"gnb_001_001_{a.gnb.gnb_id:08x}" == nova)
                await runner.endpoints[index].close()
                await until(lambda: (nova, NodeEvent.DOWN) in app.events)
                seen = len(app.of(nova))
                await until(lambda: app.events.count((nova, NodeEvent.UP)) == 2)
                await until(lambda: len(app.of(nova)) >= seen + 4)
                assert app.of(nova)[-1].subscription_id == subs[nova].subscription_id
                counters = runner.counters()  # the nodes found nothing wrong with what the RIC sent
                assert counters["bad_pdus"] == 0 and counters["error_indications_sent"] == 0
                assert counters["setups"] == 3 and ric.metrics.error_indications._value.get() == 0
            finally:
                runner.stop()
                await sim

    asyncio.run(scenario())
