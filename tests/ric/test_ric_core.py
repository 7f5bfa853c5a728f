"""The embedded RIC core (subscription manager, control routing, R-NIB, A1 delivery, xApp hosting, xApp link)
driven through its E2 boundary (``ric.embedded.session``) by an in-memory termination, with real KPM payloads,
real Redis and real HTTP. The same behaviour over real E2AP sockets is covered by test_ric_e2e.py."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from ric_payloads import indication

from ric.a1.policy import A1Operation, A1Policy
from ric.embedded.ric import EmbeddedRic, RicConfig
from ric.embedded.session import RequestId
from ric.sdl import Sdl, SdlConfig
from ric.xapp import (
    CellInfo,
    ControlRequest,
    ControlStatus,
    KpmReportSpec,
    KpmReportStyleInfo,
    NodeEvent,
    NodeInfo,
    RanFunctionInfo,
    XApp,
)
from ric.xapp.link import RemoteHost
from ric.xapp.runtime import XAppRuntime

KPM3 = RanFunctionInfo(2, "1.3.6.1.4.1.53148.1.3.2.2", "ORAN-E2SM-KPM", 1, "3.00", (
    KpmReportStyleInfo(1, "E2 Node Measurement", 1, (("DRB.UEThpDl", None), ("RRU.PrbUsedDl", 7))),))
RC = RanFunctionInfo(3, "1.3.6.1.4.1.53148.1.1.2.3", "ORAN-E2SM-RC", 1, "")
CELLS = (CellInfo("001-01/000000001"), CellInfo("001-01/000000002"))
NODE = NodeInfo("gnb-a", CELLS, (KPM3, RC))
SPEC = KpmReportSpec(("DRB.UEThpDl", "RRU.PrbUsedDl"), period_ms=100)


class MemSession:
    """An E2 association the test drives by hand."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.subs: list[tuple[RequestId, int, Any]] = []
        self.deletes: list[RequestId] = []
        self.controls: list[tuple[RequestId, int, bytes, bytes]] = []
        self.closed = False

        self._instances = iter(range(1, 65536))

    async def send_subscription(self, requestor, ran_function_id, plan):
        request = RequestId(requestor, next(self._instances))
        self.subs.append((request, ran_function_id, plan))
        return request

    async def send_subscription_delete(self, request):
        self.deletes.append(request)

    async def send_control(self, requestor, ran_function_id, header, message, ack_requested, call_process_id):
        request = RequestId(requestor, next(self._instances))
        self.controls.append((request, ran_function_id, header, message))
        return request

    def close(self):
        self.closed = True


class MemTermination:
    def __init__(self, ric, metrics, *, host, port, transport):
        self.listening, self.port, self.transport = False, 0, "memory"

    async def start(self):
        self.listening = True

    async def stop(self):
        self.listening = False


class Recorder(XApp):
    policy_types = (20008,)

    def __init__(self, name: str) -> None:
        self.name = name  # type: ignore[misc]
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


async def until(cond, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def answer_after(session: MemSession, ric: EmbeddedRic, n: int, cause: str | None = None) -> None:
    await until(lambda: len(session.subs) >= n)
    req, _, plan = session.subs[n - 1]
    ric.subscription_answer(session.node_id, req, [] if cause else [a.action_id for a in plan.actions], cause)


def _config(url: str, **kw) -> RicConfig:
    return RicConfig(e2_port=0, http_port=0, sdl=SdlConfig(url=url), subscription_timeout_s=2,
                     control_timeout_s=0.3, rnib_sync_s=0.05, freeze_heap=False, **kw)


def test_subscribe_merge_route_control_and_leave(redis_server):
    async def scenario() -> None:
        async with EmbeddedRic(_config(redis_server.url), termination=MemTermination) as ric:
            a, b = Recorder("xa"), Recorder("xb")
            ra, rb = await ric.add_xapp(a), await ric.add_xapp(b)
            s1 = MemSession("gnb-a")
            ric.node_setup(s1, NODE)
            await until(lambda: ("gnb-a", NodeEvent.UP) in a.events)

            # two identical subscriptions: one E2 subscription, both xApps served
            t = asyncio.create_task(answer_after(s1, ric, 1))
            sub_a = await ra.ctx.subscribe("gnb-a", SPEC)
            await t
            sub_b = await rb.ctx.subscribe("gnb-a", SPEC)
            assert len(s1.subs) == 1 and sub_a.subscription_id != sub_b.subscription_id
            req, fn, plan = s1.subs[0]
            assert fn == 2 and [x.cell for x in plan.actions] == ["001-01/000000001", "001-01/000000002"]
            assert ric.metrics.subscriptions._value.get() == 1

            # indications are routed by RIC request id, decoded once, delivered to both
            h, m = indication("3.00", plan.actions[1].definition, 1_700_000_000, {"DRB.UEThpDl": 12.5})
            ric.indication("gnb-a", req, 2, 2, 7, h, m, 0.0)
            ric.indication("gnb-a", RequestId(1, 999), 2, 1, 8, h, m, 0.0)  # unknown: counted, dropped
            await until(lambda: len(a.indications) == 1 and len(b.indications) == 1)
            ind = a.indications[0]
            assert ind.subscription_id == sub_a.subscription_id and ind.sequence == 7 and ind.decode_error is None
            assert {(r.cell, r.measurement, r.value) for r in ind.rows} == {
                ("001-01/000000002", "DRB.UEThpDl", 12.5), ("001-01/000000002", "RRU.PrbUsedDl", 0.0)}
            assert ric.metrics.unrouted._value.get() == 1
            ric.indication("gnb-a", req, 2, 1, 9, b"\x00garbage", b"\xff", 0.0)  # payload that does not decode
            await until(lambda: len(a.indications) == 2)
            assert a.indications[1].decode_error and a.indications[1].rows == []
            assert ric.xapp_metrics.decode_errors.labels("xa")._value.get() == 1

            # control: ack, failure, timeout; unknown node is an error, never an exception
            async def ack_next(ok: bool, cause: str | None = None) -> None:
                await until(lambda: len(s1.controls) > n)
                ric.control_answer("gnb-a", s1.controls[-1][0], ok, cause, b"\x01" if ok else None)

            n = len(s1.controls)
            task = asyncio.create_task(ack_next(True))
            out = await ra.ctx.control("gnb-a", ControlRequest("RC", b"\x10", b"\x20"))
            await task
            assert out.status is ControlStatus.ACK and out.outcome == b"\x01" and out.latency_s > 0
            assert s1.controls[-1][1:] == (3, b"\x10", b"\x20")
            n = len(s1.controls)
            task = asyncio.create_task(ack_next(False, "radio-network: control-processing-overload"))
            out = await ra.ctx.control("gnb-a", ControlRequest("RC", b"\x10", b"\x20"))
            await task
            assert out.status is ControlStatus.FAILURE and "overload" in out.cause
            out = await ra.ctx.control("gnb-a", ControlRequest("RC", b"\x10", b"\x20"), timeout_s=0.05)
            assert out.status is ControlStatus.TIMEOUT
            assert (await ra.ctx.control("gnb-x", ControlRequest("RC", b"", b""))).status is ControlStatus.ERROR
            assert (await ra.ctx.control("gnb-a", ControlRequest("CCC", b"", b""))).status is ControlStatus.ERROR

            # leaving: the shared E2 subscription is deleted only when its last member goes
            await ra.stop()
            assert s1.deletes == []
            await rb.ctx.unsubscribe(sub_b)
            assert s1.deletes == [req]
            assert ric.metrics.subscriptions._value.get() == 0

    asyncio.run(scenario())


def test_refused_subscription_and_node_restore(redis_server):
    async def scenario() -> None:
        async with EmbeddedRic(_config(redis_server.url), termination=MemTermination) as ric:
            x = Recorder("xr")
            rt = await ric.add_xapp(x)
            s1 = MemSession("gnb-a")
            ric.node_setup(s1, NODE)
            t = asyncio.create_task(answer_after(s1, ric, 1, cause="ric-request: action-not-supported"))
            try:
                await rt.ctx.subscribe("gnb-a", SPEC)
                raise AssertionError("refused subscription accepted")
            except Exception as exc:
                assert "action-not-supported" in str(exc)
            await t
            t = asyncio.create_task(answer_after(s1, ric, 2))
            sub = await rt.ctx.subscribe("gnb-a", SPEC)
            await t

            # the node drops: pending controls fail, xApps hear "down", the R-NIB says disconnected
            pending = asyncio.create_task(rt.ctx.control("gnb-a", ControlRequest("RC", b"", b""), timeout_s=5))
            await until(lambda: len(s1.controls) == 1)
            ric.node_lost("gnb-a", s1)
            assert (await pending).status is ControlStatus.ERROR
            await until(lambda: ("gnb-a", NodeEvent.DOWN) in x.events)
            assert ric.rnib.get("gnb-a").connected is False
            # ... and comes back on a new association: the subscription is re-sent there
            s2 = MemSession("gnb-a")
            t = asyncio.create_task(answer_after(s2, ric, 1))
            ric.node_setup(s2, NODE)
            await t
            await until(lambda: x.events.count(("gnb-a", NodeEvent.UP)) == 2)
            req2 = s2.subs[0][0]
            h, m = indication("3.00", s2.subs[0][2].actions[0].definition, 1_700_000_100, {"RRU.PrbUsedDl": 3})
            ric.indication("gnb-a", req2, 2, 1, 1, h, m, 0.0)
            await until(lambda: len(x.indications) == 1)
            assert x.indications[0].subscription_id == sub.subscription_id

    asyncio.run(scenario())


def test_rnib_survives_redis_restart_and_a1_reaches_xapps(redis_server):
    async def scenario() -> None:
        async with EmbeddedRic(_config(redis_server.url), termination=MemTermination) as ric:
            x = await ric.add_xapp(Recorder("xp"))
            ric.node_setup(MemSession("gnb-a"), NODE)
            with Sdl(SdlConfig(url=redis_server.url)) as probe:
                ns = probe.namespace("rnib")
                await until(lambda: ns.get_json("node:gnb-a") is not None)
                redis_server.stop()
                ric.node_setup(MemSession("gnb-b"), NodeInfo("gnb-b", CELLS[:1], (KPM3,)))  # written while down
                await asyncio.sleep(0.2)
                redis_server.start()  # empty
                await until(lambda: probe.ping() and ns.get_json("node:gnb-a") is not None
                            and ns.get_json("node:gnb-b") is not None)
                assert NodeInfo.from_json(ns.get_json("node:gnb-a")) == NODE
                assert ric.metrics.rnib_sync_errors._value.get() >= 1

            async with httpx.AsyncClient(base_url=ric.http.url) as c:
                r = await c.put("/a1-p/policytypes/20008", json={"name": "t", "description": "", "create_schema":
                                {"type": "object", "properties": {"v": {"type": "integer"}}}})
                assert r.status_code == 201
                assert (await c.put("/a1-p/policytypes/20008/policies/p", json={"v": 1})).status_code == 202
                assert x.xapp.policies[-1].payload == {"v": 1}
                st = (await c.get("/a1-p/policytypes/20008/policies/p/status")).json()
                assert st["instance_status"] == "IN EFFECT"
                assert (await c.put("/a1-p/policytypes/20008/policies/q", json={"v": "no"})).status_code == 400
                nodes = (await c.get("/ric/v1/nodes")).json()
                assert {n["node_id"] for n in nodes} == {"gnb-a", "gnb-b"}
                assert (await c.get("/ric/v1/health/alive")).status_code == 200
                assert (await c.get("/ric/v1/health/ready")).json()["ready"] is True
                metrics = (await c.get("/ric/v1/metrics")).text
                assert "ranpilot_ric_e2_nodes_connected 2.0" in metrics
                assert 'ranpilot_xapp_a1_policies_total{result="enforced",xapp="xp"} 1.0' in metrics
            # an xApp that starts later is sent the policies already in force
            late = await ric.add_xapp(Recorder("late"))
            await until(lambda: len(late.xapp.policies) == 1)
            assert late.xapp.policies[0].instance_id == "p"

    asyncio.run(scenario())


def test_remote_xapp_over_the_local_link(redis_server):
    async def scenario() -> None:
        async with EmbeddedRic(_config(redis_server.url, link="tcp://127.0.0.1:0"),
                               termination=MemTermination) as ric:
            s1 = MemSession("gnb-a")
            ric.node_setup(s1, NODE)
            from prometheus_client import CollectorRegistry

            from ric.obs.metrics import XAppMetrics

            remote = Recorder("remote")
            rt = XAppRuntime(remote, RemoteHost(ric.link.address), metrics=XAppMetrics(CollectorRegistry()),
                             sdl_namespace=None)
            await rt.start()
            assert [n.node_id for n in rt.ctx.nodes()] == ["gnb-a"]
            # the KPM measurement names of the R-NIB reach the remote xApp too
            assert rt.ctx.node("gnb-a").function("ORAN-E2SM-KPM").kpm_measurements() == ("DRB.UEThpDl",
                                                                                        "RRU.PrbUsedDl")
            rt.ctx.sdl.set("seen", "1")  # the RIC's Redis, reached through the URL it announced on the link
            assert ric.sdl.namespace("remote").get("seen") == b"1"
            t = asyncio.create_task(answer_after(s1, ric, 1))
            sub = await rt.ctx.subscribe("gnb-a", SPEC)
            await t
            req, _, plan = s1.subs[0]
            h, m = indication("3.00", plan.actions[0].definition, 1_700_000_000, {"DRB.UEThpDl": 4})
            ric.indication("gnb-a", req, 2, 1, 1, h, m, 0.0)
            await until(lambda: len(remote.indications) == 1)
            got = remote.indications[0]
            assert got.subscription_id == sub.subscription_id and got.header == h
            assert ("001-01/000000001", "DRB.UEThpDl", 4.0) in {(r.cell, r.measurement, r.value) for r in got.rows}

            async def ack() -> None:
                await until(lambda: len(s1.controls) == 1)
                ric.control_answer("gnb-a", s1.controls[0][0], True, None, b"ok")

            task = asyncio.create_task(ack())
            out = await rt.ctx.control("gnb-a", ControlRequest("RC", b"\x01", b"\x02"))
            await task
            assert out.status is ControlStatus.ACK and out.outcome == b"ok"
            assert await ric.deliver_policy(A1Policy(20008, "i", A1Operation.CREATE, {"a": 1}))
            assert remote.policies[0].payload == {"a": 1}
            await rt.stop()  # leaving closes the link: the RIC deletes its subscriptions
            await until(lambda: s1.deletes == [req])
            assert "remote" not in ric.runtimes

    asyncio.run(scenario())


def test_a_failing_xapp_hook_is_counted_and_the_xapp_carries_on(redis_server):
    class Flaky(Recorder):
        async def on_indication(self, ctx, ind):
            self.indications.append(ind)
            if len(self.indications) == 1:
                raise ValueError("bug in the xApp")

        async def on_a1_policy(self, ctx, policy):
            raise RuntimeError("cannot enforce")

    async def scenario() -> None:
        async with EmbeddedRic(_config(redis_server.url), termination=MemTermination) as ric:
            x = Flaky("flaky")
            rt = await ric.add_xapp(x)
            s1 = MemSession("gnb-a")
            ric.node_setup(s1, NODE)
            t = asyncio.create_task(answer_after(s1, ric, 1))
            await rt.ctx.subscribe("gnb-a", SPEC)
            await t
            req, _, plan = s1.subs[0]
            h, m = indication("3.00", plan.actions[0].definition, 1_700_000_000, {})
            for seq in range(3):
                ric.indication("gnb-a", req, 2, 1, seq, h, m, 0.0)
            await until(lambda: len(x.indications) == 3)
            assert ric.xapp_metrics.callback_errors.labels("flaky", "indication")._value.get() == 1
            assert await ric.deliver_policy(A1Policy(20008, "p", A1Operation.CREATE, {})) is False
            assert ric.xapp_metrics.callback_errors.labels("flaky", "policy")._value.get() == 1
            assert rt.healthy()
            # an xApp's own series land in the registry the RIC serves
            from prometheus_client import Gauge

            Gauge("flaky_custom", "an xApp-defined series", ["xapp"], registry=rt.ctx.registry).labels(
                **rt.ctx.metric_labels()).set(3)
            rt.ctx.set_model_version("v7")
            async with httpx.AsyncClient(base_url=ric.http.url) as c:
                text = (await c.get("/ric/v1/metrics")).text
            assert 'flaky_custom{xapp="flaky"} 3.0' in text
            assert 'ranpilot_xapp_model_version{version="v7",xapp="flaky"} 1.0' in text

    asyncio.run(scenario())


def test_a_restarted_ric_knows_the_previous_nodes_as_disconnected(redis_server):
    from ric.embedded.rnib import RNib

    with Sdl(SdlConfig(url=redis_server.url)) as sdl:
        first = RNib(sdl.namespace("rnib"))
        first.put(NODE)
        assert first.sync() is True
        second = RNib(sdl.namespace("rnib"))
        assert second.load() == 1
        node = second.get("gnb-a")
        assert node.connected is False and node.cells == NODE.cells and node.ran_functions == NODE.ran_functions


def test_answer_and_first_report_arriving_before_the_send_returned(redis_server):
    """The node answers and reports while the RIC is still inside its send of the Subscription Request (the
    RIC Request ID is not registered yet): the answer is kept, the report held and delivered once the ID is
    known - nothing counted unrouted. Reports for an ID that no request claims are still counted unrouted."""
    class FastSession(MemSession):
        def __init__(self, node_id: str, ric: EmbeddedRic) -> None:
            super().__init__(node_id)
            self.ric = ric

        async def send_subscription(self, requestor, ran_function_id, plan):
            request = await super().send_subscription(requestor, ran_function_id, plan)
            self.ric.subscription_answer(self.node_id, request, [a.action_id for a in plan.actions], None)
            h, m = indication("3.00", plan.actions[0].definition, 1_700_000_000, {"DRB.UEThpDl": 5})
            self.ric.indication(self.node_id, request, 2, 1, 0, h, m, 0.0)
            self.ric.indication(self.node_id, RequestId(requestor, 999), 2, 1, 0, h, m, 0.0)  # nobody's
            await asyncio.sleep(0)  # the send yields before returning (a busy socket)
            return request

    async def scenario() -> None:
        async with EmbeddedRic(_config(redis_server.url), termination=MemTermination) as ric:
            x = Recorder("fast")
            rt = await ric.add_xapp(x)
            session = FastSession("gnb-a", ric)
            ric.node_setup(session, NODE)
            sub = await rt.ctx.subscribe("gnb-a", SPEC)
            await until(lambda: len(x.indications) == 1)
            got = x.indications[0]
            assert got.subscription_id == sub.subscription_id and got.sequence == 0
            assert ("001-01/000000001", "DRB.UEThpDl", 5.0) in {(r.cell, r.measurement, r.value) for r in got.rows}
            assert ric.metrics.unrouted._value.get() == 1  # only the report of the unclaimed request id
            await rt.stop()

    asyncio.run(scenario())
