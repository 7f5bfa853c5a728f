"""Scenario files: the shipped ones load; every bad value names its field."""

from __future__ import annotations

import copy

import pytest
import yaml

from e2sim.scenarios import ScenarioError, list_scenarios, load_scenario


def test_shipped_scenarios_load():
    names = list_scenarios()
    for required in ("dense-urban", "dense-urban-b", "umi-small-cells", "highway", "daily-profile"):
        assert required in names
    du = load_scenario("dense-urban")
    assert du.num_cells == 21 and du.layout.isd_m == 500 and du.layout.environment == "UMa"
    assert du.carrier.num_prbs == 51
    assert load_scenario("umi-small-cells").layout.environment == "UMi"
    assert load_scenario("dense-urban-b").num_cells != du.num_cells
    assert load_scenario("daily-profile").profile.hours_per_episode == 24
    assert load_scenario("highway").layout.type == "corridor"


def test_load_by_path(tmp_path, dense_urban_dict):
    p = tmp_path / "mine.yaml"
    p.write_text(yaml.safe_dump(dense_urban_dict))
    assert load_scenario(p).num_cells == 21
    assert load_scenario(str(p)).source == str(p)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("carrier", "bandwidth_mhz"), 19, "carrier.bandwidth_mhz: must be one of"),
        (("carrier", "scs_khz"), 45, "carrier.scs_khz"),
        (("layout", "num_sites"), 5, "layout.num_sites"),
        (("layout", "isd_m"), -1, "layout.isd_m"),
        (("layout", "environment"), "RMa", "layout.environment"),
        (("handover", "ttt_ms"), 50, "handover.ttt_ms"),
        (("handover", "hysteresis_db"), 1.3, "handover.hysteresis_db"),
        (("handover", "cio_db"), 7, "handover.cio_db"),
        (("slices", "urllc", "rrm_policy", "min_ratio"), 2, "slices.urllc.rrm_policy"),
        (("slices", "embb", "sla", "min_rate_mbps"), "fast", "slices.embb.sla.min_rate_mbps"),
        (("traffic", "mmtc", "arrival_rate_hz"), -3, "traffic.mmtc.arrival_rate_hz"),
        (("profile", "hourly"), [1.0] * 23, "profile.hourly"),
        (("mobility", "static"), 0.9, "mobility"),
        (("time", "decision_period_ms"), 150, "time.decision_period_ms"),
        (("power", "preset"), "huge", "power.preset"),
        (("power", "sleep_states", "deep", "transition_ms"), -5, "power.sleep_states.deep.transition_ms"),
        (("carrier", "bandwith_mhz"), 20, "carrier.bandwith_mhz: unknown field"),
        (("vendors",), {}, "vendors: unknown field"),
    ],
)
def test_errors_name_the_field(dense_urban_dict, path, value, field):
    d = copy.deepcopy(dense_urban_dict)
    node = d
    for k in path[:-1]:
        node = node.setdefault(k, {})
    node[path[-1]] = value
    with pytest.raises(ScenarioError) as exc:
        load_scenario(d)
    assert field in str(exc.value)


def test_reserved_e2_section_is_kept_not_validated(dense_urban_dict):
    d = dict(dense_urban_dict, e2={"vendor": "anything", "nested": [1, 2]})
    sc = load_scenario(d)
    assert sc.extra["e2"]["vendor"] == "anything"


def test_unknown_name_and_bad_yaml(tmp_path):
    with pytest.raises(ScenarioError, match="unknown name 'nope'"):
        load_scenario("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text("layout: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(lst)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "missing.yaml")
