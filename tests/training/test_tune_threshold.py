"""The threshold tuner: grid search on training scenarios under an SLA limit, written to the baselines file."""

from __future__ import annotations

from pathlib import Path

import yaml

import training.tune_threshold as tune

TINY = str(Path(__file__).with_name("tiny.yaml"))


def test_tuner_picks_the_least_energy_within_the_sla_limit_on_every_scenario(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "baselines.yaml"
    out.write_text("slicing: {proportional: {params: {window: 3}}}\n")  # other tasks' entries are kept
    monkeypatch.setattr(tune, "BASELINE_CONFIG", out)
    monkeypatch.setattr(tune, "GRID", {"sleep_load": [0.0, 0.9], "wake_load": [0.95], "dwell_steps": [1],
                                       "sleep_level": [3], "max_sleep_fraction": [0.5]})
    second = tmp_path / "tiny2.yaml"
    second.write_text(Path(TINY).read_text().replace("name: tiny", "name: tiny2"))
    monkeypatch.setattr(tune, "SLA_MARGIN", 1.0)  # any SLA passes: the least energy wins (sleeping at 90 % load)
    assert tune.main(["--scenario", TINY, str(second), "--seeds", "1"]) == 0
    doc = yaml.safe_load(out.read_text())
    th = doc["energy"]["threshold"]
    assert th["params"]["sleep_load"] == 0.9 and th["result"]["energy_vs_always_on"] < 1.0
    assert set(th["result"]["per_scenario"]) == {TINY, str(second)} and th["result"]["grid_points"] == 2
    assert doc["slicing"] == {"proportional": {"params": {"window": 3}}}
    monkeypatch.setattr(tune, "SLA_MARGIN", -1.0)  # nothing passes: the least SLA excess wins (never sleeping)
    assert tune.main(["--scenario", TINY, "--seeds", "1"]) == 0
    assert yaml.safe_load(out.read_text())["energy"]["threshold"]["params"]["sleep_load"] == 0.0
