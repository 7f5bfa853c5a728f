"""e2sim end to end over real TCP sockets: E2 Setup of two vendors, KPM reports equal to the simulator's
counters, subscription admission/delete, every control type, refusals with causes, reconnect, garbage flood."""

from __future__ import annotations

import asyncio
import os

import numpy as np
from e2sim_harness import SCENARIO, RicHarness, run_e2sim

from e2 import ap
from e2.sm import PayloadKind
from e2.sm.ccc import energy_saving_control, rrm_policy_control, switch_cell_control
from e2.sm.common import NrCgi, SliceQuota, Snssai
from e2.sm.kpm import (
    ActionDefinitionFormat1,
    ActionDefinitionFormat4,
    KpmActionDefinition,
    KpmEventTrigger,
    MeasurementInfo,
    MeasurementLabel,
    kpm_rows,
)
from e2.sm.kpm import (
    TestCondition as KpmTestCondition,
)
from e2.sm.rc import handover_control, slice_prb_quota_control
from e2sim.node.runner import E2SimRunner
from e2sim.sim import RanSimulator
from e2sim.sim.energy import STATE_NAMES

NOVA, KEYSTONE = 1, 2  # gNB IDs: site 0 -> nova profile, site 1 -> keystone


def _action(model, aid: int, names, period_ms: int = 1000, cell=None, labels=None) -> ap.RicAction:
    infos = tuple(MeasurementInfo(n, labels) if labels else MeasurementInfo(n) for n in names)
    return ap.RicAction(aid, "report", model.encode(KpmActionDefinition(
        1, ActionDefinitionFormat1(infos, period_ms, cell))))


def test_two_vendors_set_up_with_their_own_identities_and_versions() -> None:
    seen = {}

    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        for gnb_id, link in ric.nodes.items():
            oids = {f.id: f.oid for f in link.setup.ran_functions}
            seen[gnb_id] = ({fid: m.label for fid, m in link.models.items()}, oids,
                            link.setup.global_e2_node_id)

    runner = run_e2sim(body)
    assert seen[NOVA][0] == {2: "E2SM-KPM v3.00", 3: "E2SM-RC v1.03", 4: "E2SM-CCC v3.00"}
    assert seen[KEYSTONE][0] == {147: "E2SM-KPM v2.03", 148: "E2SM-RC v1.03", 149: "E2SM-CCC v3.00"}
    assert seen[NOVA][1][2] == "1.3.6.1.4.1.53148.1.3.2.2"
    assert seen[KEYSTONE][1][147] == "ORAN-E2SM-KPM"  # the vendor quirk, negotiated leniently by the RIC
    node = seen[KEYSTONE][2]
    assert (str(node.plmn), node.node_id, node.node_id_bits) == ("001-01", 2, 22)
    assert [str(runner.agents[1].gnb.cgi(i)) for i in range(3)] == ["001-01/000008000", "001-01/000008001",
                                                                    "001-01/000008002"]


def _replay(runner: E2SimRunner, periods: int):
    """A second simulator with the same scenario and seed, stepped to the same periods (no controls were sent,
    so it reproduces the counters e2sim's simulator closed)."""
    sim = RanSimulator(runner.sim.scenario, seed=runner.config.seed)
    out = []
    for _ in range(periods):
        sim.step(sim.ticks_per_period)
        out.append(sim.measurements())
    return out


def test_indications_carry_the_simulators_counters_at_the_requested_period() -> None:
    got = {}

    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        for gnb_id in (NOVA, KEYSTONE):
            link = ric.nodes[gnb_id]
            _, kpm = link.function("kpm")
            cell = runner.agent(gnb_id).gnb.cgi(1)
            embb = MeasurementLabel(slice=Snssai(1))
            actions = [_action(kpm, 1, ["RRU.PrbUsedDl", "PEE.Energy", "RRC.ConnMean", "DRB.UEThpDl.SNSSAI"],
                               1000, cell),
                       _action(kpm, 2, ["DRB.PdcpSduVolumeDL"], 1000, cell, (embb,))]
            rid, resp = await ric.subscribe(gnb_id, kpm.encode(KpmEventTrigger(2000)), actions)
            assert resp.admitted == (1, 2) and not resp.not_admitted
            got[gnb_id] = (rid, kpm, actions)
        await ric.wait_for(lambda: all(len([i for i in ric.nodes[g].indications if i.action_id == 1]) >= 3
                                       for g in got))
        for g in got:
            got[g] += (list(ric.nodes[g].indications),)

    runner = run_e2sim(body)
    replay = _replay(runner, int(runner.stats.periods) + 1)
    for gnb_id, (rid, kpm, actions, indications) in got.items():
        gnb = runner.agent(gnb_id).gnb
        c = gnb.cells[1]
        defs = {a.id: kpm.decode(PayloadKind.ACTION_DEFINITION, a.definition) for a in actions}
        starts = []
        for ind in indications:
            assert ind.request_id == rid
            header = kpm.decode(PayloadKind.INDICATION_HEADER, ind.header)
            msg = kpm.decode(PayloadKind.INDICATION_MESSAGE, ind.message)
            assert len(msg.data) == 2  # 2 s report period / 1 s granularity
            rows = kpm_rows(header, msg, node=gnb.name, action=defs[ind.action_id])
            sim_t0 = header.collect_start_time - runner.ctx.epoch_unix
            if ind.action_id == 1:
                starts.append(sim_t0)
            for row in rows:
                p = int(round(row.time - runner.ctx.epoch_unix))  # period index (1 s periods)
                m = replay[p]
                assert row.cell == str(gnb.cgi(1))
                if row.slice is None:
                    expect = m.cell[row.measurement][0, c]
                else:
                    k = ["1", "2", "3"].index(row.slice)
                    name = row.measurement if row.measurement.endswith(".SNSSAI") else row.measurement + ".SNSSAI"
                    expect = m.slice[name][0, c, k]
                assert row.value == expect, (gnb_id, row)
            slices = {r.slice for r in rows if r.measurement == "DRB.UEThpDl.SNSSAI"}
            if ind.action_id == 1:
                assert slices == {"1", "2", "3"}  # no-label slice measurement expanded per S-NSSAI
        assert np.allclose(np.diff(starts), 2.0)  # one indication per 2 s of simulated time
        sns = [i.sn for i in indications if i.action_id == 1]
        assert sns == list(range(len(sns)))


def test_ue_level_report_and_admission_causes() -> None:
    out = {}

    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        _, kpm = ric.nodes[NOVA].function("kpm")
        ue_action = ap.RicAction(1, "report", kpm.encode(KpmActionDefinition(4, ActionDefinitionFormat4(
            (KpmTestCondition("sNSSAI", "present"),),
            ActionDefinitionFormat1((MeasurementInfo("DRB.UEThpDl"), MeasurementInfo("L1M.SS-RSRP")), 1000,
                                    runner.agent(NOVA).gnb.cgi(0))))))
        bad = _action(kpm, 2, ["RRU.NoSuchCounter"])
        rid, resp = await ric.subscribe(NOVA, kpm.encode(KpmEventTrigger(1000)), [ue_action, bad])
        out["mixed"] = resp
        await ric.wait_for(lambda: len(ric.nodes[NOVA].indications) >= 1)
        ind = ric.nodes[NOVA].indications[0]
        out["ue_msg"] = (kpm.decode(PayloadKind.INDICATION_HEADER, ind.header),
                         kpm.decode(PayloadKind.INDICATION_MESSAGE, ind.message))
        out["delete"] = await ric.delete(NOVA, rid)
        n = len(ric.nodes[NOVA].indications)
        await asyncio.sleep(0.4)  # 8 simulated seconds
        out["after_delete"] = len(ric.nodes[NOVA].indications) - n
        # keystone: no E2SIM.CellState, and no 100 ms reporting period
        _, kpm2 = ric.nodes[KEYSTONE].function("kpm")
        _, out["only_bad"] = await ric.subscribe(KEYSTONE, kpm2.encode(KpmEventTrigger(1000)),
                                                 [_action(kpm2, 1, ["E2SIM.CellState"])])
        _, out["fast"] = await ric.subscribe(KEYSTONE, kpm2.encode(KpmEventTrigger(100)),
                                             [_action(kpm2, 1, ["RRU.PrbUsedDl"], 100)])
        _, out["rc_report"] = await ric.subscribe(KEYSTONE, kpm2.encode(KpmEventTrigger(1000)),
                                                  [_action(kpm2, 1, ["RRU.PrbUsedDl"])],
                                                  function_id=ric.nodes[KEYSTONE].function("rc")[0])

    runner = run_e2sim(body)
    assert out["mixed"].admitted == (1,)
    assert out["mixed"].not_admitted == (ap.ActionNotAdmitted(2, ap.Cause("ricRequest",
                                                                          "requested-information-unavailable")),)
    header, msg = out["ue_msg"]
    assert msg.reports and all(str(r.ue).startswith("gnb-ue:") for r in msg.reports)
    ues = [r.ue.amf_ue_ngap_id for r in msg.reports]
    p = int(round(header.collect_start_time - runner.ctx.epoch_unix))  # the (1 s) period reported
    served = _replay(runner, p + 1)[p].ue["E2SIM.ServingCell"][0]
    assert set(ues) == {int(u) for u in np.flatnonzero(served == runner.agent(NOVA).gnb.cells[0])}
    assert isinstance(out["delete"], ap.RicSubscriptionDeleteResponse)
    assert out["after_delete"] == 0
    assert isinstance(out["only_bad"], ap.RicSubscriptionFailure)
    assert out["only_bad"].cause == ap.Cause("ricRequest", "requested-information-unavailable")
    assert out["fast"].cause == ap.Cause("ricRequest", "eventTriggerNotSupported")
    assert out["rc_report"].cause == ap.Cause("ricRequest", "action-not-supported")


def _pick_handover(sim: RanSimulator, cells: tuple[int, ...], edge: bool) -> tuple[int, int]:
    """(UE, target) among UEs served by ``cells``: with ``edge`` the cell-edge UE and its strongest neighbour
    (target SINR about 0 dB: the handover succeeds), else the UE with the largest RSRP gap and its weakest
    cell (target SINR far below the HO failure threshold: it fails)."""
    best: tuple[float, int, int] | None = None
    for u in range(sim.num_ues):
        s = int(sim.serving[0, u])
        if s not in cells:
            continue
        others = [c for c in range(sim.num_cells) if c != s and sim.cell_state[0, c] == 0]
        target = max(others, key=lambda c: sim.l3[0, u, c]) if edge else min(others, key=lambda c: sim.l3[0, u, c])
        gap = float(sim.l3[0, u, s] - sim.l3[0, u, target])
        key = gap if edge else -gap
        if best is None or key < best[0]:
            best = (key, u, target)
    assert best is not None, "no UE connected"
    return best[1], best[2]


def _cgi(runner: E2SimRunner, cell: int) -> NrCgi:
    g = runner.ctx.gnbs[int(runner.sim.site_of_cell[cell])]
    return g.cgi(g.cells.index(cell))


def test_controls_change_the_simulator_and_are_acknowledged() -> None:
    res = {}

    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        sim = runner.sim
        nova, keystone = runner.agent(NOVA).gnb, runner.agent(KEYSTONE).gnb
        plmn = runner.ctx.plmn
        _, rc = ric.nodes[NOVA].function("rc")
        h, m = slice_prb_quota_control([SliceQuota(plmn, Snssai(1), 30, 90, 10), SliceQuota(plmn, Snssai(2), 25, 80, 5)])
        res["quota"] = await ric.control(NOVA, "rc", rc.encode(h), rc.encode(m))
        res["quota_state"] = (sim.rrm_min[0, list(nova.cells)].copy(), sim.rrm_max[0, list(nova.cells)].copy(),
                              sim.rrm_ded[0, list(nova.cells)].copy())
        h, m = slice_prb_quota_control([SliceQuota(plmn, Snssai(1), 60, 50, 0)])  # min > max
        res["bad_quota"] = await ric.control(NOVA, "rc", rc.encode(h), rc.encode(m))
        # handover: to the strongest other cell (succeeds), to the weakest (fails on radio conditions)
        u, good = _pick_handover(sim, nova.cells, edge=True)
        h, m = handover_control(runner.ctx.ue_id(u), _cgi(runner, good))
        res["ho"] = await ric.control(NOVA, "rc", rc.encode(h), rc.encode(m))
        res["ho_state"] = (int(sim.serving[0, u]), good)
        u2, hopeless = _pick_handover(sim, nova.cells, edge=False)
        h, m = handover_control(runner.ctx.ue_id(u2), _cgi(runner, hopeless))
        res["ho_bad"] = await ric.control(NOVA, "rc", rc.encode(h), rc.encode(m))
        res["ho_bad_state"] = int(sim.serving[0, u2])  # a failed handover loses the link (re-establishment)
        # CCC on the keystone gNB (outcome without wrapper): switch off, energy saving, RRM policy
        _, ccc = ric.nodes[KEYSTONE].function("ccc")
        c0, c1 = keystone.cgi(0), keystone.cgi(1)
        h, m = switch_cell_control(c0, False, was_on=True)
        res["off"] = await ric.control(KEYSTONE, "ccc", ccc.encode(h), ccc.encode(m))
        res["off_state"] = int(sim.cell_state[0, keystone.cells[0]])
        h, m = energy_saving_control(c1, True)
        res["sleep"] = await ric.control(KEYSTONE, "ccc", ccc.encode(h), ccc.encode(m))
        res["sleep_state"] = int(sim.cell_state[0, keystone.cells[1]])
        h, m = energy_saving_control(c1, False)
        res["wake"] = await ric.control(KEYSTONE, "ccc", ccc.encode(h), ccc.encode(m))
        res["wake_state"] = (int(sim.cell_state[0, keystone.cells[1]]), float(sim.wake_rem_ms[0, keystone.cells[1]]))
        h, m = rrm_policy_control(keystone.cgi(2), [SliceQuota(plmn, Snssai(3), 10, 40, 2)])
        res["rrm"] = await ric.control(KEYSTONE, "ccc", ccc.encode(h), ccc.encode(m))
        res["rrm_state"] = (sim.rrm_min[0, keystone.cells[2], 2], sim.rrm_max[0, keystone.cells[2], 2],
                            sim.rrm_ded[0, keystone.cells[2], 2])
        h, m = switch_cell_control(nova.cgi(0), False)  # a cell of the other gNB
        res["foreign"] = await ric.control(KEYSTONE, "ccc", ccc.encode(h), ccc.encode(m))
        res["garbage_ctrl"] = await ric.control(KEYSTONE, "rc", b"\x00\x01", b"\xff")
        res["ccc"] = ccc

    runner = run_e2sim(body)
    assert isinstance(res["quota"], ap.RicControlAcknowledge) and res["quota"].outcome
    mn, mx, dd = res["quota_state"]
    assert (mn[:, 0] == 30).all() and (mx[:, 0] == 90).all() and (dd[:, 0] == 10).all()
    assert (mn[:, 1] == 25).all() and (mx[:, 1] == 80).all() and (dd[:, 1] == 5).all()
    assert isinstance(res["bad_quota"], ap.RicControlFailure)
    assert res["bad_quota"].cause == ap.Cause("ricRequest", "control-message-invalid")
    assert isinstance(res["ho"], ap.RicControlAcknowledge)
    assert res["ho_state"][0] == res["ho_state"][1]
    assert isinstance(res["ho_bad"], ap.RicControlFailure)
    assert res["ho_bad"].cause == ap.Cause("ricRequest", "control-failed-to-execute")
    assert res["ho_bad_state"] == -1
    ccc = res["ccc"]
    assert isinstance(res["off"], ap.RicControlAcknowledge) and res["off_state"] == STATE_NAMES.index("off")
    assert b"controlOutcomeFormat" not in res["off"].outcome  # keystone quirk; the library still decodes it
    assert ccc.decode(PayloadKind.CONTROL_OUTCOME, res["off"].outcome).all_accepted
    assert isinstance(res["sleep"], ap.RicControlAcknowledge) and res["sleep_state"] == STATE_NAMES.index("light")
    assert isinstance(res["wake"], ap.RicControlAcknowledge)
    level, wake_ms = res["wake_state"]
    assert level == 0 and wake_ms == runner.sim.wake_ms[STATE_NAMES.index("light")] or wake_ms < 100
    assert isinstance(res["rrm"], ap.RicControlAcknowledge) and res["rrm_state"] == (10, 40, 2)
    assert isinstance(res["foreign"], ap.RicControlFailure)
    assert res["foreign"].cause == ap.Cause("ricRequest", "control-failed-to-execute")
    assert ccc.decode(PayloadKind.CONTROL_OUTCOME, res["foreign"].outcome).cells[0].failed[0].cause == "SEMANTIC_ERROR"
    assert res["garbage_ctrl"].cause == ap.Cause("ricRequest", "control-message-invalid")
    counters = runner.counters()
    assert counters["controls_ok"] == 6 and counters["controls_failed"] == 4


def test_association_recovers_after_ric_disconnect_and_restart() -> None:
    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        await ric.drop_all()  # RIC drops both associations
        await ric.wait_for(lambda: len(ric.setups) >= 4)
        port = ric.port
        await ric.server.close()  # RIC down ...
        await ric.drop_all()
        await asyncio.sleep(0.3)
        await ric.start(port)  # ... and back on the same port
        await ric.wait_for(lambda: len(ric.setups) >= 6 and all(a.established for a in runner.agents))
        _, kpm = ric.nodes[NOVA].function("kpm")  # and the new association works
        _, resp = await ric.subscribe(NOVA, kpm.encode(KpmEventTrigger(1000)), [_action(kpm, 1, ["RRU.PrbUsedDl"])])
        assert resp.admitted == (1,)

    runner = run_e2sim(body)
    assert runner.counters()["setups"] >= 6
    assert runner.stats.connects >= 6


def test_setup_failure_time_to_wait_is_honoured_and_reset_clears_subscriptions() -> None:
    res = {}

    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        link = ric.nodes[KEYSTONE]
        _, kpm = link.function("kpm")
        await ric.subscribe(KEYSTONE, kpm.encode(KpmEventTrigger(1000)), [_action(kpm, 1, ["RRU.PrbUsedDl"])])
        await ric.wait_for(lambda: len(link.indications) >= 1)
        await link.endpoint.send(link.conn.send_reset(ap.Cause("misc", "om-intervention"),
                                                      asyncio.get_running_loop().time()))
        await ric.wait_for(lambda: ric.resets_answered == 1)
        n = len(link.indications)
        await asyncio.sleep(0.3)  # 6 simulated seconds
        res["after_reset"] = len(link.indications) - n

    runner = run_e2sim(body, fail_setups=2)
    counters = runner.counters()
    assert counters["setup_failures"] == 2 and counters["setups"] == 2 and counters["resets"] == 1
    assert runner.stats.connects == 4  # each refused gNB waited (TimeToWait 1 s) and connected again
    assert res["after_reset"] == 0


def test_garbage_flood_is_answered_with_error_indications_and_survived() -> None:
    rng = np.random.default_rng(int(os.environ.get("E2SIM_FUZZ_SEED", "5")))
    res = {}

    async def body(ric: RicHarness, runner: E2SimRunner) -> None:
        link = ric.nodes[NOVA]
        for _ in range(300):
            await link.endpoint.send(rng.bytes(int(rng.integers(1, 200))))
        # well-formed PDUs a node must not receive
        await link.endpoint.send(ap.encode(ap.RicIndication(ap.RicRequestId(1, 1), 2, 1, "report", b"h", b"m")))
        await link.endpoint.send(ap.encode(ap.RicSubscriptionDeleteResponse(ap.RicRequestId(9, 9), 2)))
        await ric.wait_for(lambda: runner.agent(NOVA).counters["bad_pdus"] >= 302)
        _, kpm = link.function("kpm")
        _, res["resp"] = await ric.subscribe(NOVA, kpm.encode(KpmEventTrigger(1000)), [_action(kpm, 1, ["RRU.PrbUsedDl"])])
        await ric.wait_for(lambda: len(link.indications) >= 1)
        res["errors"] = len(link.errors)

    runner = run_e2sim(body)
    counters = runner.agent(NOVA).counters
    assert counters["bad_pdus"] >= 302 and counters["error_indications_sent"] >= 302
    assert res["errors"] >= 302
    assert res["resp"].admitted == (1,)
    assert runner.stats.connects == 2  # the association was never dropped
    assert SCENARIO["e2"]["vendors"] == ["nova", "keystone"]


def test_ranpilot_e2sim_command_connects_every_gnb(tmp_path) -> None:
    """The console command in its own process, against the harness: both gNBs set up, counters printed."""
    import json
    import subprocess
    import sys

    import yaml

    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))

    async def main() -> tuple[list[int], str]:
        ric = RicHarness()
        port = await ric.start()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from ranpilot.cli import run; run()", "e2sim", "--scenario", str(path), "--ric", f"127.0.0.1:{port}",
            "--transport", "tcp", "--speed", "20", "--duration", "4", stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        await ric.stop()
        assert proc.returncode == 0
        return sorted(ric.setups), out.decode()

    setups, out = asyncio.run(main())
    assert setups == [NOVA, KEYSTONE]
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["counters"]["setups"] == 2 and summary["sim_time_s"] > 0
