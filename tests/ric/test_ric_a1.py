"""A1-P endpoint over real HTTP (uvicorn on a free port, httpx), policies stored in a real Redis."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from ric.a1.app import a1_router, install_error_handlers
from ric.a1.policy import A1Operation, A1Policy, parse_type_id
from ric.a1.store import PolicyStore
from ric.errors import PolicyError
from ric.obs.health import Health
from ric.obs.http import HttpServer, obs_router
from ric.sdl import Sdl, SdlConfig

SCHEMA = {
    "type": "object",
    "properties": {"slice": {"type": "string"}, "min_prb_ratio": {"type": "integer", "minimum": 0, "maximum": 100}},
    "required": ["slice", "min_prb_ratio"],
    "additionalProperties": False,
}
TYPE_BODY = {"name": "slice-sla", "description": "min PRB share per slice", "policy_type_id": 20008,
             "create_schema": SCHEMA}


async def _serve(sdl: Sdl, deliver):
    from prometheus_client import CollectorRegistry

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(a1_router(PolicyStore(sdl.namespace("a1")), deliver))
    app.include_router(obs_router(CollectorRegistry(), Health()))
    server = HttpServer(app)
    await server.start()
    return server


def test_policy_type_and_instance_lifecycle(redis_server):
    delivered: list[A1Policy] = []

    async def deliver(policy: A1Policy) -> bool:
        delivered.append(policy)
        return policy.payload is None or policy.payload["slice"] != "refused-by-xapp"

    async def scenario() -> None:
        with Sdl(SdlConfig(url=redis_server.url)) as sdl:
            server = await _serve(sdl, deliver)
            try:
                async with httpx.AsyncClient(base_url=server.url + "/a1-p") as c:
                    assert (await c.get("/healthcheck")).status_code == 200
                    assert (await c.get("/policytypes")).json() == []
                    assert (await c.put("/policytypes/20008", json=TYPE_BODY)).status_code == 201
                    assert (await c.put("/policytypes/20008", json=TYPE_BODY)).status_code == 400  # exists
                    assert (await c.get("/policytypes")).json() == [20008]
                    assert (await c.get("/policytypes/20008")).json()["create_schema"] == SCHEMA
                    assert (await c.get("/policytypes/7")).status_code == 404

                    r = await c.put("/policytypes/20008/policies/p1", json={"slice": "embb", "min_prb_ratio": 40})
                    assert r.status_code == 202
                    assert delivered[-1] == A1Policy(20008, "p1", A1Operation.CREATE,
                                                     {"slice": "embb", "min_prb_ratio": 40})
                    st = (await c.get("/policytypes/20008/policies/p1/status")).json()
                    assert st["instance_status"] == "IN EFFECT" and st["has_been_deleted"] is False

                    r = await c.put("/policytypes/20008/policies/p1", json={"slice": "embb", "min_prb_ratio": 50})
                    assert r.status_code == 202 and delivered[-1].operation is A1Operation.UPDATE
                    assert (await c.get("/policytypes/20008/policies/p1")).json()["min_prb_ratio"] == 50

                    # refused by the schema: 400 with the jsonschema reason, nothing stored, nothing delivered
                    n = len(delivered)
                    r = await c.put("/policytypes/20008/policies/bad", json={"slice": "embb", "min_prb_ratio": 150})
                    assert r.status_code == 400
                    assert "min_prb_ratio" in r.json()["error"] and "150" in r.json()["error"]
                    r = await c.put("/policytypes/20008/policies/bad", content=b"{not json")
                    assert r.status_code == 400 and "not JSON" in r.json()["error"]
                    assert len(delivered) == n
                    assert (await c.get("/policytypes/20008/policies")).json() == ["p1"]

                    # accepted by the schema but not enforced by any xApp
                    await c.put("/policytypes/20008/policies/p2", json={"slice": "refused-by-xapp", "min_prb_ratio": 1})
                    st = (await c.get("/policytypes/20008/policies/p2/status")).json()
                    assert st["instance_status"] == "NOT IN EFFECT"

                    assert (await c.delete("/policytypes/20008")).status_code == 400  # instances remain
                    assert (await c.delete("/policytypes/20008/policies/p1")).status_code == 202
                    assert delivered[-1] == A1Policy(20008, "p1", A1Operation.DELETE, None)
                    assert (await c.get("/policytypes/20008/policies/p1")).status_code == 404
                    assert (await c.delete("/policytypes/20008/policies/p2")).status_code == 202
                    assert (await c.delete("/policytypes/20008")).status_code == 204
                    assert (await c.get("/policytypes")).json() == []
                    assert (await c.put("/policytypes/1", json={"create_schema": {"type": 12}})).status_code == 400
                    assert (await c.get("/policytypes/abc")).status_code == 400
            finally:
                await server.stop()

    asyncio.run(scenario())


def test_redis_down_answers_503_and_stores_nothing(redis_server):
    async def deliver(policy: A1Policy) -> bool:
        return True

    async def scenario() -> None:
        with Sdl(SdlConfig(url=redis_server.url, timeout_s=0.5)) as sdl:
            server = await _serve(sdl, deliver)
            try:
                async with httpx.AsyncClient(base_url=server.url + "/a1-p") as c:
                    assert (await c.put("/policytypes/5", json={**TYPE_BODY, "policy_type_id": 5})).status_code == 201
                    redis_server.stop()
                    r = await c.put("/policytypes/5/policies/x", json={"slice": "a", "min_prb_ratio": 1})
                    assert r.status_code == 503 and "unreachable" in r.json()["error"]
                    assert (await c.get("/healthcheck")).status_code == 503
            finally:
                await server.stop()

    asyncio.run(scenario())


def test_mediator_rmr_forms_are_accepted():
    # the O-RAN SC A1 mediator: type id as a string, payload as a JSON string
    p = A1Policy.from_rmr_json({"operation": "CREATE", "policy_type_id": "20008", "policy_instance_id": "i1",
                                "payload": '{"slice": "embb"}'})
    assert p == A1Policy(20008, "i1", A1Operation.CREATE, {"slice": "embb"})
    q = A1Policy.from_rmr_json({"operation": "UPDATE", "policy_type_id": 20008, "policy_instance_id": "i1",
                                "payload": {"slice": "embb"}})
    assert q.type_id == 20008 and q.payload == {"slice": "embb"}
    assert A1Policy.from_rmr_json({"operation": "DELETE", "policy_type_id": "3", "policy_instance_id": "i",
                                   "payload": ""}).payload is None
    for bad in ({"operation": "EXPLODE", "policy_type_id": 1, "policy_instance_id": "i"},
                {"operation": "CREATE", "policy_type_id": "x1", "policy_instance_id": "i"},
                {"operation": "CREATE", "policy_type_id": 1, "policy_instance_id": "i", "payload": "{bad"},
                {"operation": "CREATE", "policy_type_id": 1}, []):
        with pytest.raises(PolicyError):
            A1Policy.from_rmr_json(bad)
    assert parse_type_id(" 42 ") == 42
    with pytest.raises(PolicyError):
        parse_type_id(0)
