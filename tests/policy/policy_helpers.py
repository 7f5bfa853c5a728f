"""Shared helpers of the policy-serving tests: simulator measurements and hand-built ONNX models with cards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from ranpilot.features import action_spec, feature_spec
from ranpilot.models import sha256_file, spec_to_dict

REPO = Path(__file__).resolve().parents[2]
ENERGY_MODEL = REPO / "models" / "energy" / "policy.onnx"


def sim_measurements(scenario: str = "dense-urban-b", ticks: int = 30, seed: int = 1
                     ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-cell arrays (FeatureSpec.build convention) of one closed measurement period + the neighbour matrix."""
    from e2sim.scenarios import load_scenario
    from e2sim.sim import RanSimulator

    sim = RanSimulator(load_scenario(scenario), batch=1, seed=seed)
    sim.step(ticks)
    m = sim.measurements()
    per = {k: v[0] for k, v in m.cell.items()}
    per.update({k: v[0] for k, v in m.slice.items()})
    return per, np.asarray(sim.neighbours, dtype=bool)


def copy_model(dst_dir: Path, src: Path = ENERGY_MODEL) -> Path:
    """Copy an .onnx and its card into ``dst_dir``; returns the new .onnx path."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    out = dst_dir / src.name
    shutil.copyfile(src, out)
    shutil.copyfile(src.with_name(src.stem + ".card.json"), dst_dir / (src.stem + ".card.json"))
    return out


def write_card(onnx_path: Path, *, task: str = "energy", sha256: str | None = None) -> Path:
    """A card for ``onnx_path``: the committed energy card with this task's specs and the file's sha256."""
    card = json.loads(ENERGY_MODEL.with_name("policy.card.json").read_text())
    fs, acts = feature_spec(task), action_spec(task)
    card["task"] = task
    card["feature_spec"] = spec_to_dict(fs)
    card["action_spec"] = spec_to_dict(acts)
    card["onnx_sha256"] = sha256 or sha256_file(onnx_path)
    path = onnx_path.with_name(onnx_path.stem + ".card.json")
    path.write_text(json.dumps(card))
    return path


def constant_model(path: Path, value: float, *, task: str = "energy") -> Path:
    """An ONNX policy (built with onnx.helper) whose action is ``value`` for every cell: features @ 0 + value.
    ``value`` NaN gives a model that outputs NaN; 5.0 one that leaves the action space."""
    import onnx
    from onnx import TensorProto, helper

    f, a = feature_spec(task).size, action_spec(task).size
    w = helper.make_tensor("w", TensorProto.FLOAT, [f, a], np.zeros(f * a, np.float32).tolist())
    b = helper.make_tensor("b", TensorProto.FLOAT, [a], [float(value)] * a)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["features", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["action"])],
        "constant_policy",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["cells", f])],
        [helper.make_tensor_value_info("action", TensorProto.FLOAT, ["cells", a])],
        initializer=[w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    write_card(path, task=task)
    return path
