"""``ranpilot sim`` smoke tests."""

from __future__ import annotations

import json

from ranpilot.cli import main


def test_sim_cli_table(capsys):
    assert main(["sim", "--scenario", "dense-urban", "--steps", "3"]) == 0
    out = capsys.readouterr().out
    for word in ("dense-urban", "energy", "kbit/J", "embb", "urllc", "mmtc", "handovers"):
        assert word in out


def test_sim_cli_json(capsys):
    assert main(["sim", "--scenario", "highway", "--steps", "2", "--batch", "2", "--seed", "4", "--json"]) == 0
    k = json.loads(capsys.readouterr().out)
    assert k["scenario"] == "highway" and k["batch"] == 2 and k["decision_periods"] == 2
    assert k["energy_j"] > 0 and k["energy_efficiency_bit_per_j"] > 0
    assert set(k["slices"]) == {"embb", "urllc", "mmtc"}


def test_sim_cli_bad_scenario(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("carrier: {bandwidth_mhz: 19}\n")
    assert main(["sim", "--scenario", str(bad), "--steps", "1"]) == 2
    assert "carrier.bandwidth_mhz" in capsys.readouterr().out
    assert main(["sim", "--list"]) == 0
    assert "dense-urban-b" in capsys.readouterr().out
