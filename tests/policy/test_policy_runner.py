"""PolicyRunner: the committed energy model through the runner, and a fallback for every cause."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from policy_helpers import ENERGY_MODEL, constant_model, copy_model, sim_measurements, write_card

from ranpilot.features import feature_spec
from ranpilot.models import load_model
from ric.policy import (
    CellTable,
    LoadedModel,
    ModelRef,
    ModelSwapper,
    PolicyRunner,
    RunnerConfig,
    policy_metrics,
)


@pytest.fixture(scope="module")
def meas() -> tuple[dict[str, np.ndarray], np.ndarray]:
    return sim_measurements()


def cells_of(per: dict[str, np.ndarray]) -> list[str]:
    return [f"gnb_1|001-01/{i:09x}" for i in range(per["RRU.PrbTotDl"].shape[0])]


def served(runner: PolicyRunner, path: Path, **kw: object) -> PolicyRunner:
    out = ModelSwapper(runner, **kw).request(ModelRef(str(path))).result(30)
    assert out.ok, out.reason
    return runner


def test_real_energy_model_serves_57_cells(meas):
    per, nb = meas
    cells = cells_of(per)
    assert len(cells) == 57  # dense-urban-b, the held-out layout
    runner = served(PolicyRunner("energy"), ENERGY_MODEL)
    d = runner.decide(per, cells, nb, now=100.0)
    assert d.source == "model" and d.reasons == []
    assert d.model_version == runner.version and d.model_version.startswith("energy-")
    # the action is exactly the model's on the features the spec builds (cells as batch)
    policy = load_model(ENERGY_MODEL)
    want = policy.act(feature_spec("energy").build(per, nb))
    np.testing.assert_allclose(d.action, want, atol=1e-6)
    assert d.controls["level"].shape == (57,) and set(np.unique(d.controls["level"])) <= {0, 1, 2, 3, 4}
    assert d.changed.all()  # first decision: every cell's state was unknown
    d2 = runner.decide(per, cells, nb, now=101.0)
    assert d2.source == "model" and not d2.changed.any()  # same inputs -> same controls, nothing to send


def test_no_model_serves_baseline_and_counts(meas):
    per, nb = meas
    m = policy_metrics(None)
    runner = PolicyRunner("energy", metrics=m)
    d = runner.decide(per, cells_of(per), nb, now=1.0)
    assert d.source == "baseline" and d.reasons == ["no_model"]
    assert m.fallbacks.labels("policy", "no_model")._value.get() == 1
    assert m.decisions.labels("policy", "baseline")._value.get() == 1


@pytest.mark.parametrize("breakage", ["corrupt", "wrong_sha", "spec_mismatch", "truncated"])
def test_model_rejected_at_load_falls_back(meas, tmp_path, breakage):
    per, nb = meas
    path = copy_model(tmp_path)
    if breakage == "corrupt":  # garbage bytes whose card vouches for them: not loadable ONNX
        path.write_bytes(b"\x08\x07garbage" * 100)
        write_card(path)
    elif breakage == "wrong_sha":
        write_card(path, sha256="0" * 64)
    elif breakage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:  # a card whose feature spec is another task's (names/fingerprint differ)
        write_card(path, task="energy")
        import json
        card = json.loads(path.with_name("policy.card.json").read_text())
        card["feature_spec"] = json.loads(json.dumps(card["feature_spec"]).replace("RRC.ConnMean", "RRC.ConnMax"))
        card["feature_spec"]["fingerprint"] = "f" * 64
        path.with_name("policy.card.json").write_text(json.dumps(card))
    runner = PolicyRunner("energy")
    out = ModelSwapper(runner).request(ModelRef(str(path))).result(30)
    assert not out.ok and out.reason
    d = runner.decide(per, cells_of(per), nb, now=1.0)
    assert d.source == "baseline" and d.reasons == ["model_rejected"]
    assert d.detail == out.reason


@pytest.mark.parametrize(("value", "reason"), [(float("nan"), "nonfinite_output"), (5.0, "out_of_space")])
def test_bad_model_output_falls_back(meas, tmp_path, value, reason):
    per, nb = meas
    runner = served(PolicyRunner("energy"), constant_model(tmp_path / "m.onnx", value))
    d = runner.decide(per, cells_of(per), nb, now=1.0)
    assert d.source == "baseline" and d.reasons == [reason]
    assert np.all(np.isfinite(d.action)) and np.all(np.abs(d.action) <= 1.0)


def test_inference_exception_falls_back(meas):
    class Broken:  # stands in for an onnxruntime session that fails at run time (cannot be provoked reliably)
        def act(self, obs):
            raise RuntimeError("ORT: bad allocation")

    per, nb = meas
    runner = PolicyRunner("energy")
    runner.set_model(LoadedModel(Broken(), "broken"))
    d = runner.decide(per, cells_of(per), nb, now=1.0)
    assert d.source == "baseline" and d.reasons == ["inference_error"] and "bad allocation" in d.detail


def test_missing_cell_and_feature_fall_back_and_hold(meas):
    per, nb = meas
    cells = cells_of(per)
    runner = served(PolicyRunner("energy"), ENERGY_MODEL)
    assert runner.decide(per, cells, nb, now=0.0).source == "model"
    holed = dict(per)
    holed["RRU.PrbTotDl"] = per["RRU.PrbTotDl"].copy()
    holed["RRU.PrbTotDl"][5] = np.nan  # one cell did not report its PRB usage
    d = runner.decide(holed, cells, nb, now=10.0)
    assert d.source == "baseline" and d.reasons == ["incomplete_measurements"] and "RRU.PrbTotDl" in d.detail
    no_feature = {k: v for k, v in per.items() if k != "PEE.AvgPower"}
    d = runner.decide(no_feature, cells, nb, now=20.0)
    assert d.reasons == ["incomplete_measurements"]
    assert runner.decide(per, cells, nb, now=30.0).source == "model"  # back once complete


def test_cell_table_missing_and_stale(meas):
    per, nb = meas

    class Row:
        def __init__(self, cell, name, value):
            self.node, self.cell, self.ue, self.slice, self.measurement, self.value = "n1", cell, None, None, name, value

    spec = feature_spec("energy")
    table = CellTable(spec)
    names = [f"001-01/{i:09x}" for i in range(3)]
    table.add([Row(c, m, float(per[m][i])) for i, c in enumerate(names) for m in spec.measurements], now=100.0)
    table.add([Row(names[0], "RRU.PrbTotDl", 50.0)], now=104.0)
    keys = [f"n1|{c}" for c in names] + ["n1|001-01/0000000ff"]  # the last one never reported
    snap = table.snapshot(keys, now=104.5, max_age_s=3.0)
    assert set(snap.missing) == {keys[3]}
    assert set(snap.stale) == set(keys[:3])  # cell 0's oldest needed value is still 4.5 s old
    assert snap.arrays["RRU.PrbTotDl"][0] == 50.0 and np.isnan(snap.arrays["RRU.PrbTotDl"][3])
    runner = served(PolicyRunner("energy", RunnerConfig(max_age_s=3.0)), ENERGY_MODEL)
    d = runner.decide_snapshot(snap, np.zeros((4, 4), bool), now=104.5)
    assert d.source == "baseline" and d.reasons == ["incomplete_measurements", "stale_measurements"]
    assert not d.changed[3]  # never-seen cell without data: nothing is sent for it
    fresh = table.snapshot(keys[:3], now=100.5, max_age_s=3.0)
    assert runner.decide_snapshot(fresh, np.zeros((3, 3), bool), now=100.5).source == "model"


def test_fallback_logged_once_per_cause_change(meas, caplog):
    per, nb = meas
    cells = cells_of(per)
    runner = PolicyRunner("energy")
    holed = {k: v for k, v in per.items() if k != "DRB.UEThpDl"}
    with caplog.at_level(logging.INFO, logger="ric.policy"):
        for t in range(5):
            runner.decide(per, cells, nb, now=float(t))
        for t in range(5, 8):
            runner.decide(holed, cells, nb, now=float(t))
        served(runner, ENERGY_MODEL)
        for t in range(8, 12):
            runner.decide(per, cells, nb, now=float(t))
    msgs = [r.getMessage() for r in caplog.records if r.name == "ric.policy"]
    assert sum("serving baseline" in m for m in msgs) == 2  # no_model, then no_model+incomplete
    assert sum("serving again" in m for m in msgs) == 1
    assert runner.metrics.fallbacks.labels("policy", "no_model")._value.get() == 8


@pytest.mark.parametrize("task", ["slicing", "handover"])
def test_other_tasks_models_and_baselines_through_the_runner(meas, task):
    per, nb = meas
    cells = cells_of(per)
    runner = served(PolicyRunner(task), ENERGY_MODEL.parents[1] / task / "policy.onnx")
    d = runner.decide(per, cells, nb, now=0.0)
    assert d.source == "model" and d.reasons == []
    fallback = PolicyRunner(task).decide(per, cells, nb, now=0.0)
    for decision in (d, fallback):
        c = decision.controls
        if task == "slicing":  # TS 28.541 ratios and the URLLC floor hold for the model and the baseline
            assert c["min_ratio"].sum(axis=1).max() <= 100 and c["min_ratio"][:, 1].min() >= 10
            assert np.all(c["dedicated_ratio"] <= c["min_ratio"]) and np.all(c["min_ratio"] <= c["max_ratio"])
        else:  # value sets and bounds
            from ranpilot.features import CIO_VALUES_DB, TTT_VALUES_MS
            assert set(c["cio_db"]) <= set(CIO_VALUES_DB) and np.abs(c["cio_db"]).max() <= 6
            assert set(c["ttt_ms"]) <= set(TTT_VALUES_MS) and np.all(np.mod(c["hysteresis_db"], 0.5) == 0)
