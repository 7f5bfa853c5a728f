"""Entry point of an xApp in an O-RAN SC near-RT RIC - an edge: the only place that reads the environment.

    python -m ric.oran.main xapps.slicing:SlicingXApp

reads ``CONFIG_FILE`` (xApp descriptor), ``DBAAS_SERVICE_HOST``/``DBAAS_SERVICE_PORT`` or ``REDIS_URL`` (SDL),
``SUBMGR_URL``/``APPMGR_URL``/``E2MGR_URL`` (platform services, O-RAN SC defaults), ``HOSTNAME``; then runs the
xApp with :class:`~ric.oran.host.OranHost` over ``ricxappframe``'s RMR, serving REST on the descriptor's http port.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import signal
import sys

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from ric.heap import freeze_startup_heap
from ric.obs.health import Health
from ric.obs.http import HttpServer
from ric.obs.logs import configure_logging
from ric.obs.metrics import XAppMetrics
from ric.oran.app import oran_app
from ric.oran.config import load_descriptor, oran_config
from ric.oran.host import OranHost
from ric.oran.platform import AppmgrClient, E2mgrClient
from ric.oran.rmr import RicXappFramePort
from ric.oran.submgr import SubmgrClient
from ric.sdl import Namespace, Sdl, SdlConfig
from ric.xapp.api import XApp
from ric.xapp.runtime import XAppRuntime

__all__ = ["compose", "load_xapp", "main"]


def load_xapp(spec: str) -> XApp:
    """Instantiate ``package.module:ClassName``."""
    module, _, cls = spec.partition(":")
    if not cls:
        raise SystemExit(f"xApp must be given as module:Class, got {spec!r}")
    return getattr(importlib.import_module(module), cls)()


def compose(xapp: XApp, host: OranHost, sdl_namespace: Namespace | None) -> tuple[XAppRuntime, FastAPI, Health]:
    """The xApp's runtime and its REST app over one Prometheus registry, so ``/ric/v1/metrics`` serves the
    runtime's series and the ones the xApp registers itself in ``ctx.registry``."""
    registry, health = CollectorRegistry(), Health()
    runtime = XAppRuntime(xapp, host, metrics=XAppMetrics(registry), sdl_namespace=sdl_namespace)
    health.add_check("xapp", runtime.healthy)
    return runtime, oran_app(host, registry, health), health


async def run(xapp: XApp, env: dict[str, str]) -> None:
    path = env.get("CONFIG_FILE", "/opt/ric/config/config-file.json")
    config = oran_config(load_descriptor(path), env, config_path=path)
    redis_url = env.get("REDIS_URL") or (
        f"redis://{env['DBAAS_SERVICE_HOST']}:{env.get('DBAAS_SERVICE_PORT', '6379')}/0"
        if env.get("DBAAS_SERVICE_HOST") else None)
    sdl = Sdl(SdlConfig(url=redis_url))
    loop = asyncio.get_running_loop()
    host = OranHost(config, RicXappFramePort(loop, rmr_port=config.rmr_port), SubmgrClient(config.submgr_url),
                    e2mgr=E2mgrClient(config.e2mgr_url) if config.e2mgr_url else None,
                    appmgr=AppmgrClient(config.appmgr_url) if config.appmgr_url else None)
    runtime, app, health = compose(xapp, host, sdl.namespace(xapp.name))
    health.add_check("sdl", sdl.ping)
    http = HttpServer(app, "0.0.0.0", config.http_port)
    await http.start()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    freeze_startup_heap()
    await stop.wait()
    await runtime.stop()
    await http.stop()
    sdl.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ric.oran.main", description=__doc__.splitlines()[0])
    parser.add_argument("xapp", help="the xApp class, module:Class")
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    from ric.loop import run as run_loop

    run_loop(run(load_xapp(args.xapp), dict(os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
