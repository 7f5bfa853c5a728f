"""HTTP plumbing shared by the RIC and xApps: the observability routes and a uvicorn server run inside the
caller's asyncio loop (so one process has one loop: E2, xApps and REST share it, no threads).
"""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from ric.obs.health import Health

__all__ = ["HttpServer", "obs_router"]


def obs_router(registry: CollectorRegistry, health: Health) -> APIRouter:
    """``/metrics`` and ``/ric/v1/metrics`` (Prometheus text), ``/ric/v1/health/alive`` and ``/ready``."""
    r = APIRouter()

    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    r.add_api_route("/metrics", metrics, methods=["GET"])
    r.add_api_route("/ric/v1/metrics", metrics, methods=["GET"])

    @r.get("/ric/v1/health/alive")
    async def alive() -> JSONResponse:
        return JSONResponse({"alive": True})

    @r.get("/ric/v1/health/ready")
    async def ready() -> JSONResponse:
        report = health.report()
        ok = all(report.values())
        return JSONResponse({"ready": ok, "checks": report}, status_code=200 if ok else 503)

    return r


class HttpServer:
    """uvicorn serving ``app`` on ``host:port`` (0 = a free port, read back from :attr:`port`) in this loop."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                lifespan="off", loop="none")
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # the edge owns signals
        self._task: asyncio.Task[None] | None = None
        self.host = host
        self.port = port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the bind error
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.01)
        sock = self._server.servers[0].sockets[0]
        self.port = sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._task, 5)
        self._task = None
