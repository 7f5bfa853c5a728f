"""``ranpilot e2sim``: the simulator's gNBs as E2 nodes connected to a near-RT RIC.

    ranpilot e2sim --scenario dense-urban --ric 127.0.0.1:36421 [--speed 10 | --realtime] [--transport tcp]

Every site of the scenario is one gNB with its own E2 association, global gNB ID, NR CGIs and vendor profile
(the scenario's ``e2:`` section, else the shipped profiles alternating). Runs until interrupted (or
``--duration`` wall seconds) and prints each gNB's counters at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="dense-urban", help="shipped scenario name or path to a YAML file")
    parser.add_argument("--ric", default="127.0.0.1:36421", help="the RIC's E2 termination, HOST:PORT")
    clock = parser.add_mutually_exclusive_group()
    clock.add_argument("--speed", type=float, default=10.0,
                       help="simulated seconds per wall-clock second (default 10: accelerated)")
    clock.add_argument("--realtime", action="store_true", help="run the simulation clock in real time (speed 1)")
    parser.add_argument("--transport", choices=("auto", "sctp", "tcp"), default="auto",
                        help="SCTP (PPID 70) where the kernel has it, else 4-byte length-framed TCP (default auto)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--copies", type=int, default=1,
                        help="independent copies of the scenario's RAN (more gNBs, IDs continue)")
    parser.add_argument("--measurement-period-ms", type=float, default=None,
                        help="override the scenario's measurement period (finest KPM granularity)")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many wall-clock seconds")
    parser.add_argument("--list", action="store_true", help="print the gNBs (IDs, vendors, cells) and exit")
    parser.add_argument("-v", "--verbose", action="count", default=0)


def _ric(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--ric must be HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def main(args: argparse.Namespace) -> int:
    from e2sim.node.runner import E2SimRunner, RunnerConfig
    from e2sim.scenarios import ScenarioError

    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        host, port = _ric(args.ric)
        config = RunnerConfig(ric_host=host, ric_port=port, transport=args.transport,
                              speed=1.0 if args.realtime else args.speed, seed=args.seed, copies=args.copies,
                              measurement_period_ms=args.measurement_period_ms)
        runner = E2SimRunner(args.scenario, config)
    except (ScenarioError, ValueError) as exc:
        print(f"ranpilot e2sim: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for line in runner.describe():
            print(json.dumps(line))
        return 0
    print(f"e2sim: {len(runner.agents)} gNBs -> {host}:{port} ({args.transport}), speed {config.speed:g}x",
          file=sys.stderr)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await runner.run(stop, duration_s=args.duration)

    asyncio.run(go())
    st = runner.stats
    print(json.dumps({"sim_time_s": round(runner.sim_time_s, 3), "indications": st.indications, "late": st.late,
                      "connects": st.connects, "counters": dict(runner.counters())}))
    return 0
