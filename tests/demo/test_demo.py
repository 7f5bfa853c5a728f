"""The one-command demo and its xApp.

* ``KpmStore`` (the kpm-monitor's row handling): latest cell-level values, continuity counting - pure unit tests;
* the kpm-monitor against a vendor that lacks some measurements: it subscribes to the supported ones, read from
  the R-NIB (real embedded RIC + real e2sim nodes, in this process, 2 gNBs); against a node that advertises no
  names it finds them by trial subscriptions (the RIC driven through its E2 boundary by an in-memory node);
* ``ranpilot demo`` as a user runs it (a separate process, the shipped dense-urban scenario): exit 0, every node
  set up and reporting at the subscribed period, the mid-run control acknowledged and visible, nothing left
  running.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import psutil

from ranpilot.demo import Demo, DemoConfig
from ric.loop import run
from xapps.kpm_monitor import DEFAULT_MEASUREMENTS, KpmStore


@dataclass(frozen=True)
class Row:  # the fields of e2.sm.kpm.KpmRow the store reads
    node: str
    cell: str | None
    measurement: str
    value: float
    time: float
    ue: str | None = None
    slice: str | None = None


def _report(node: str, cell: str, t: float, **values: float) -> list[Row]:
    return [Row(node, cell, m, v, t) for m, v in values.items()]


def test_store_keeps_latest_cell_values_and_counts_indications():
    store = KpmStore(period_s=1.0)
    store.add("n1", _report("n1", "c1", 100.0, **{"RRU.PrbUsedDl": 10, "PEE.AvgPower": 300}))
    store.add("n1", _report("n1", "c2", 100.0, **{"RRU.PrbUsedDl": 20}))
    updated = store.add("n1", _report("n1", "c1", 101.0, **{"RRU.PrbUsedDl": 12, "PEE.AvgPower": 310})
                        + [Row("n1", "c1", "DRB.UEThpDl", 5.0, 101.0, ue="ue-7"),  # UE-level: not a cell value
                           Row("n1", "c1", "RRU.PrbUsedDl", 3.0, 101.0, slice="1-000001")])  # per slice: same
    store.add("n2", [])  # an indication that did not decode: counted, nothing stored
    store.add("n3", _report("n3", None, 100.0, **{"RRU.PrbUsedDl": 30}))  # node-level report (no cell)
    assert [c.cell for c in updated] == ["c1"]
    c1 = store.cells[("n1", "c1")]
    assert (c1.time, c1.values, c1.reports, c1.gaps, c1.out_of_order) == (
        101.0, {"RRU.PrbUsedDl": 12.0, "PEE.AvgPower": 310.0}, 2, 0, 0)
    assert store.indications == {"n1": 3, "n2": 1, "n3": 1}
    assert store.cells[("n3", "*")].values == {"RRU.PrbUsedDl": 30.0}
    assert [c.cell for c in store.node_cells("n1")] == ["c1", "c2"]
    assert store.rows()[:3] == [
        {"node": "n1", "cell": "c1", "measurement": "PEE.AvgPower", "value": 310.0, "time": 101.0},
        {"node": "n1", "cell": "c1", "measurement": "RRU.PrbUsedDl", "value": 12.0, "time": 101.0},
        {"node": "n1", "cell": "c2", "measurement": "RRU.PrbUsedDl", "value": 20.0, "time": 100.0},
    ]


def test_store_counts_gaps_and_out_of_order_reports():
    store = KpmStore(period_s=0.5)
    for t in (10.0, 10.5, 11.0, 12.0, 12.5, 12.5, 11.5):  # 11.5 missing then arriving late, 12.5 twice
        store.add("n", _report("n", "c", t, x=t))
    c = store.cells[("n", "c")]
    assert (c.reports, c.gaps, c.out_of_order) == (7, 1, 2)
    assert (c.time, c.values) == (12.5, {"x": 12.5})  # a late report does not overwrite newer values


def test_store_several_granularity_periods_in_one_report_keep_the_last():
    store = KpmStore(period_s=1.0)
    store.add("n", _report("n", "c", 5.0, x=1.0) + _report("n", "c", 5.5, x=2.0))
    assert store.cells[("n", "c")].values == {"x": 2.0}


# a vendor whose gNBs cannot report throughput or power: the monitor must subscribe to the rest
LEAN = {"name": "lean", "vendor_name": "Lean Radio", "kpm_version": "2.03",
        "ran_function_ids": {"kpm": 20, "rc": 21, "ccc": 22},
        "cell_measurements": ["RRU.PrbUsedDl", "RRU.PrbAvailDl", "RRC.ConnMean"], "ue_measurements": "all",
        "report_period_ms": {"min": 1000, "max": 60000}, "granularity_period_ms": {"min": 1000, "max": 60000}}
SCENARIO: dict[str, Any] = {
    "name": "demo-test", "description": "two gNBs, one lean vendor",
    "layout": {"type": "corridor", "num_sites": 2, "isd_m": 400, "sector_azimuths_deg": [0, 120, 240],
               "road_offset_m": 30},
    "carrier": {"frequency_ghz": 3.5, "bandwidth_mhz": 20, "scs_khz": 30},
    "power": {"preset": "macro"},
    "traffic": {"embb": {"ues_per_cell": 3, "full_buffer_fraction": 0.5, "packet_bytes": 500000,
                         "arrival_rate_hz": 0.5},
                "urllc": {"ues_per_cell": 2, "packet_bytes": 200, "arrival_rate_hz": 50},
                "mmtc": {"ues_per_cell": 2, "packet_bytes": 100, "arrival_rate_hz": 0.2}},
    "mobility": {"static": 1.0},
    "time": {"tick_ms": 100, "decision_period_ms": 1000, "episode_decisions": 60},
    "e2": {"vendors": ["nova", "lean"], "profiles": {"lean": LEAN}},
}


def test_monitor_subscribes_to_what_each_vendor_supports_sdl_and_metrics():
    seen: dict[str, Any] = {}

    def watch(demo: Demo) -> None:  # called by the demo while it runs: look into SDL and the metrics
        if demo.monitor is None or demo.ric is None or not demo.monitor.store.cells:
            return
        ns = demo.ric.sdl.namespace("kpm-monitor")
        seen["sdl"] = {k: ns.get_json(k) for k in ns.keys("cell:*")}
        seen["metric"] = {n: demo.ric.registry.get_sample_value("ranpilot_kpm_monitor_indications_total",
                                                                 {"node": n}) for n in demo.monitor.store.indications}
        seen["store"] = dict(demo.monitor.store.indications)

    demo = Demo(DemoConfig(SCENARIO, duration_s=3.0, speed=10.0, freeze_heap=False))
    report = run(demo.run(watch))
    assert report.ok, report.reasons
    nova, lean = report.nodes
    assert (nova.profile, nova.vendor, nova.kpm_version) == ("nova", "Nova Radio Systems", "3.00")
    assert (lean.profile, lean.vendor, lean.kpm_version) == ("lean", "Lean Radio", "2.03")
    assert nova.measurements == list(DEFAULT_MEASUREMENTS)
    # the lean gNB's names come from its KPM RAN function description in the R-NIB: no trial subscriptions
    assert lean.measurements == ["RRU.PrbUsedDl", "RRU.PrbAvailDl", "RRC.ConnMean"]
    assert demo.monitor.probed == set()
    assert set(lean.latest) == {"RRU.PrbUsedDl", "RRU.PrbAvailDl", "RRC.ConnMean"}
    assert report.control is not None and report.control.status == "ack" and report.control.visible
    # the last look (after the drain): SDL holds every cell's latest report, the metric counts what was stored
    assert len(seen["sdl"]) == nova.cells + lean.cells
    entry = seen["sdl"][f"cell:{lean.node_id}|{demo.monitor.store.node_cells(lean.node_id)[0].cell}"]
    assert set(entry["values"]) == set(lean.measurements) and entry["gaps"] == 0
    assert seen["metric"] == seen["store"] and seen["store"][nova.node_id] == nova.received


def test_ranpilot_demo_command(tmp_path):
    duration, speed, period_ms = 6.0, 10.0, 1000
    proc = subprocess.run(
        [sys.executable, "-c", "from ranpilot.cli import run; run()", "demo", "--duration", str(duration),
         "--speed", str(speed), "--period-ms", str(period_ms), "--json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["ok"] and report["reasons"] == []
    nodes = report["nodes"]
    assert len(nodes) == 7 and all(n["setup"] for n in nodes)
    assert {n["kpm_version"] for n in nodes} == {"3.00", "2.03"} and len({n["vendor"] for n in nodes}) >= 2
    # reports at the subscribed period: every cell reported each 1000 ms of the nodes' clock, no gap, no
    # reordering, and about as many reports as simulated seconds went by
    reports = [r for n in nodes for r in n["reports_per_cell"]]
    assert len(reports) == 21 and all(n["gaps"] == 0 and n["out_of_order"] == 0 for n in nodes)
    expected = report["sim_s"] / (period_ms / 1000)
    assert all(0.7 * expected <= r <= expected + 1 for r in reports), (expected, reports)
    # no report lost: everything e2sim put on the wire reached the xApp (none counted unrouted by the RIC)
    assert report["unrouted"] == 0
    assert sum(n["received"] for n in nodes) == sum(n["sent"] for n in nodes) - report["unsent"]
    # the control: acknowledged, and the next report of that cell shows it asleep
    control = report["control"]
    assert control["status"] == "ack" and control["visible"]
    assert control["before"]["RRU.PrbAvailDl"] > 0 and control["after"]["RRU.PrbAvailDl"] == 0
    assert control["after"]["PEE.AvgPower"] < control["before"]["PEE.AvgPower"]
    # nothing left behind: the embedded Redis the demo started is gone
    socket = report["sdl"].removeprefix("unix://")
    assert socket and not [p for p in psutil.process_iter(["cmdline"]) if socket in " ".join(p.info["cmdline"] or [])]


class QuietNode:
    """An E2 node that lists no measurement names in its KPM RAN function description and refuses a subscription
    with a name it cannot report (cause requested-information-unavailable). It talks to the real embedded RIC
    through the RIC's E2 boundary (ric.embedded.session), in memory, as tests/ric/test_ric_core.py does."""

    node_id = "gnb-quiet"

    def __init__(self, ric: Any, supports: set[str]) -> None:
        self.ric, self.supports = ric, supports
        self.requests: list[tuple[frozenset[str], bool]] = []
        self.deletes: list[Any] = []
        self._ids = iter(range(1, 65536))

    async def send_subscription(self, requestor: int, ran_function_id: int, plan: Any) -> Any:
        from ric.embedded.session import RequestId

        request = RequestId(requestor, next(self._ids))
        names = frozenset(m.meas_type for a in plan.actions for m in a.typed.definition.measurements)
        ok = names <= self.supports
        self.requests.append((names, ok))
        answer = ([a.action_id for a in plan.actions], None) if ok else (
            [], "ricRequest/requested-information-unavailable")
        asyncio.get_running_loop().call_soon(self.ric.subscription_answer, self.node_id, request, *answer)
        return request

    async def send_subscription_delete(self, request: Any) -> None:
        self.deletes.append(request)

    async def send_control(self, *args: Any) -> Any:
        raise AssertionError("the monitor sends no control")

    def close(self) -> None:
        pass


class MemTermination:
    def __init__(self, ric: Any, metrics: Any, *, host: str, port: int, transport: str) -> None:
        self.listening, self.port, self.transport = False, 0, "memory"

    async def start(self) -> None:
        self.listening = True

    async def stop(self) -> None:
        self.listening = False


def test_monitor_probes_a_node_that_advertises_no_names_and_restarts_cleanly():
    from ric.embedded.ric import EmbeddedRic, RicConfig
    from ric.xapp import CellInfo, NodeInfo, RanFunctionInfo
    from xapps.kpm_monitor import KpmMonitor

    async def scenario() -> None:
        async with EmbeddedRic(RicConfig(e2_port=0, http_port=0, freeze_heap=False),
                               termination=MemTermination) as ric:
            node = QuietNode(ric, {"RRU.PrbUsedDl", "RRC.ConnMean"})
            kpm = RanFunctionInfo(2, "1.3.6.1.4.1.53148.1.3.2.2", "ORAN-E2SM-KPM", 1, "3.00")
            assert kpm.kpm_measurements() == ()
            ric.node_setup(node, NodeInfo(node.node_id, (CellInfo("001-01/000000001"),), (kpm,)))
            monitor = KpmMonitor()
            runtime = await ric.add_xapp(monitor)
            deadline = asyncio.get_running_loop().time() + 10
            while node.node_id not in monitor.supported:
                assert asyncio.get_running_loop().time() < deadline, (monitor.refused, node.requests)
                await asyncio.sleep(0.01)
            assert monitor.probed == {node.node_id}
            assert monitor.supported[node.node_id] == ("RRU.PrbUsedDl", "RRC.ConnMean")
            # all five refused, then one trial per name (the two admitted ones deleted at once), then the real one
            assert [ok for _, ok in node.requests] == [False, True, False, False, True, False, True]
            assert len(node.deletes) == 2
            # the xApp's own counter lives in the registry the RIC serves; a second start of the xApp in the same
            # RIC reuses it instead of failing with a duplicated series
            await runtime.stop()
            again = await ric.add_xapp(KpmMonitor())
            assert ric.xapp_metrics.callback_errors.labels("kpm-monitor", "start")._value.get() == 0
            assert again.ctx.registry is ric.registry
            from prometheus_client import generate_latest

            assert b"# TYPE ranpilot_kpm_monitor_indications_total counter" in generate_latest(ric.registry)
            await again.stop()

    run(scenario())
