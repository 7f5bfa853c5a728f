"""``ranpilot sim``: run a scenario with its default controls and print a KPI summary."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="dense-urban", help="shipped scenario name or path to a YAML file")
    parser.add_argument("--steps", type=int, default=60, help="decision (measurement) periods to simulate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=1, help="independent instances run side by side")
    parser.add_argument("--json", action="store_true", help="print the KPIs as JSON")
    parser.add_argument("--list", action="store_true", help="list the shipped scenarios and exit")


def run_kpis(scenario: Any, steps: int, seed: int, batch: int) -> dict[str, Any]:
    """Simulate ``steps`` decision periods and aggregate the KPIs over all periods, cells and instances."""
    from e2sim.sim import RanSimulator

    sim = RanSimulator(scenario, batch=batch, seed=seed)
    sc = sim.scenario
    K = sim.num_slices
    vol = np.zeros(K)
    thp_time = np.zeros(K)
    viol = np.zeros(K)
    active = np.zeros(K)
    delays: list[list[np.ndarray]] = [[] for _ in range(K)]
    tot: dict[str, float] = {k: 0.0 for k in ("energy", "bits", "ho_req", "ho_succ", "rlf", "pp", "drop", "prb")}
    t0 = time.perf_counter()
    for _ in range(steps):
        sim.step(sc.ticks_per_decision)
        m = sim.measurements()
        c, s = m.cell, m.slice
        v = s["DRB.PdcpSduVolumeDL.SNSSAI"]
        thp = s["DRB.UEThpDl.SNSSAI"]
        vol += v.sum(axis=(0, 1))
        thp_time += np.where(thp > 0, v * 1e3 / np.where(thp > 0, thp, 1.0), 0.0).sum(axis=(0, 1))
        has = (s["RRC.ConnMean.SNSSAI"] > 0)
        active += has.sum(axis=(0, 1))
        viol += s["E2SIM.SlaViolation.SNSSAI"].sum(axis=(0, 1))
        d = s["DRB.RlcSduDelayDl.SNSSAI"]
        for k in range(K):
            delays[k].append(d[..., k][d[..., k] > 0])
        tot["energy"] += c["PEE.Energy"].sum()
        tot["bits"] += c["DRB.PdcpSduVolumeDL"].sum() * 1e6
        tot["ho_req"] += (c["MM.HoExeIntraReq"] + c["MM.HoExeInterReq"]).sum()
        tot["ho_succ"] += (c["MM.HoExeIntraSucc"] + c["MM.HoExeInterSucc"]).sum()
        tot["rlf"] += c["E2SIM.RlfCount"].sum()
        tot["pp"] += c["E2SIM.PingPongCount"].sum()
        tot["drop"] += c["E2SIM.DropCount"].sum()
        tot["prb"] += c["RRU.PrbTotDl"].mean()
    wall = time.perf_counter() - t0
    sim_s = steps * sim.period_s
    slices = {}
    for k, name in enumerate(sim.slice_names):
        dk = np.concatenate(delays[k]) if delays[k] else np.zeros(0)
        cfg = sc.slices[k]
        slices[name] = {
            "volume_mbit": float(vol[k]),
            "throughput_mbps": float(vol[k] / thp_time[k]) if thp_time[k] > 0 else 0.0,
            "mean_delay_ms": float(dk.mean()) if dk.size else 0.0,
            "p95_delay_ms": float(np.percentile(dk, 95)) if dk.size else 0.0,
            "sla": {"min_rate_mbps": cfg.min_rate_mbps, "max_delay_ms": cfg.max_delay_ms},
            "sla_violation_share": float(viol[k] / active[k]) if active[k] > 0 else 0.0,
        }
    n_cell_s = sim.num_cells * batch * sim_s
    return {
        "scenario": sc.name,
        "cells": sim.num_cells,
        "ues": sim.num_ues,
        "prbs": sim.num_prbs,
        "batch": batch,
        "seed": seed,
        "decision_periods": steps,
        "simulated_s": sim_s,
        "wall_s": wall,
        "energy_j": tot["energy"],
        "avg_power_per_cell_w": tot["energy"] / n_cell_s,
        "throughput_mbps": tot["bits"] / 1e6 / (sim_s * batch),
        "energy_efficiency_bit_per_j": tot["bits"] / max(tot["energy"], 1e-9),
        "mean_prb_usage_pct": tot["prb"] / max(steps, 1),
        "slices": slices,
        "handovers": tot["ho_req"],
        "handover_failures": tot["ho_req"] - tot["ho_succ"],
        "rlf": tot["rlf"],
        "ping_pong": tot["pp"],
        "drops": tot["drop"],
        "ue_steps_per_s": sim.num_ues * batch * steps * sc.ticks_per_decision / max(wall, 1e-9),
    }


def _print_rich(k: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(f"[bold]ranpilot sim[/bold] - scenario [cyan]{k['scenario']}[/cyan]: {k['cells']} cells, "
              f"{k['ues']} UEs, {k['prbs']} PRBs, batch {k['batch']}, seed {k['seed']}")
    con.print(f"simulated {k['simulated_s']:.0f} s ({k['decision_periods']} periods) in {k['wall_s']:.2f} s wall "
              f"({k['ue_steps_per_s']:,.0f} UE-steps/s)")
    t = Table(title="network", show_header=False, title_justify="left")
    t.add_column("kpi")
    t.add_column("value", justify="right")
    t.add_row("energy", f"{k['energy_j'] / 3.6e6:.4f} kWh ({k['energy_j']:,.0f} J)")
    t.add_row("mean power per cell", f"{k['avg_power_per_cell_w']:.1f} W")
    t.add_row("throughput (network)", f"{k['throughput_mbps']:.1f} Mbit/s")
    t.add_row("energy efficiency", f"{k['energy_efficiency_bit_per_j'] / 1e3:.2f} kbit/J")
    t.add_row("mean PRB usage (RRU.PrbTotDl)", f"{k['mean_prb_usage_pct']:.1f} %")
    t.add_row("handovers / failures", f"{k['handovers']:.0f} / {k['handover_failures']:.0f}")
    t.add_row("RLF / ping-pong / drops", f"{k['rlf']:.0f} / {k['ping_pong']:.0f} / {k['drops']:.0f}")
    con.print(t)
    s = Table(title="slices", title_justify="left")
    for col in ("slice", "Mbit", "thp Mbit/s", "delay ms", "SLA", "violated"):
        s.add_column(col, justify="right" if col != "slice" else "left", no_wrap=True)
    for name, v in k["slices"].items():
        sla = v["sla"]
        parts = []
        if sla["min_rate_mbps"] is not None:
            parts.append(f">= {sla['min_rate_mbps']:g} Mbit/s")
        if sla["max_delay_ms"] is not None:
            parts.append(f"<= {sla['max_delay_ms']:g} ms")
        share = v["sla_violation_share"] * 100
        color = "green" if share < 5 else "yellow" if share < 20 else "red"
        s.add_row(name, f"{v['volume_mbit']:,.0f}", f"{v['throughput_mbps']:.2f}",
                  f"{v['mean_delay_ms']:.1f}", ", ".join(parts) or "-",
                  f"[{color}]{share:.1f} %[/{color}]")
    s.caption = "thp: mean UE throughput while data is buffered; violated: share of (cell, period) with the SLA missed"
    con.print(s)


def main(args: argparse.Namespace) -> int:
    from e2sim.scenarios import ScenarioError, list_scenarios

    if args.list:
        print("\n".join(list_scenarios()))
        return 0
    if args.steps < 1 or args.batch < 1:
        print("error: --steps and --batch must be >= 1")
        return 2
    try:
        kpis = run_kpis(args.scenario, args.steps, args.seed, args.batch)
    except ScenarioError as exc:
        print(f"ScenarioError: {exc}")
        return 2
    if args.json:
        print(json.dumps(kpis, indent=2))
    else:
        _print_rich(kpis)
    return 0
