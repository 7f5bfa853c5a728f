"""Model registry format: export -> ONNX parity, card contents, and every loader refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ranpilot.models import ModelCard, ModelRejected, card_path_for, load_model  # noqa: E402
from ranpilot.models.export import ExportedActor, write_model  # noqa: E402

FEATURES = {
    "names": ["RRU.PrbUsedDl", "RRC.ConnMean", "DRB.UEThpDl", "PEE.AvgPower"],
    "units": ["%", "UE", "Mbit/s", "W"],
    "offset": [0.0, 0.0, 0.0, 0.0],
    "scale": [100.0, 50.0, 200.0, 1000.0],
    "version": 1,
}
ACTIONS = {"names": ["ratio_embb", "ratio_urllc"], "low": [0.0, 0.0], "high": [1.0, 1.0], "dim": 2}


def _actor(head: str, n_out: int = 2, nvec: list[int] | None = None) -> ExportedActor:
    torch.manual_seed(0)
    body = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.Tanh(), torch.nn.Linear(32, n_out))
    return ExportedActor(body, offset=np.zeros(4), scale=np.asarray(FEATURES["scale"]), head=head,
                         low=np.zeros(2), high=np.ones(2), nvec=nvec, obs_clip=10.0)


def _obs(n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random((n, 4)) * np.asarray(FEATURES["scale"]) * 1.2).astype(np.float32)


@pytest.fixture()
def exported(tmp_path: Path) -> tuple[Path, ExportedActor]:
    actor = _actor("tanh")
    path = tmp_path / "policy.onnx"
    write_model(actor, path, task="slicing", feature_spec=FEATURES, action_spec=ACTIONS,
                reproduce="ranpilot train slicing --seed 0", algo="ppo", parity_obs=_obs(1000))
    return path, actor


@pytest.mark.parametrize("head", ["clip", "tanh"])
def test_parity_onnxruntime_vs_torch_1000_observations(tmp_path: Path, head: str) -> None:
    actor = _actor(head)
    path = tmp_path / "p.onnx"
    card = write_model(actor, path, task="slicing", feature_spec=FEATURES, action_spec=ACTIONS,
                       reproduce="x", parity_obs=_obs(1000))
    assert card.onnx["parity_max_abs_diff"] <= 1e-5
    policy = load_model(path, task="slicing", feature_spec=FEATURES, action_spec=ACTIONS)
    obs = _obs(1000, seed=7)
    with torch.no_grad():
        ref = actor(torch.as_tensor(obs)).numpy()
    got = policy.act(obs)
    assert got.shape == (1000, 2)
    assert np.max(np.abs(ref - got)) <= 1e-5
    assert np.all(got >= 0.0) and np.all(got <= 1.0)  # action head is inside the graph


def test_argmax_head_multidiscrete_and_dynamic_cell_axis(tmp_path: Path) -> None:
    actor = _actor("argmax", n_out=5, nvec=[3, 2])
    path = tmp_path / "d.onnx"
    write_model(actor, path, task="energy", feature_spec=FEATURES, action_spec={"nvec": [3, 2], "dim": 2},
                reproduce="x", parity_obs=_obs(1000))
    policy = load_model(path)
    for n in (1, 7, 57):  # other layouts: the cell axis is dynamic
        obs = _obs(n, seed=n)
        with torch.no_grad():
            ref = actor(torch.as_tensor(obs)).numpy()
        out = policy(obs)
        assert out.shape == (n, 2) and np.array_equal(out, ref)
        assert out[:, 0].max() <= 2 and out[:, 1].max() <= 1
    assert policy.act(np.zeros((0, 4))).shape == (0, 2)


def test_card_contents(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    data = json.loads(card_path_for(path).read_text())
    assert data["task"] == "slicing" and data["algo"] == "ppo"
    assert data["feature_spec"]["names"] == FEATURES["names"] and data["feature_spec"]["fingerprint"]
    assert data["action_spec"]["fingerprint"]
    assert len(data["onnx_sha256"]) == 64 and data["reproduce"].startswith("ranpilot train")
    assert data["onnx"]["opset"] >= 13 and data["created"]


def test_refuses_bad_hash(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(ModelRejected, match="sha256 mismatch"):
        load_model(path)


def test_refuses_announced_hash_mismatch(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    with pytest.raises(ModelRejected, match="announced"):
        load_model(path, expected_sha256="0" * 64)


def test_refuses_wrong_feature_spec_naming_the_difference(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    other = dict(FEATURES, names=["RRU.PrbUsedDl", "RRC.ConnMax", "DRB.UEThpDl", "PEE.AvgPower"])
    with pytest.raises(ModelRejected) as err:
        load_model(path, feature_spec=other)
    assert "feature spec mismatch" in err.value.reason and "RRC.ConnMax" in err.value.reason
    scaled = dict(FEATURES, scale=[100.0, 50.0, 100.0, 1000.0])
    with pytest.raises(ModelRejected, match=r"scale\[2\]"):
        load_model(path, feature_spec=scaled)


def test_refuses_wrong_action_spec_and_task(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    with pytest.raises(ModelRejected, match="action spec mismatch"):
        load_model(path, action_spec=dict(ACTIONS, high=[0.5, 1.0]))
    with pytest.raises(ModelRejected, match="task 'slicing', not 'energy'"):
        load_model(path, task="energy")


def test_refuses_truncated_or_garbage_onnx_even_with_matching_card(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    for blob in (path.read_bytes()[:200], b"\x00garbage" * 10):
        path.write_bytes(blob)
        card = ModelCard.load(card_path_for(path))
        import hashlib

        card.onnx_sha256 = hashlib.sha256(blob).hexdigest()  # an attacker/bug also rewrote the card
        card.save(card_path_for(path))
        with pytest.raises(ModelRejected, match="not a loadable ONNX model"):
            load_model(path)


def test_refuses_missing_or_broken_card(exported: tuple[Path, ExportedActor], tmp_path: Path) -> None:
    path, _ = exported
    lone = tmp_path / "lone" / "policy.onnx"
    lone.parent.mkdir()
    shutil.copy(path, lone)
    with pytest.raises(ModelRejected, match="cannot read model card"):
        load_model(lone)
    card_path_for(lone).write_text("{not json")
    with pytest.raises(ModelRejected, match="not valid JSON"):
        load_model(lone)
    data = json.loads(card_path_for(path).read_text())
    del data["onnx_sha256"]
    card_path_for(lone).write_text(json.dumps(data))
    with pytest.raises(ModelRejected, match="lacks field"):
        load_model(lone)
    with pytest.raises(ModelRejected, match="cannot read model file"):
        load_model(tmp_path / "nope.onnx")


def test_bad_observation_is_a_clear_error(exported: tuple[Path, ExportedActor]) -> None:
    path, _ = exported
    policy = load_model(path)
    with pytest.raises(ValueError, match="not \\(cells, 4\\)"):
        policy.act(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="NaN"):
        policy.act(np.full((2, 4), np.nan))
