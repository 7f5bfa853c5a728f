"""The A1-P REST routes, on the O-RAN SC A1 mediator's paths (``/a1-p/...``), so an rApp or the Non-RT RIC
policy management service talks to the embedded RIC exactly as to an O-RAN SC one.

Codes follow the mediator: PUT type 201, PUT instance 202 (accepted; delivery reported through ``/status``),
DELETE type 204, DELETE instance 202, 400 for a refused body (with the schema error), 404 for unknown ids,
503 when the SDL (Redis) is down - nothing is stored then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ric.a1.policy import A1Operation, A1Policy, PolicyType, parse_type_id
from ric.a1.store import PolicyStore
from ric.errors import PolicyError, SdlUnavailable

__all__ = ["Deliver", "a1_router"]

log = logging.getLogger("ric.a1")

# Delivers one policy event to the xApps registered for its type; True when at least one enforced it.
Deliver = Callable[[A1Policy], Awaitable[bool]]


def a1_router(store: PolicyStore, deliver: Deliver, *, delivery_timeout_s: float = 2.0) -> APIRouter:
    """Routes bound to ``store``; each accepted instance change is handed to ``deliver`` before the reply."""
    r = APIRouter(prefix="/a1-p")

    async def _deliver(policy: A1Policy) -> bool:
        try:
            return await asyncio.wait_for(deliver(policy), delivery_timeout_s)
        except TimeoutError:
            log.warning("a1 delivery timed out", extra={"type_id": policy.type_id, "instance": policy.instance_id})
            return False

    @r.get("/healthcheck")
    async def healthcheck() -> Response:
        store.ns.sdl.call("ping", store.ns.sdl.client.ping)
        return Response(status_code=200)

    @r.get("/policytypes")
    async def list_types() -> list[int]:
        return store.list_types()

    @r.get("/policytypes/{type_id}")
    async def get_type(type_id: str) -> dict[str, Any]:
        return store.get_type(parse_type_id(type_id)).to_json()

    @r.put("/policytypes/{type_id}", status_code=201)
    async def put_type(type_id: str, request: Request) -> Response:
        ptype = PolicyType.from_json(await _body(request), type_id=parse_type_id(type_id))
        store.put_type(ptype)
        return Response(status_code=201)

    @r.delete("/policytypes/{type_id}", status_code=204)
    async def delete_type(type_id: str) -> Response:
        store.delete_type(parse_type_id(type_id))
        return Response(status_code=204)

    @r.get("/policytypes/{type_id}/policies")
    async def list_instances(type_id: str) -> list[str]:
        tid = parse_type_id(type_id)
        store.get_type(tid)
        return store.list_instances(tid)

    @r.get("/policytypes/{type_id}/policies/{instance_id}")
    async def get_instance(type_id: str, instance_id: str) -> Any:
        return store.get_instance(parse_type_id(type_id), instance_id)

    @r.put("/policytypes/{type_id}/policies/{instance_id}", status_code=202)
    async def put_instance(type_id: str, instance_id: str, request: Request) -> Response:
        tid = parse_type_id(type_id)
        payload = await _body(request)
        op = store.put_instance(tid, instance_id, payload)
        enforced = await _deliver(A1Policy(tid, instance_id, op, payload))
        store.set_enforced(tid, instance_id, enforced)
        return Response(status_code=202)

    @r.delete("/policytypes/{type_id}/policies/{instance_id}", status_code=202)
    async def delete_instance(type_id: str, instance_id: str) -> Response:
        tid = parse_type_id(type_id)
        store.delete_instance(tid, instance_id)
        await _deliver(A1Policy(tid, instance_id, A1Operation.DELETE, None))
        return Response(status_code=202)

    @r.get("/policytypes/{type_id}/policies/{instance_id}/status")
    async def get_status(type_id: str, instance_id: str) -> dict[str, Any]:
        return store.get_status(parse_type_id(type_id), instance_id)

    return r


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(f"body is not JSON: {exc}") from None


def install_error_handlers(app: Any) -> None:
    """Map the RIC's errors to HTTP: PolicyError -> its status with the reason, SdlUnavailable -> 503."""

    async def policy_error(_: Request, exc: PolicyError) -> JSONResponse:
        return JSONResponse({"error": exc.reason}, status_code=exc.status)

    async def sdl_down(_: Request, exc: SdlUnavailable) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=503)

    app.add_exception_handler(PolicyError, policy_error)
    app.add_exception_handler(SdlUnavailable, sdl_down)
