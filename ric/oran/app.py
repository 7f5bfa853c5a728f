"""The REST side of an O-RAN SC xApp: what the platform calls on it.

* ``POST /ric/v1/subscriptions/response`` - submgr's subscription outcome notifications;
* ``GET /ric/v1/config`` - the xApp's config (appmgr convention);
* ``/ric/v1/metrics`` (and ``/metrics``), ``/ric/v1/health/alive``, ``/ric/v1/health/ready`` - like Go xApps.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from ric.errors import SubscriptionError
from ric.obs.health import Health
from ric.obs.http import obs_router
from ric.oran.host import OranHost

__all__ = ["oran_app"]


def oran_app(host: OranHost, registry: CollectorRegistry, health: Health) -> FastAPI:
    app = FastAPI(title=f"xApp {host.config.xapp_name}")
    app.include_router(obs_router(registry, health))

    @app.post("/ric/v1/subscriptions/response")
    async def subscription_response(request: Request) -> JSONResponse:
        try:
            host.on_subscription_response(await request.json())
        except (ValueError, SubscriptionError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({}, status_code=200)

    @app.get("/ric/v1/config")
    async def config() -> list[dict[str, Any]]:
        return [{"metadata": {"xappName": host.config.xapp_name, "configType": "json"},
                 "config": host.config.controls}]

    return app
