"""End to end over real sockets and real Redis: two E2 nodes of different "vendors" (KPM v3.00 / v2.03, real
E2AP + E2SM bytes, length-framed TCP) + the embedded RIC + an in-process test xApp + A1 over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from ric_e2node import MEASUREMENTS, VENDOR_A, VENDOR_B, HarnessNode

from e2 import ap
from e2.sm import PayloadKind, default_registry
from e2.sm.ccc.controls import switch_cell_control
from e2.sm.common import Plmn, Snssai
from e2.sm.rc import SliceQuota, slice_prb_quota_control
from ric.e2glue import cell_from_text
from ric.embedded.ric import EmbeddedRic, RicConfig
from ric.sdl import Sdl, SdlConfig
from ric.xapp import ControlRequest, ControlStatus, KpmReportSpec, NodeEvent, NodeInfo, XApp


class RecordingXApp(XApp):
    name = "e2e"
    policy_types = (20008,)

    def __init__(self) -> None:
        self.indications: list[Any] = []
        self.events: list[tuple[str, NodeEvent]] = []
        self.policies: list[Any] = []

    async def on_indication(self, ctx, ind):
        self.indications.append(ind)

    async def on_node(self, ctx, node, event):
        self.events.append((node.node_id, event))

    async def on_a1_policy(self, ctx, policy):
        self.policies.append(policy)
        return True

    def of(self, node_id: str) -> list[Any]:
        return [i for i in self.indications if i.node_id == node_id]


async def until(cond, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def _ric(url: str) -> EmbeddedRic:
    return EmbeddedRic(RicConfig(e2_port=0, http_port=0, transport="tcp", sdl=SdlConfig(url=url),
                                 subscription_timeout_s=3, control_timeout_s=1, rnib_sync_s=0.05,
                                 freeze_heap=False))  # the test process is shared: no gc.freeze there


QUOTA = SliceQuota(Plmn("001", "01"), Snssai(1, 1), 20, 60, 10)


def test_two_vendors_subscribe_control_a1_garbage_and_reconnect(redis_server):
    async def scenario() -> None:
        async with _ric(redis_server.url) as ric:
            app = RecordingXApp()
            rt = await ric.add_xapp(app)
            a = HarnessNode(1, VENDOR_A, ric.e2_port)
            b = HarnessNode(2, VENDOR_B, ric.e2_port)
            await a.connect()
            await b.connect()
            await until(lambda: len(ric.sessions) == 2 and {e[0] for e in app.events} == {a.node_id, b.node_id})

            # E2 Setup: both RAN functions accepted, versions negotiated per vendor, nodes in the R-NIB
            for node, vendor in ((a, VENDOR_A), (b, VENDOR_B)):
                expected = {vendor.kpm_function_id, vendor.rc_function_id} | (
                    {vendor.ccc_function_id} if vendor.ccc_function_id else set())
                assert {r.id for r in node.setup_response.accepted} == expected
                info = ric.rnib.get(node.node_id)
                kpm = info.function("ORAN-E2SM-KPM")
                assert (kpm.ran_function_id, kpm.version) == (vendor.kpm_function_id, vendor.kpm_version)
                assert info.function("ORAN-E2SM-RC").version == "1.03"
                # the measurement names of the KPM RAN function description, decoded with the node's KPM version
                assert kpm.kpm_measurements() == MEASUREMENTS and kpm.kpm_measurements(style=4) == ()
                assert [(s.style, s.action_format) for s in kpm.report_styles] == [(1, 1)]
                assert info.function("ORAN-E2SM-RC").report_styles == ()

            # subscriptions at 100 ms on two cells each; indications at the asked period (node timestamps)
            subs = {}
            for node in (a, b):
                spec = KpmReportSpec(("DRB.UEThpDl", "RRU.PrbUsedDl"), period_ms=100,
                                     cells=(node.cell(1), node.cell(2)))
                subs[node.node_id] = await rt.ctx.subscribe(node.node_id, spec)
            await until(lambda: len(app.of(a.node_id)) >= 10 and len(app.of(b.node_id)) >= 10)
            for node in (a, b):
                mine = [i for i in app.of(node.node_id) if i.action_id == 1]
                times = [i.rows[0].time for i in mine]
                steps = {round(t2 - t1, 3) for t1, t2 in zip(times, times[1:], strict=False)}
                assert steps == {0.1}, steps
                assert all(i.subscription_id == subs[node.node_id].subscription_id for i in mine)
                assert {r.cell for r in mine[0].rows} == {node.cell(1)}
                assert [r.measurement for r in mine[0].rows] == ["DRB.UEThpDl", "RRU.PrbUsedDl"]
                assert all(i.decode_error is None for i in app.of(node.node_id))
            # cells in the R-NIB: vendor A listed its three in E2SM-CCC's RAN function definition at setup;
            # vendor B (KPM + RC only, which list none) gets the cells its reports name
            assert {c.nr_cgi for c in ric.rnib.get(a.node_id).cells} == {a.cell(1), a.cell(2), a.cell(3)}
            await until(lambda: {c.nr_cgi for c in ric.rnib.get(b.node_id).cells} == {b.cell(1), b.cell(2)})

            # control, typed: encoded by the RIC with each node's RC codec; acked / refused with a cause
            header, message = slice_prb_quota_control([QUOTA])
            out = await rt.ctx.control(b.node_id, ControlRequest("RC", header, message))
            assert out.status is ControlStatus.ACK and out.outcome == b"applied", out
            assert b.controls[-1][1] == [QUOTA]
            bad_h, bad_m = slice_prb_quota_control([SliceQuota(Plmn("001", "01"), Snssai(1, 1), 70, 30, 0)])
            out = await rt.ctx.control(a.node_id, ControlRequest("RC", bad_h, bad_m))
            assert out.status is ControlStatus.FAILURE and "control-message-invalid" in out.cause

            # E2SM-CCC (JSON) cell switch-off to vendor A, which offers CCC; vendor B does not
            cell = cell_from_text(a.cell(2))
            ccc_h, ccc_m = switch_cell_control(cell, on=False)
            out = await rt.ctx.control(a.node_id, ControlRequest("CCC", ccc_h, ccc_m))
            assert out.status is ControlStatus.ACK, out
            outcome = default_registry().lookup("ccc").decode(PayloadKind.CONTROL_OUTCOME, out.outcome)
            assert outcome.all_accepted and outcome.cells[0].cell == cell
            assert a.controls[-1][0] == "ccc"
            out = await rt.ctx.control(b.node_id, ControlRequest("CCC", ccc_h, ccc_m))
            assert out.status is ControlStatus.ERROR and "CCC" in out.cause

            # A1 policy delivered to the xApp registered for its type
            async with httpx.AsyncClient(base_url=ric.http.url) as c:
                await c.put("/a1-p/policytypes/20008", json={"name": "sla", "description": "", "create_schema": {
                    "type": "object", "properties": {"slice": {"type": "string"}}, "required": ["slice"]}})
                assert (await c.put("/a1-p/policytypes/20008/policies/x", json={"slice": "embb"})).status_code == 202
                assert app.policies[-1].payload == {"slice": "embb"}
                assert (await c.put("/a1-p/policytypes/20008/policies/y", json={"no": 1})).status_code == 400

            # garbage from node A: counted, answered with Error Indication; A and B carry on
            b_before, a_before = len(app.of(b.node_id)), len(app.of(a.node_id))
            await a.send_bytes(b"\x00\x01\x02garbage")
            await until(lambda: len(a.error_indications) >= 1)
            assert a.error_indications[0].cause.group == "protocol"
            assert ric.metrics.decode_errors.labels(a.node_id)._value.get() == 1
            await until(lambda: len(app.of(b.node_id)) > b_before + 4 and len(app.of(a.node_id)) > a_before + 4)

            # node A drops: noticed, xApp told; A comes back: its subscription is restored
            await a.drop()
            await until(lambda: (a.node_id, NodeEvent.DOWN) in app.events)
            assert ric.rnib.get(a.node_id).connected is False and a.node_id not in ric.sessions
            out = await rt.ctx.control(a.node_id, ControlRequest("RC", header, message))
            assert out.status is ControlStatus.ERROR
            n_before = len(app.of(a.node_id))
            await a.connect()
            await until(lambda: app.events.count((a.node_id, NodeEvent.UP)) == 2)
            assert len(a.subscriptions) == 1
            await until(lambda: len(app.of(a.node_id)) >= n_before + 4)
            assert app.of(a.node_id)[-1].subscription_id == subs[a.node_id].subscription_id

            # the xApp leaves: its subscriptions are deleted at the nodes
            await rt.stop()
            await until(lambda: not a.subscriptions and not b.subscriptions)
            assert ric.metrics.subscriptions._value.get() == 0
            await a.drop()
            await b.drop()

    asyncio.run(scenario())


def test_rnib_kept_across_a_redis_restart(redis_server):
    async def scenario() -> None:
        async with _ric(redis_server.url) as ric:
            nodes = [HarnessNode(10 + i, VENDOR_A if i % 2 else VENDOR_B, ric.e2_port) for i in range(3)]
            for n in nodes:
                await n.connect()
            await until(lambda: len(ric.sessions) == 3)
            with Sdl(SdlConfig(url=redis_server.url, timeout_s=0.5)) as probe:
                ns = probe.namespace("rnib")
                await until(lambda: len(ns.keys("node:*")) == 3)
                redis_server.stop()
                await asyncio.sleep(0.2)  # the RIC's sync fails meanwhile (counted, retried)
                redis_server.start()  # comes back empty
                await until(lambda: probe.ping() and len(ns.keys("node:*")) == 3)
                stored = {NodeInfo.from_json(ns.get_json(k)).node_id for k in ns.keys("node:*")}
                assert stored == {n.node_id for n in nodes}
                restored = NodeInfo.from_json(ns.get_json(f"node:{nodes[0].node_id}"))
                assert restored.function("ORAN-E2SM-KPM").kpm_measurements() == MEASUREMENTS
            async with httpx.AsyncClient(base_url=ric.http.url) as c:
                assert (await c.get("/ric/v1/health/ready")).json()["ready"] is True
            for n in nodes:
                await n.drop()

    asyncio.run(scenario())


def test_broken_framing_ends_only_that_association(redis_server):
    async def scenario() -> None:
        async with _ric(redis_server.url) as ric:
            good = HarnessNode(21, VENDOR_B, ric.e2_port)
            await good.connect()
            _, writer = await asyncio.open_connection("127.0.0.1", ric.e2_port)
            writer.write(b"\xff\xff\xff\xff" + b"x" * 16)  # a 4 GiB frame length: the stream cannot resync
            await writer.drain()
            await until(lambda: sum(c._value.get() for c in ric.metrics.decode_errors._metrics.values()) == 1)
            writer.close()
            app = RecordingXApp()
            rt = await ric.add_xapp(app)
            await rt.ctx.subscribe(good.node_id, KpmReportSpec(("DRB.UEThpUl",), period_ms=50))
            await until(lambda: len(app.of(good.node_id)) >= 3)
            await rt.stop()
            await good.drop()

    asyncio.run(scenario())


def test_mutated_pdus_never_break_the_ric(redis_server):
    """500 bit-flipped / truncated copies of real E2AP PDUs from one node: each is handled or counted and
    answered; the RIC, that node's association and another node keep working."""
    import random

    async def scenario() -> None:
        async with _ric(redis_server.url) as ric:
            app = RecordingXApp()
            rt = await ric.add_xapp(app)
            noisy, good = HarnessNode(31, VENDOR_A, ric.e2_port), HarnessNode(32, VENDOR_B, ric.e2_port)
            await noisy.connect()
            await good.connect()
            await until(lambda: len(ric.sessions) == 2)
            await rt.ctx.subscribe(good.node_id, KpmReportSpec(("DRB.UEThpDl",), period_ms=50))
            kpm = default_registry().lookup("kpm", "3.00")
            from e2.sm.kpm import KpmIndicationHeader

            seeds = [ap.encode(ap.RicIndication(ap.RicRequestId(1, 1), 2, 1, "report",
                                                kpm.encode(KpmIndicationHeader(collect_start_time=1.0)), b"\x00" * 20)),
                     ap.encode(ap.RicControlAcknowledge(ap.RicRequestId(2, 7), 3, outcome=b"x")),
                     ap.encode(ap.RicSubscriptionResponse(ap.RicRequestId(1, 9), 2, (1,)))]
            rng = random.Random(7)
            for i in range(500):
                pdu = bytearray(rng.choice(seeds))
                if i % 3 == 0:
                    pdu = pdu[: rng.randrange(1, len(pdu))]
                for _ in range(rng.randint(1, 4)):
                    pdu[rng.randrange(len(pdu))] ^= 1 << rng.randrange(8)
                await noisy.send_bytes(bytes(pdu))
            before = len(app.of(good.node_id))
            await until(lambda: len(app.of(good.node_id)) >= before + 5)
            assert ric.sessions.get(noisy.node_id) is not None  # the noisy node's association survived
            errors = ric.metrics.decode_errors.labels(noisy.node_id)._value.get()
            assert errors > 100 and len(noisy.error_indications) > 100
            await rt.stop()
            await noisy.drop()
            await good.drop()

    asyncio.run(scenario())


def test_first_report_read_with_the_subscription_response_reaches_the_xapp(redis_server):
    """A fast node puts the Subscription Response and the first report into one TCP write, so the RIC reads both
    in one batch, before the subscriber has resumed from the answer: the report must still reach the xApp.
    Then two xApps subscribe identically at once (merged into one pending E2 subscription): both succeed and
    both get the first report."""
    def first_period(app: RecordingXApp, sub) -> None:
        got = sorted((i.sequence, i.action_id) for i in app.indications[:2])
        assert got == [(0, 1), (0, 2)], got  # the first period, both cells
        assert {i.subscription_id for i in app.indications} == {sub.subscription_id}

    async def scenario() -> None:
        async with _ric(redis_server.url) as ric:
            first, second = RecordingXApp(), RecordingXApp()
            second.name = "e2e-2"  # type: ignore[misc]
            r1, r2 = await ric.add_xapp(first), await ric.add_xapp(second)
            a = HarnessNode(41, VENDOR_A, ric.e2_port, report_with_response=True)
            b = HarnessNode(42, VENDOR_B, ric.e2_port, report_with_response=True)
            await a.connect()
            await b.connect()
            await until(lambda: len(ric.sessions) == 2)

            spec_a = KpmReportSpec(("DRB.UEThpDl",), period_ms=1000, cells=(a.cell(1), a.cell(2)))
            sub = await r1.ctx.subscribe(a.node_id, spec_a)
            await until(lambda: len(first.indications) >= 2)
            first_period(first, sub)
            assert ric.metrics.unrouted._value.get() == 0

            first.indications.clear()
            spec_b = KpmReportSpec(("DRB.UEThpDl",), period_ms=1000, cells=(b.cell(1), b.cell(2)))
            s1, s2 = await asyncio.gather(r1.ctx.subscribe(b.node_id, spec_b), r2.ctx.subscribe(b.node_id, spec_b))
            assert len(b.subscriptions) == 1  # merged into one E2 subscription
            await until(lambda: len(first.indications) >= 2 and len(second.indications) >= 2)
            first_period(first, s1)
            first_period(second, s2)
            assert ric.metrics.unrouted._value.get() == 0
            await r1.stop()
            await r2.stop()
            await a.drop()
            await b.drop()

    asyncio.run(scenario())
