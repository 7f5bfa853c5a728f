"""A short real training run on a tiny scenario beats a random policy, and exports a servable model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

from ranpilot.features import action_spec, feature_spec
from ranpilot.models import load_model
from training.bench import OnnxCellPolicy, run_episode
from training.common import aggregate_runs, load_config, train_and_export
from training.train_energy import make_score

TINY = str(Path(__file__).with_name("tiny.yaml"))


class RandomPolicy:
    name = "random"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        return self.rng.uniform(-1.0, 1.0, (len(obs), action_spec("energy").size)).astype(np.float32)


@pytest.mark.slow
def test_short_energy_training_beats_random_and_exports(tmp_path: Path) -> None:
    cfg_file = tmp_path / "tiny.yaml"
    cfg_file.write_text(
        f"scenario: {TINY}\nheld_out_scenario: {TINY}\nsteps: 12000\nnum_instances: 8\n"
        "eval_seeds: [1001, 1002]\neval_every: 6000\nn_steps: 24\nbatch_size: 192\nlearning_rate: 0.001\n"
        f"run_dir: {tmp_path / 'runs'}\nmodel_dir: {tmp_path / 'models'}\n"
    )
    cfg = load_config("energy", cfg_file, seed=0)
    summary = train_and_export(cfg, make_score, reproduce="pytest")
    onnx = Path(summary["path"])
    assert onnx.exists() and (tmp_path / "runs" / "energy" / "seed0" / "tb").is_dir()
    assert any((tmp_path / "runs" / "energy" / "seed0" / "checkpoints").glob("model_*.zip"))

    served = load_model(onnx, task="energy", feature_spec=feature_spec("energy"), action_spec=action_spec("energy"))
    seeds = [7, 8, 9]  # neither training (>= 100000) nor evaluation (1001, 1002) seeds
    score = make_score(summary["baselines"])
    # raw (no runtime guardrails): this run trained raw, and the guardrails would hide most of a random
    # policy's damage (on 3 cells at most one may sleep), which is what they are for, not what is tested here
    ai, ai_slices = aggregate_runs(run_episode("energy", TINY, seeds, OnnxCellPolicy("ai", served), guard=False))
    rnd, rnd_slices = aggregate_runs(run_episode("energy", TINY, seeds, RandomPolicy(0), guard=False))
    assert score(ai, ai_slices) > score(rnd, rnd_slices) + 0.1, (ai, rnd)


def _train_es(tmp_path: Path, extra: str) -> dict:
    """A short ES run on TINY (config ``extra`` lines added), artefacts under ``tmp_path``."""
    cfg_file = tmp_path / "es.yaml"
    cfg_file.write_text(
        f"algo: es\nscenario: {TINY}\nheld_out_scenario: {TINY}\neval_seeds: [1001]\naction_bias_init: -1.0\n"
        f"run_dir: {tmp_path / 'runs'}\nmodel_dir: {tmp_path / 'models'}\n{extra}"
    )
    return train_and_export(load_config("energy", cfg_file, seed=0), make_score, reproduce="pytest")


def test_es_trainer_runs_evaluates_and_exports(tmp_path: Path) -> None:
    """--algo es: a population per generation in one batched run, eval on held-out seeds, ONNX export."""
    summary = _train_es(tmp_path, "es_population: 4\nes_generations: 2\nepisode_decisions: 6\n")
    assert summary["card"].algo == "es" and len(summary["best"]["history"]) == 2
    assert sorted(p.name for p in (tmp_path / "runs" / "energy" / "seed0" / "checkpoints").glob("es_mean_*.npy")) \
        == ["es_mean_gen1.npy", "es_mean_gen2.npy"]
    served = load_model(summary["path"], task="energy", feature_spec=feature_spec("energy"))
    assert served.act(np.zeros((5, feature_spec("energy").size), np.float32)).shape == (5, 1)


def test_es_fitness_averages_every_training_scenario(tmp_path: Path) -> None:
    """extra_scenarios: candidates are scored on each training scenario (own cell count, own baselines) and the
    checkpoint score is the mean of the per-scenario scores."""
    second = tmp_path / "tiny7.yaml"
    second.write_text(Path(TINY).read_text().replace("name: tiny", "name: tiny7").replace("num_sites: 1", "num_sites: 7"))
    summary = _train_es(tmp_path, f"extra_scenarios: [{second}]\nes_population: 3\nes_generations: 1\nes_seeds: 1\n"
                                  "episode_decisions: 4\n")
    (entry,) = summary["best"]["history"]
    per = entry["score_per_scenario"]
    assert list(per) == [TINY, str(second)]
    assert entry["score"] == pytest.approx(sum(per.values()) / 2)
