"""How many gNBs (3 cells each) one e2sim process serves at a 100 ms KPM report period in real time.

    python benchmarks/e2sim_load.py [--gnbs 50 100 128] [--seconds 15] [--measurements 4]

For each gNB count: a RIC-side sink in a *separate process* (written with the E2 library: e2.transport server,
e2.ap.RicConnection) accepts the associations, answers E2 Setup and subscribes every gNB to a KPM report
(event trigger 100 ms; one format-1 action per cell, granularity 100 ms), then counts the RIC Indications it
receives. e2sim runs in this process in real time (speed 1) with a 100 ms measurement period; gNBs beyond the
64-site corridor limit of one scenario come from further copies of the RAN (batch instances of the one
simulator). Reported: indications/s sent and received over the steady-state window, the expected rate
(gNBs x 3 cells x 10/s), late indications (sent > 50 ms after their period ended) and the lateness p50/p99.

Baseline in the same process: the raw rate of building + encoding one indication (KPM header, format-1
message, E2AP RIC Indication) with the same codecs, so ``sustained / raw`` says how much of a core's encode
capacity the real-time loop delivers.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import queue
import time
from typing import Any

MEASUREMENTS = ("RRU.PrbUsedDl", "RRU.PrbAvailDl", "DRB.UEThpDl", "PEE.AvgPower", "RRC.ConnMean", "PEE.Energy")
PERIOD_MS = 100


def scenario(num_sites: int) -> dict[str, Any]:
    """A corridor of 3-sector sites with few UEs: the load under test is E2, not the physics."""
    return {
        "name": "e2sim-load",
        "description": "corridor of 3-sector gNBs for the E2 load benchmark",
        "layout": {"type": "corridor", "num_sites": num_sites, "isd_m": 500, "sector_azimuths_deg": [0, 120, 240]},
        "traffic": {"embb": {"ues_per_cell": 1, "full_buffer_fraction": 1.0},
                    "urllc": {"ues_per_cell": 0.5, "packet_bytes": 200, "arrival_rate_hz": 20},
                    "mmtc": {"ues_per_cell": 0.5, "packet_bytes": 100, "arrival_rate_hz": 0.2}},
        "mobility": {"static": 1.0},
        "time": {"tick_ms": PERIOD_MS, "decision_period_ms": PERIOD_MS, "episode_decisions": 1000},
        "e2": {"vendors": ["nova"]},  # the shipped profile that reports at 100 ms (keystone's floor is 1 s)
    }


# ---------------------------------------------------------------------------------------------------------------
# RIC-side sink (separate process)
# ---------------------------------------------------------------------------------------------------------------
def _sink_process(port_q: Any, result_q: Any, n_measurements: int, window: tuple[float, float]) -> None:
    asyncio.run(_sink(port_q, result_q, n_measurements, window))


async def _sink(port_q: Any, result_q: Any, n_measurements: int, window: tuple[float, float]) -> None:
    from e2 import ap
    from e2.ap.connection import MessageReceived, RicConnection, SubscriptionDone
    from e2.errors import TransportError
    from e2.sm.common import NrCgi, Plmn
    from e2.sm.kpm import ActionDefinitionFormat1, KpmActionDefinition, KpmEventTrigger, MeasurementInfo
    from e2.sm.registry import default_registry
    from e2.transport import serve

    counts = {"indications": 0, "in_window": 0, "subscribed": 0, "setups": 0}
    stop = asyncio.Event()
    start_at: list[float] = []

    async def handle(ep: Any) -> None:
        conn = RicConnection(ap.GlobalRicId(ap.Plmn("001", "01"), 1), default_registry())
        loop = asyncio.get_running_loop()
        try:
            while True:
                pdu = await ep.recv()
                for ev in conn.receive(pdu, loop.time()):
                    if isinstance(ev, MessageReceived) and isinstance(ev.message, ap.RicIndication):
                        counts["indications"] += 1
                        if start_at and start_at[0] + window[0] <= loop.time() < start_at[0] + window[1]:
                            counts["in_window"] += 1
                    elif isinstance(ev, MessageReceived) and isinstance(ev.message, ap.E2SetupRequest):
                        req = ev.message
                        neg = conn.negotiate(req)
                        await ep.send(conn.send_setup_response(req, neg))
                        counts["setups"] += 1
                        fid, kpm = next((f, m) for f, m in neg.models.items() if m.cli_name == "kpm")
                        node = req.global_e2_node_id  # cells: NCI = 22-bit gNB ID || sector index
                        actions = [ap.RicAction(i + 1, "report", kpm.encode(KpmActionDefinition(1, ActionDefinitionFormat1(
                            tuple(MeasurementInfo(m) for m in MEASUREMENTS[:n_measurements]), PERIOD_MS,
                            NrCgi(Plmn(node.plmn.mcc, node.plmn.mnc), (node.node_id << 14) | i)))))
                            for i in range(3)]
                        _, sub = conn.send_subscription_request(1, fid, kpm.encode(KpmEventTrigger(PERIOD_MS)),
                                                                actions, loop.time())
                        await ep.send(sub)
                    elif isinstance(ev, SubscriptionDone):
                        counts["subscribed"] += 1
        except (TransportError, asyncio.CancelledError):  # peer gone / sink shutting down
            pass

    server = await serve(handle, "127.0.0.1", 0, transport="tcp")
    port_q.put(server.port)
    loop = asyncio.get_running_loop()

    async def control() -> None:
        cmd = await loop.run_in_executor(None, result_q.get)  # "start" from the parent once all are subscribed
        assert cmd == "start"
        start_at.append(loop.time())
        cmd = await loop.run_in_executor(None, result_q.get)
        stop.set()

    async def report() -> None:
        while not stop.is_set():
            port_q.put(("status", dict(counts)))
            await asyncio.sleep(0.5)

    await asyncio.gather(control(), report(), stop.wait())
    port_q.put(("final", dict(counts)))
    await server.close()


# ---------------------------------------------------------------------------------------------------------------
# e2sim side
# ---------------------------------------------------------------------------------------------------------------
def raw_encode_rate(seconds: float = 2.0, n_measurements: int = 4) -> float:
    """Indications per second the codecs alone build and encode (KPM v3.00 header + format-1 message + E2AP)."""
    from e2 import ap
    from e2.sm import default_registry
    from e2.sm.kpm import IndicationMessageFormat1, KpmIndicationHeader, MeasurementData, MeasurementInfo

    kpm = default_registry().lookup("kpm", "3.00")
    infos = tuple(MeasurementInfo(m) for m in MEASUREMENTS[:n_measurements])
    kpm.encode(KpmIndicationHeader(0.0))  # compile the codecs outside the timed loop
    ap.encode(ap.ErrorIndication())
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(200):
            h = kpm.encode(KpmIndicationHeader(1.7e9 + n * 0.1, vendor_name="Nova Radio Systems", sender_name="gnb-1",
                                               sender_type="gNB"))
            m = kpm.encode(IndicationMessageFormat1((MeasurementData(tuple(float(n + i) for i in range(len(infos)))),),
                                                    infos, PERIOD_MS))
            ap.encode(ap.RicIndication(ap.RicRequestId(1, 1), 2, 1, "report", h, m, sn=n % 65536))
            n += 1
    return n / (time.perf_counter() - t0)


async def run_load(n_gnbs: int, seconds: float, n_measurements: int) -> dict[str, Any]:
    from e2sim.node.runner import E2SimRunner, RunnerConfig

    copies = -(-n_gnbs // 64)
    sites = -(-n_gnbs // copies)
    ctx = mp.get_context("spawn")
    port_q, cmd_q = ctx.Queue(), ctx.Queue()
    warmup = 2.0
    sink = ctx.Process(target=_sink_process, args=(port_q, cmd_q, n_measurements, (warmup, warmup + seconds)),
                       daemon=True)
    sink.start()
    loop = asyncio.get_running_loop()

    async def get(timeout: float = 60.0) -> Any:
        try:
            return await loop.run_in_executor(None, lambda: port_q.get(timeout=timeout))
        except queue.Empty:
            raise RuntimeError(f"the sink process sent nothing for {timeout:g} s (alive: {sink.is_alive()})") from None

    port = await get()
    runner = E2SimRunner(scenario(sites), RunnerConfig(ric_port=port, transport="tcp", speed=1.0, copies=copies,
                                                       late_after_s=0.05))
    total = len(runner.agents)
    task = asyncio.create_task(runner.run())
    status: dict[str, int] = {}
    t_setup = time.perf_counter()
    while status.get("subscribed", 0) < total:
        kind, status = await get()
        if time.perf_counter() - t_setup > 120:
            raise RuntimeError(f"only {status} of {total} gNBs set up and subscribed")
    cmd_q.put("start")
    await asyncio.sleep(warmup)
    st0 = (runner.stats.indications, runner.stats.late, len(runner.stats.lateness_samples), time.perf_counter(),
           runner.sim_time_s)
    await asyncio.sleep(seconds)
    st = runner.stats
    t1 = time.perf_counter()
    sent = st.indications - st0[0]
    late = st.late - st0[1]
    lateness = sorted(st.lateness_samples[st0[2]:])
    sim_advance = runner.sim_time_s - st0[4]
    cmd_q.put("stop")
    final: dict[str, int] = {}
    while True:
        kind, data = await get()
        if kind == "final":
            final = data
            break
    runner.stop()
    await task
    sink.join(5)

    def pct(p: float) -> float:
        return lateness[min(len(lateness) - 1, int(p * len(lateness)))] if lateness else float("nan")

    wall = t1 - st0[3]
    return {"gnbs": total, "cells": total * 3, "expected_per_s": total * 3 * 1000 / PERIOD_MS,
            "sent_per_s": sent / wall, "received_per_s": final["in_window"] / seconds, "late": late,
            "late_pct": 100.0 * late / max(sent, 1), "lateness_p50_ms": 1e3 * pct(0.5),
            "lateness_p99_ms": 1e3 * pct(0.99), "sim_over_wall": sim_advance / wall,
            "bad_pdus": runner.counters()["bad_pdus"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gnbs", type=int, nargs="+", default=[50, 100, 128])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--measurements", type=int, default=4, choices=range(1, len(MEASUREMENTS) + 1))
    args = parser.parse_args()

    raw = raw_encode_rate(n_measurements=args.measurements)
    print(f"baseline: raw build+encode of one RIC Indication (KPM v3.00, {args.measurements} measurements): "
          f"{raw:,.0f}/s on one core")
    print(f"{'gNBs':>5} {'cells':>5} {'expected/s':>10} {'sent/s':>9} {'recv/s':>9} {'late':>6} {'late%':>6} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'sim/wall':>8} {'sent/raw':>8}")
    for n in args.gnbs:
        r = asyncio.run(run_load(n, args.seconds, args.measurements))
        print(f"{r['gnbs']:>5} {r['cells']:>5} {r['expected_per_s']:>10,.0f} {r['sent_per_s']:>9,.0f} "
              f"{r['received_per_s']:>9,.0f} {r['late']:>6} {r['late_pct']:>6.1f} {r['lateness_p50_ms']:>7.1f} "
              f"{r['lateness_p99_ms']:>7.1f} {r['sim_over_wall']:>8.3f} {r['sent_per_s'] / raw:>8.2f}")


if __name__ == "__main__":
    main()
