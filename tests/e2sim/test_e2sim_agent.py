"""The sans-I/O E2 node agent without sockets: vendor profiles and the ``e2:`` section, E2 Setup contents,
KPM admission rules, aggregation, and fuzzing (nothing the RIC sends may raise out of the agent)."""

from __future__ import annotations

import argparse
import copy

import numpy as np
import pytest
from e2sim_harness import SCENARIO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2 import ap
from e2.ap.connection import RicConnection
from e2.sm import PayloadKind, default_registry
from e2.sm.kpm import ActionDefinitionFormat1, KpmActionDefinition, KpmEventTrigger, MeasurementInfo
from e2sim.node import cli
from e2sim.node.agent import E2NodeAgent
from e2sim.node.profiles import load_profile, parse_e2_config, shipped_profiles
from e2sim.node.ran import RanContext, aggregate_cells, aggregate_time
from e2sim.node.runner import prepare_scenario
from e2sim.scenarios import ScenarioError
from e2sim.sim import RanSimulator


@pytest.fixture(scope="module")
def ctx() -> RanContext:
    sc = prepare_scenario(SCENARIO)
    sim = RanSimulator(sc, seed=3)
    return RanContext(sim, parse_e2_config(sc.extra["e2"], sim.num_sites), epoch_unix=1.7e9)


def _connected(ctx: RanContext, site: int) -> tuple[E2NodeAgent, RicConnection]:
    agent = E2NodeAgent(ctx, ctx.gnbs[site])
    ric = RicConnection(ap.GlobalRicId(ap.Plmn("001", "01"), 5), default_registry())
    [req] = agent.connection_made(0.0)
    msg = ric.receive(req, 0.0)[0].message
    assert agent.receive(ric.send_setup_response(msg, ric.negotiate(msg)), 0.0) == []
    assert agent.established
    return agent, ric


def test_shipped_profiles_differ_like_vendors_do() -> None:
    assert {"nova", "keystone"} <= set(shipped_profiles())
    nova, keystone = load_profile("nova"), load_profile("keystone")
    assert (nova.kpm_version, keystone.kpm_version) == ("3.00", "2.03")
    assert set(nova.function_ids().values()).isdisjoint(keystone.function_ids().values())
    assert keystone.oid_is_short_name and not nova.oid_is_short_name
    assert set(keystone.cell_measurements) < set(nova.cell_measurements)
    assert keystone.granularity_period_ms[0] > nova.granularity_period_ms[0]


def test_e2_section_defaults_and_errors_name_the_field() -> None:
    cfg = parse_e2_config(None, 4)
    assert (cfg.mcc, cfg.mnc) == ("001", "01") and cfg.slice_sst == ((1, None), (2, None), (3, None))
    assert [p.name for p in cfg.site_profiles] == ["nova", "keystone", "nova", "keystone"]
    cfg = parse_e2_config({"plmn": "310-410", "vendors": ["keystone"], "gnbs": {2: "nova"},
                           "slices": {"urllc": {"sst": 2, "sd": 0x10}}}, 3)
    assert [p.name for p in cfg.site_profiles] == ["keystone", "keystone", "nova"]
    assert cfg.slice_sst[1] == (2, 0x10) and cfg.mnc == "410"
    for bad, field in (({"plmn": "1-2"}, "e2.plmn"), ({"vendors": ["acme"]}, "e2.vendors"),
                       ({"gnbs": {9: "nova"}}, "e2.gnbs"), ({"slices": {"embb": {"sst": 300}}}, "e2.slices.embb.sst"),
                       ({"profiles": {"x": {"kpm_version": "1.0"}}}, "e2.profiles.x"), ({"colour": 1}, "e2")):
        with pytest.raises(ScenarioError, match=field.replace(".", r"\.")):
            parse_e2_config(bad, 3)


def test_identities_follow_the_simulator(ctx: RanContext) -> None:
    g = ctx.gnbs[1]
    assert g.gnb_id == 2 and g.ncis == tuple(int(ctx.sim.cell_ids[c]) for c in g.cells)
    assert g.cell_index(g.cgi(2)) == 2 and ctx.gnbs[0].cell_index(g.cgi(2)) is None
    assert ctx.ue_index(ctx.ue_id(7)) == 7 and ctx.ue_index(ctx.ue_id(10**6)) is None


def test_aggregation_rules() -> None:
    assert aggregate_time("PEE.Energy", [1.0, 2.0]) == 3.0
    assert aggregate_time("RRU.PrbUsedDl", [1.0, 3.0]) == 2.0
    assert aggregate_time("RRC.ConnMax", [4.0, 3.0]) == 4.0
    assert aggregate_time("E2SIM.CellState", [0.0, 3.0]) == 3.0
    assert aggregate_cells("RRU.PrbUsedDl", np.array([1.0, 2.0])) == 3.0
    assert aggregate_cells("DRB.UEThpDl", np.array([1.0, 3.0])) == 2.0


def test_granularity_periods_aggregate_the_simulator_periods(ctx: RanContext) -> None:
    agent, ric = _connected(ctx, 0)
    kpm = default_registry().lookup("kpm", "3.00")
    cell = agent.gnb.cgi(0)
    action = ap.RicAction(1, "report", kpm.encode(KpmActionDefinition(1, ActionDefinitionFormat1(
        (MeasurementInfo("PEE.Energy"), MeasurementInfo("RRU.PrbUsedDl"), MeasurementInfo("E2SIM.RlfCount")),
        2000, cell))))
    node_level = ap.RicAction(2, "report", kpm.encode(KpmActionDefinition(1, ActionDefinitionFormat1(
        (MeasurementInfo("RRU.PrbUsedDl"),), 4000))))
    _, pdu = ric.send_subscription_request(3, 2, kpm.encode(KpmEventTrigger(4000)), [action, node_level], 0.0)
    [resp] = agent.receive(pdu, 0.0)
    assert ric.receive(resp, 0.0)[0].admitted == (1, 2)
    sim, periods, out = ctx.sim, [], []
    for _ in range(4):
        sim.step(sim.ticks_per_period)
        periods.append(sim.measurements())
        out += agent.on_period(periods[-1])
    assert len(out) == 2
    inds = [ap.decode(o.pdu) for o in out]
    first = kpm.decode(PayloadKind.INDICATION_MESSAGE, inds[0].message)
    c = agent.gnb.cells[0]
    assert len(first.data) == 2  # two 2 s granules in a 4 s report
    for g, granule in enumerate(first.data):
        ps = periods[2 * g: 2 * g + 2]
        energy, prb, rlf = granule.values
        assert energy == pytest.approx(sum(p.cell["PEE.Energy"][0, c] for p in ps))
        assert prb == pytest.approx(np.mean([p.cell["RRU.PrbUsedDl"][0, c] for p in ps]))
        assert isinstance(rlf, int)
    second = kpm.decode(PayloadKind.INDICATION_MESSAGE, inds[1].message)
    assert second.data[0].values[0] == pytest.approx(
        np.mean([p.cell["RRU.PrbUsedDl"][0, list(agent.gnb.cells)].sum() for p in periods]))


def test_granularity_that_is_not_a_whole_number_of_periods_is_not_admitted(ctx: RanContext) -> None:
    agent, ric = _connected(ctx, 0)
    kpm = default_registry().lookup("kpm", "3.00")
    bad = ap.RicAction(1, "report", kpm.encode(KpmActionDefinition(1, ActionDefinitionFormat1(
        (MeasurementInfo("PEE.Energy"),), 1500))))
    _, pdu = ric.send_subscription_request(3, 2, kpm.encode(KpmEventTrigger(3000)), [bad], 0.0)
    [resp] = agent.receive(pdu, 0.0)
    msg = ap.decode(resp)
    assert isinstance(msg, ap.RicSubscriptionFailure)
    assert msg.cause == ap.Cause("ricRequest", "invalid-information-request")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=0, max_size=300))
def test_fuzz_random_bytes_never_raise(ctx: RanContext, data: bytes) -> None:
    agent, _ = _connected(ctx, 1)
    for reply in agent.receive(data, 1.0):
        assert isinstance(ap.decode(reply), ap.ErrorIndication | ap.RicSubscriptionFailure |
                          ap.RicControlFailure | ap.RicSubscriptionDeleteFailure | ap.RicSubscriptionResponse |
                          ap.RicControlAcknowledge | ap.RicSubscriptionDeleteResponse | ap.ResetResponse)
    assert agent.established


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_corrupted_e2sm_payloads_are_refused_with_a_cause(ctx: RanContext, data: st.DataObject) -> None:
    """Valid E2AP around corrupted E2SM payloads (the decoders behind the agent see hostile bytes)."""
    agent, ric = _connected(ctx, 1)
    kpm = default_registry().lookup("kpm", "2.03")
    trigger = bytearray(kpm.encode(KpmEventTrigger(1000)))
    adef = bytearray(kpm.encode(KpmActionDefinition(1, ActionDefinitionFormat1((MeasurementInfo("PEE.Energy"),),
                                                                               1000))))
    for buf in (trigger, adef):
        for _ in range(data.draw(st.integers(0, 4))):
            if buf:
                buf[data.draw(st.integers(0, len(buf) - 1))] = data.draw(st.integers(0, 255))
    _, pdu = ric.send_subscription_request(4, 147, bytes(trigger), [ap.RicAction(1, "report", bytes(adef))], 0.0)
    [reply] = agent.receive(pdu, 0.0)
    assert isinstance(ap.decode(reply), ap.RicSubscriptionResponse | ap.RicSubscriptionFailure)
    header = data.draw(st.binary(max_size=40))
    message = data.draw(st.binary(max_size=80))
    for family, fid in (("rc", 148), ("ccc", 149)):
        _, pdu = ric.send_control_request(5, fid, header, message, 0.0)
        [reply] = agent.receive(pdu, 0.0)
        msg = ap.decode(reply)
        assert isinstance(msg, ap.RicControlFailure | ap.RicControlAcknowledge), family


def test_cli_lists_gnbs_and_refuses_bad_arguments(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    import yaml

    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(copy.deepcopy(SCENARIO)))
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.main(parser.parse_args(["--scenario", str(path), "--list"])) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and '"vendor": "keystone"' in lines[1]
    assert cli.main(parser.parse_args(["--scenario", str(path), "--ric", "nohostport"])) == 2
    assert cli.main(parser.parse_args(["--scenario", str(path), "--measurement-period-ms", "150"])) == 2
    assert "e2sim" in capsys.readouterr().err
