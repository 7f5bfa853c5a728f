"""O-RAN SC host: routing by RMR type against a FAKE RMR layer (librmr_si.so / ricxappframe cannot run here),
the subscription manager REST contract against a real local HTTP server standing in for submgr."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry
from ric_payloads import indication

from e2 import ap
from ric.a1.policy import A1Operation, A1Policy
from ric.errors import SubscriptionError
from ric.obs.health import Health
from ric.obs.http import HttpServer
from ric.obs.metrics import XAppMetrics
from ric.oran.app import oran_app
from ric.oran.config import descriptor_policies, oran_config
from ric.oran.host import OranConfig, OranHost
from ric.oran.rmr import RmrMessage, RmrType
from ric.oran.submgr import SubmgrClient
from ric.xapp import (
    ControlRequest,
    ControlStatus,
    KpmReportSpec,
    NodeInfo,
    RanFunctionInfo,
    XApp,
    XAppRuntime,
)
from ric.xapp.types import CellInfo

KPM3 = RanFunctionInfo(2, "1.3.6.1.4.1.53148.1.3.2.2", "ORAN-E2SM-KPM", 1)
NODE = NodeInfo("gnb_001_001_00000001", (CellInfo("001-01/000000001"),), (KPM3,))


class FakeRmr:
    """In-memory RMR port: records what the host sends and replies."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, bytes, int, str | None]] = []
        self.replies: list[tuple[RmrMessage, int, bytes]] = []
        self.on_message: Any = None
        self.stopped = False

    def start(self, on_message: Any) -> None:
        self.on_message = on_message

    def send(self, mtype: int, payload: bytes, *, sub_id: int = -1, meid: str | None = None) -> bool:
        self.sent.append((mtype, payload, sub_id, meid))
        return True

    def reply(self, to: RmrMessage, mtype: int, payload: bytes) -> bool:
        self.replies.append((to, mtype, payload))
        return True

    def stop(self) -> None:
        self.stopped = True


class PolicyXApp(XApp):
    name = "pol"
    policy_types = (20008,)

    def __init__(self) -> None:
        self.policies: list[A1Policy] = []
        self.indications: list[Any] = []

    async def on_indication(self, ctx, ind):
        self.indications.append(ind)

    async def on_a1_policy(self, ctx, policy):
        self.policies.append(policy)
        return policy.payload is None or policy.payload.get("ok", True)


async def _host(config: OranConfig, submgr_url: str = "http://127.0.0.1:9") -> tuple[OranHost, FakeRmr, XAppRuntime]:
    rmr = FakeRmr()
    host = OranHost(config, rmr, SubmgrClient(submgr_url))
    host.set_nodes([NODE])
    xapp = PolicyXApp()
    runtime = XAppRuntime(xapp, host, metrics=XAppMetrics(CollectorRegistry()), sdl_namespace=None)
    await runtime.start()
    return host, rmr, runtime


def test_a1_policy_over_rmr_accepts_mediator_and_plain_forms():
    async def scenario() -> None:
        host, rmr, runtime = await _host(OranConfig("pol", appmgr_url=None, e2mgr_url=None))
        # at start the xApp asks the A1 mediator for existing instances of its types
        assert (RmrType.A1_POLICY_QUERY, b'{"policy_type_id": 20008}', -1, None) in rmr.sent
        # mediator form: type id as a string, payload as a JSON string, sub id = type id
        rmr.on_message(RmrMessage(RmrType.A1_POLICY_REQ, json.dumps({
            "operation": "CREATE", "policy_type_id": "20008", "policy_instance_id": "p1",
            "payload": json.dumps({"ok": True, "min": 3})}).encode(), sub_id=20008))
        rmr.on_message(RmrMessage(RmrType.A1_POLICY_REQ, json.dumps({
            "operation": "UPDATE", "policy_type_id": 20008, "policy_instance_id": "p1",
            "payload": {"ok": False}}).encode(), sub_id=20008))
        rmr.on_message(RmrMessage(RmrType.A1_POLICY_REQ, json.dumps({
            "operation": "DELETE", "policy_type_id": "20008", "policy_instance_id": "p1", "payload": ""}).encode()))
        rmr.on_message(RmrMessage(RmrType.A1_POLICY_REQ, b"{garbage"))
        for _ in range(50):
            if len(rmr.replies) == 3:
                break
            await asyncio.sleep(0.01)
        xapp = runtime.xapp
        assert [p.operation for p in xapp.policies] == [A1Operation.CREATE, A1Operation.UPDATE, A1Operation.DELETE]
        assert xapp.policies[0] == A1Policy(20008, "p1", A1Operation.CREATE, {"ok": True, "min": 3})
        bodies = [json.loads(p) for _, t, p in rmr.replies]
        assert all(t == RmrType.A1_POLICY_RESP for _, t, _ in rmr.replies)
        assert [b["status"] for b in bodies] == ["OK", "ERROR", "DELETED"]
        assert all(b["policy_type_id"] == 20008 and isinstance(b["policy_type_id"], int) for b in bodies)
        assert bodies[0]["policy_instance_id"] == "p1" and bodies[0]["handler_id"] == "pol"
        assert host.counters["bad_policy"] == 1
        await runtime.stop()
        assert rmr.stopped

    asyncio.run(scenario())


def test_health_check_and_unexpected_types():
    async def scenario() -> None:
        host, rmr, runtime = await _host(OranConfig("pol", appmgr_url=None, e2mgr_url=None))
        rmr.on_message(RmrMessage(RmrType.HEALTH_CHECK_REQ, b"ping"))
        assert rmr.replies[-1][1:] == (RmrType.HEALTH_CHECK_RESP, b"OK\n")
        for t in (RmrType.RIC_SUB_RESP, RmrType.RIC_SUB_DEL_FAILURE, 4242):
            rmr.on_message(RmrMessage(t, b"x"))
        assert host.counters["unexpected"] == 3
        await runtime.stop()
        rmr.on_message(RmrMessage(RmrType.HEALTH_CHECK_REQ, b"ping"))
        assert rmr.replies[-1][1:] == (RmrType.HEALTH_CHECK_RESP, b"ERROR [NOT READY]\n")

    asyncio.run(scenario())


def _fake_submgr(state: dict[str, Any]) -> FastAPI:
    """Stands in for the O-RAN SC submgr: checks the JSON contract, then notifies the xApp like submgr does."""
    app = FastAPI()

    @app.post("/ric/v1/subscriptions")
    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        state["requests"].append(body)
        sub_id = f"sub-{len(state['requests'])}"
        ep = body["ClientEndpoint"]
        instance = {"XappEventInstanceId": body["SubscriptionDetails"][0]["XappEventInstanceId"],
                    "E2EventInstanceId": 77 + len(state["requests"])}
        if state.get("fail"):
            instance["ErrorCause"] = "RIC_SUB_FAILURE: action not supported"
            instance["ErrorSource"] = "E2Node"

        async def notify() -> None:
            await asyncio.sleep(0.05)
            async with httpx.AsyncClient() as c:
                await c.post(f"http://{ep['Host']}:{ep['HTTPPort']}/ric/v1/subscriptions/response",
                             json={"SubscriptionId": sub_id, "SubscriptionInstances": [instance]})

        asyncio.get_running_loop().create_task(notify())
        return JSONResponse({"SubscriptionId": sub_id, "SubscriptionInstances": None}, status_code=201)

    @app.delete("/ric/v1/subscriptions/{sub_id}")
    async def delete(sub_id: str) -> JSONResponse:
        state["deleted"].append(sub_id)
        return JSONResponse(None, status_code=204)

    return app


def test_subscriptions_through_submgr_rest():
    async def scenario() -> None:
        state: dict[str, Any] = {"requests": [], "deleted": []}
        submgr = HttpServer(_fake_submgr(state))
        await submgr.start()
        config = OranConfig("pol", http_host="127.0.0.1", http_port=0, rmr_port=4560, appmgr_url=None,
                            e2mgr_url=None, subscription_timeout_s=5)
        host, rmr, runtime = await _host(config, submgr.url)
        xapp_http = HttpServer(oran_app(host, CollectorRegistry(), Health()))
        await xapp_http.start()
        host.config = OranConfig(**{**config.__dict__, "http_port": xapp_http.port})
        try:
            spec = KpmReportSpec(("DRB.UEThpDl", "RRU.PrbUsedDl"), period_ms=100)
            sub = await runtime.ctx.subscribe(NODE.node_id, spec)
            body = state["requests"][0]
            assert set(body) == {"ClientEndpoint", "Meid", "RANFunctionID", "SubscriptionDetails"}
            assert body["ClientEndpoint"] == {"Host": "127.0.0.1", "HTTPPort": xapp_http.port, "RMRPort": 4560}
            assert body["Meid"] == NODE.node_id and body["RANFunctionID"] == 2
            detail = body["SubscriptionDetails"][0]
            assert set(detail) == {"XappEventInstanceId", "EventTriggers", "ActionToBeSetupList"}
            assert all(isinstance(b, int) and 0 <= b < 256 for b in detail["EventTriggers"])
            action = detail["ActionToBeSetupList"][0]
            assert action["ActionID"] == 1 and action["ActionType"] == "report"
            from e2.sm import PayloadKind, default_registry

            kpm = default_registry().lookup("kpm", "3.00")
            assert kpm.decode(PayloadKind.EVENT_TRIGGER, bytes(detail["EventTriggers"])).reporting_period_ms == 100
            adef = kpm.decode(PayloadKind.ACTION_DEFINITION, bytes(action["ActionDefinition"]))
            assert [m.meas_type for m in adef.definition.measurements] == ["DRB.UEThpDl", "RRU.PrbUsedDl"]
            assert str(adef.definition.cell) == "001-01/000000001"
            assert sub.subscription_id == "sub-1" and 78 in host._by_e2_instance

            # RIC_INDICATION: an E2AP PDU whose RMR sub id is submgr's E2EventInstanceId
            header, message = indication("3.00", bytes(action["ActionDefinition"]), 1_700_000_000,
                                         {"DRB.UEThpDl": 9.5})
            pdu = ap.encode(ap.RicIndication(ap.RicRequestId(123, 78), 2, 1, "report", header, message, sn=4))
            rmr.on_message(RmrMessage(RmrType.RIC_INDICATION, pdu, sub_id=78, meid=NODE.node_id))
            rmr.on_message(RmrMessage(RmrType.RIC_INDICATION, b"\x00junk", sub_id=78, meid=NODE.node_id))
            rmr.on_message(RmrMessage(RmrType.RIC_INDICATION, pdu, sub_id=5, meid=NODE.node_id))
            await asyncio.sleep(0.05)
            xapp = runtime.xapp
            assert len(xapp.indications) == 1 and host.counters == {
                "unexpected": 0, "bad_indication": 1, "bad_policy": 0, "unknown_sub": 1}
            ind = xapp.indications[0]
            assert (ind.node_id, ind.subscription_id, ind.sequence) == (NODE.node_id, "sub-1", 4)
            assert ("001-01/000000001", "DRB.UEThpDl", 9.5) in {(r.cell, r.measurement, r.value) for r in ind.rows}

            # RIC_CONTROL_REQ out over RMR (MEID = node), ACK / FAILURE back, or a timeout
            async def answer(ok: bool) -> None:
                while not any(t == RmrType.RIC_CONTROL_REQ for t, *_ in rmr.sent):
                    await asyncio.sleep(0.005)
                idx = next(i for i, (t, *_) in enumerate(rmr.sent) if t == RmrType.RIC_CONTROL_REQ)
                _, req_pdu, _, meid = rmr.sent.pop(idx)
                req = ap.decode(req_pdu)
                assert meid == NODE.node_id and req.header == b"\x01" and req.ack_request == "ack"
                reply = (ap.RicControlAcknowledge(req.request_id, req.ran_function_id, outcome=b"done") if ok else
                         ap.RicControlFailure(req.request_id, req.ran_function_id, ap.Cause("ricRequest", "unspecified")))
                rmr.on_message(RmrMessage(RmrType.RIC_CONTROL_ACK if ok else RmrType.RIC_CONTROL_FAILURE,
                                          ap.encode(reply), meid=NODE.node_id))

            rc_node = NodeInfo(NODE.node_id, NODE.cells, (KPM3, RanFunctionInfo(3, "1.3.6.1.4.1.53148.1.1.2.3", "", 1)))
            host.set_nodes([rc_node])
            for ok, status in ((True, ControlStatus.ACK), (False, ControlStatus.FAILURE)):
                task = asyncio.create_task(answer(ok))
                out = await runtime.ctx.control(NODE.node_id, ControlRequest("RC", b"\x01", b"\x02"))
                await task
                assert out.status is status
            assert out.cause == "ricRequest/unspecified"
            out = await runtime.ctx.control(NODE.node_id, ControlRequest("RC", b"\x01", b"\x02"), timeout_s=0.05)
            assert out.status is ControlStatus.TIMEOUT
            await runtime.ctx.unsubscribe(sub)
            assert state["deleted"] == ["sub-1"] and not host._by_e2_instance

            state["fail"] = True
            with pytest.raises(SubscriptionError, match="action not supported"):
                await runtime.ctx.subscribe(NODE.node_id, spec)
            assert state["deleted"][-1] == "sub-2"
            with pytest.raises(SubscriptionError, match="unknown E2 node"):
                await runtime.ctx.subscribe("nope", spec)
        finally:
            await runtime.stop()
            await xapp_http.stop()
            await submgr.stop()

    asyncio.run(scenario())


def test_descriptor_to_config():
    desc = {"name": "slicing", "version": "1.2.0",
            "messaging": {"ports": [{"name": "http", "port": 8081},
                                    {"name": "rmr-data", "port": 4561, "policies": [20008, 20009]}]},
            "controls": {"period_ms": 100}}
    cfg = oran_config(desc, {"HOSTNAME": "slicing-abc", "SUBMGR_URL": "http://s:1"}, config_path="/c.json")
    assert (cfg.xapp_name, cfg.xapp_version, cfg.instance_name) == ("slicing", "1.2.0", "slicing-abc")
    assert (cfg.http_port, cfg.rmr_port, cfg.submgr_url) == (8081, 4561, "http://s:1")
    assert cfg.controls == {"period_ms": 100} and descriptor_policies(desc) == (20008, 20009)


def test_real_rmr_port_needs_ricxappframe():
    import importlib.util

    from ric.oran.rmr import RicXappFramePort

    if importlib.util.find_spec("ricxappframe") is not None:
        pytest.skip("ricxappframe is installed here")
    loop = asyncio.new_event_loop()
    with pytest.raises(RuntimeError, match="ricxappframe"):
        RicXappFramePort(loop)
    loop.close()


def _fake_platform(state: dict[str, Any]) -> FastAPI:
    """appmgr + e2mgr REST, as far as the host uses them."""
    app = FastAPI()

    @app.post("/ric/v1/register")
    async def register(request: Request) -> JSONResponse:
        state["registered"].append(await request.json())
        return JSONResponse({}, status_code=201)

    @app.post("/ric/v1/deregister")
    async def deregister(request: Request) -> JSONResponse:
        state["deregistered"].append(await request.json())
        return JSONResponse({}, status_code=204)

    @app.get("/v1/nodeb/states")
    async def states() -> list[dict[str, Any]]:
        return [{"inventoryName": n, "globalNbId": {"plmnId": "00f110", "nbId": "1"}, "connectionStatus": s}
                for n, s in state["nodes"].items()]

    @app.get("/v1/nodeb/{name}")
    async def nodeb(name: str) -> dict[str, Any]:
        return {"ranName": name, "gnb": {
            "ranFunctions": [{"ranFunctionId": 2, "ranFunctionOid": KPM3.oid, "ranFunctionRevision": 1}],
            "servedNrCells": [{"servedNrCellInformation": {"cellId": "001-01/000000001"}}]}}

    return app


def test_appmgr_registration_and_e2mgr_nodes():
    from ric.oran.platform import AppmgrClient, E2mgrClient
    from ric.xapp import NodeEvent

    class Watcher(PolicyXApp):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[tuple[str, NodeEvent]] = []

        async def on_node(self, ctx, node, event):
            self.events.append((node.node_id, event))

    async def scenario() -> None:
        state: dict[str, Any] = {"registered": [], "deregistered": [], "nodes": {"gnb_a": "CONNECTED"}}
        platform = HttpServer(_fake_platform(state))
        await platform.start()
        config = OranConfig("watcher", xapp_version="1.0.0", instance_name="watcher-0", http_host="svc-http",
                            http_port=8080, rmr_host="svc-rmr", rmr_port=4560, appmgr_url=platform.url,
                            e2mgr_url=platform.url, node_poll_s=0, controls={"k": 1})
        rmr = FakeRmr()
        host = OranHost(config, rmr, SubmgrClient(platform.url), e2mgr=E2mgrClient(platform.url),
                        appmgr=AppmgrClient(platform.url))
        xapp = Watcher()
        rt = XAppRuntime(xapp, host, metrics=XAppMetrics(CollectorRegistry()), sdl_namespace=None)
        try:
            await rt.start()
            reg = state["registered"][0]
            assert reg == {"appName": "watcher", "appVersion": "1.0.0", "configPath": "", "appInstanceName":
                           "watcher-0", "httpEndpoint": "svc-http:8080", "rmrEndpoint": "svc-rmr:4560",
                           "config": '{"k": 1}'}
            node = rt.ctx.node("gnb_a")
            assert node.connected and node.cells[0].nr_cgi == "001-01/000000001"
            assert node.function("1.3.6.1.4.1.53148.1.3.2.2").version == "3.00"
            state["nodes"]["gnb_a"] = "DISCONNECTED"
            await host.refresh_nodes()
            await asyncio.sleep(0.05)
            assert ("gnb_a", NodeEvent.DOWN) in xapp.events
        finally:
            await rt.stop()
            await platform.stop()
        assert state["deregistered"] == [{"appName": "watcher", "appInstanceName": "watcher-0"}]

    asyncio.run(scenario())


def test_shipped_descriptor_example_is_a_valid_config():
    from pathlib import Path

    import ric.oran
    from ric.oran.config import load_descriptor

    path = Path(ric.oran.__file__).parent / "config-file.example.json"
    desc = load_descriptor(path)
    cfg = oran_config(desc, {}, config_path=str(path))
    assert (cfg.xapp_name, cfg.http_port, cfg.rmr_port) == ("ranpilot-xapp", 8080, 4560)
    assert descriptor_policies(desc) == (20008,)
    assert cfg.submgr_url.startswith("http://service-ricplt-submgr-http.ricplt")


def test_an_xapps_own_series_are_served_at_ric_v1_metrics():
    """``ric.oran.main.compose`` (what ``python -m ric.oran.main`` runs) serves the xApp's own series, registered
    in ``ctx.registry``, next to the runtime's, over real HTTP."""
    from prometheus_client import Counter

    from ric.obs.metrics import once_per_registry
    from ric.oran.main import compose

    class Counting(PolicyXApp):
        async def on_start(self, ctx):
            self.starts = once_per_registry(ctx.registry, "counting:starts", lambda r: Counter(
                "counting_starts", "times the xApp started", ["xapp"], registry=r))
            self.starts.labels(**ctx.metric_labels()).inc()

    async def scenario() -> None:
        host = OranHost(OranConfig("pol", appmgr_url=None, e2mgr_url=None), FakeRmr(), SubmgrClient("http://x:9"))
        host.set_nodes([NODE])
        runtime, app, health = compose(Counting(), host, None)
        http = HttpServer(app)
        await http.start()
        await runtime.start()
        try:
            async with httpx.AsyncClient(base_url=http.url) as c:
                text = (await c.get("/ric/v1/metrics")).text
                assert (await c.get("/ric/v1/health/ready")).json()["ready"] is True
            assert 'counting_starts_total{xapp="pol"} 1.0' in text
            assert 'ranpilot_xapp_active_subscriptions{xapp="pol"} 0.0' in text
        finally:
            await runtime.stop()
            await http.stop()

    asyncio.run(scenario())
