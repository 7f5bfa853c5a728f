"""``ranpilot bench`` on a tiny scenario with 2 seeds: results.json follows the issue's schema, report + plots."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

pytest.importorskip("stable_baselines3")

from stable_baselines3 import PPO

from e2sim.envs.sb3 import PerCellVecEnv
from ranpilot.cli import main as cli_main
from ranpilot.features import action_spec, feature_spec
from ranpilot.models.export import write_model
from training.report import METRICS, SLICES, results_schema
from training.sb3_export import actor_from_sb3

TINY = str(Path(__file__).with_name("tiny.yaml"))


def _untrained_model(task: str, path: Path) -> Path:
    """An (untrained) PPO actor exported like a real one: the bench must not care how good it is."""
    env = PerCellVecEnv(task, TINY, num_instances=1, seed=0)
    model = PPO("MlpPolicy", env, seed=0, device="cpu", n_steps=8, batch_size=8,
                policy_kwargs={"net_arch": [8]})
    n = feature_spec(task).size
    import numpy as np

    actor = actor_from_sb3(model, np.zeros(n, np.float32), np.ones(n, np.float32), obs_clip=10.0)
    write_model(actor, path, task=task, feature_spec=feature_spec(task), action_spec=action_spec(task),
                reproduce="pytest")
    return path


@pytest.mark.parametrize("task", ["energy", "slicing", "handover"])
def test_bench_writes_schema_valid_results_report_and_plots(tmp_path: Path, task: str) -> None:
    model = _untrained_model(task, tmp_path / "m" / "policy.onnx")
    out = tmp_path / "out"
    rc = cli_main(["bench", "--task", task, "--scenario", TINY, "--seeds", "1,2", "--steps", "4",
                   "--model", str(model), "--out", str(out)])
    assert rc == 0
    doc = json.loads((out / "results.json").read_text())
    expected = {"energy": ["ai", "always_on", "threshold"], "slicing": ["ai", "static", "proportional"],
                "handover": ["ai", "set1", "set5", "mro"]}[task]
    jsonschema.validate(doc, results_schema(task, expected))
    assert list(doc["policies"]) == expected and doc["seeds"] == [1, 2] and doc["scenarios"] == ["tiny"]
    for name in expected:
        m = doc["policies"][name]
        assert m["energy_kwh"]["mean"] > 0 and m["energy_kwh"]["ci95"] >= 0
        assert 0.0 <= m["sla_violation_rate"]["mean"] <= 1.0
        assert set(m["per_slice"]) == set(SLICES) and set(METRICS) <= set(m["per_slice"]["embb"])
        assert m["per_slice"]["urllc"]["rlf"]["mean"] is None  # TS 28.552 counts RLF per cell, not per slice
    report = (out / "report.md").read_text()
    assert "| ai |" in report and "## Targets" in report
    for png in ("power_over_day", "ee_vs_qos", "slice_throughput_cdf", "handover_failures"):
        assert (out / f"{png}.png").stat().st_size > 1000


def test_bench_refuses_a_model_for_another_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _untrained_model("energy", tmp_path / "m" / "policy.onnx")
    rc = cli_main(["bench", "--task", "slicing", "--scenario", TINY, "--seeds", "1", "--steps", "2",
                   "--model", str(model), "--out", str(tmp_path / "o")])
    assert rc == 2 and "task 'energy', not 'slicing'" in capsys.readouterr().err
