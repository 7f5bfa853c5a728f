"""``ranpilot bench``: the AI (through the ONNX loader, as an xApp runs it) against every baseline of a task.

All policies see the same scenarios and seeds. The seeds of one scenario run as one batched simulator
(B = number of seeds; a batch equals separately seeded instances), so a policy's episode costs one pass. Per-cell
policies act on the ``(B * C, F)`` feature rows, exactly the rows an xApp builds from KPM reports.

Metric definitions (per episode, whole network; ``per_slice`` restricts to one slice):
- ``energy_kwh``: sum of PEE.Energy over cells and periods / 3.6e6. Per slice: each cell's energy attributed
  by the slice's share of the cell's used PRBs (RRU.PrbUsedDl.SNSSAI / RRU.PrbUsedDl).
- ``ee_bits_per_joule``: DRB.PdcpSduVolumeDL (bits) / energy (TS 28.554 EE = data volume / energy).
- ``sla_violation_rate``: share of UE decision periods in SLA violation: the UE's serving cell missed the SLA
  of the UE's slice (E2SIM.SlaViolation.SNSSAI), or the UE had no serving cell (dropped, radio link failure).
  Per slice: over that slice's UEs. Cell-level shares would let a policy hide violations by emptying cells.
- ``thp_mean_mbps`` / ``thp_p5_mbps``: mean and 5th percentile of per-UE DL throughput (DRB.UEThpDl) over the
  UE-periods in which the UE had data (delivered volume or a non-empty queue), so a UE cut off by a radio-link
  failure counts as 0.
- ``rlf``, ``pingpong``, ``handovers``: counts per episode (E2SIM.RlfCount, E2SIM.PingPongCount,
  MM.HoExeIntraReq + MM.HoExeInterReq). TS 28.552 keeps them per cell, not per S-NSSAI: per slice they are null.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ranpilot.baselines.policies import BASELINES, CellPolicy, make_baseline
from ranpilot.features import SLICE_NAMES, FeatureHistory
from training.report import RunResult, results_document, targets, write_report

REPO = Path(__file__).resolve().parent.parent
TASKS = ("energy", "slicing", "handover")
#: Scenario each task trains on, and the held-out one its benchmark runs by default (the card may override).
TRAIN_SCENARIO = {"energy": "daily-profile", "slicing": "dense-urban", "handover": "highway"}
HELD_OUT_SCENARIO = {"energy": "dense-urban-b", "slicing": "dense-urban-b",
                     "handover": "training/scenarios/highway-b.yaml"}
BASELINE_CONFIG = REPO / "training" / "configs" / "baselines.yaml"
GUARD_CONFIG = REPO / "training" / "configs" / "guardrails.yaml"


def default_model_path(task: str) -> Path:
    return REPO / "models" / task / "policy.onnx"


def baseline_params(task: str) -> dict[str, dict[str, Any]]:
    """Tuned baseline parameters from training/configs/baselines.yaml (``{task: {baseline: {...}}}``)."""
    if not BASELINE_CONFIG.exists():
        return {}
    import yaml

    data = yaml.safe_load(BASELINE_CONFIG.read_text()) or {}
    return {k: v.get("params", {}) for k, v in (data.get(task) or {}).items()}


def guard_config(task: str, path: Path | None = None) -> Any:
    """The runtime guardrail config of ``task``: ``ric.policy.guardrails`` defaults with the overrides of
    training/configs/guardrails.yaml (``{task: {field: value}}``; ``rate`` as a mapping of RateLimits fields)."""
    import yaml

    from ric.policy.guardrails import RateLimits, default_guard_config

    cfg = default_guard_config(task)
    p = path or GUARD_CONFIG
    over = dict(((yaml.safe_load(p.read_text()) or {}) if p.exists() else {}).get(task) or {})
    if "rate" in over:
        over["rate"] = dataclasses.replace(cfg.rate, **over["rate"]) if isinstance(over["rate"], dict) else RateLimits()
    return dataclasses.replace(cfg, **over)


class OnnxCellPolicy:
    """The served model behind the baselines' interface."""

    def __init__(self, name: str, policy: Any) -> None:
        self.name, self.policy = name, policy

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        return self.policy.act(obs)


def resolve_scenario(scenario: str) -> str:
    """A scenario name, a path, or a path relative to the repository (as the configs write them)."""
    if Path(scenario).exists() or not scenario.endswith((".yaml", ".yml")):
        return scenario
    return str(REPO / scenario) if (REPO / scenario).exists() else scenario


def ue_violations(sla_violation: np.ndarray, serving: np.ndarray, ue_slice: np.ndarray) -> np.ndarray:
    """(B, U) bool: the UE's serving cell missed the SLA of the UE's slice, or the UE has no serving cell (a
    sleeping cell's drop, a radio link failure). The mean is ``sla_violation_rate``; cell-level shares would let
    a policy hide violations by emptying the cells that report them. ``sla_violation`` (B, C, K)."""
    B = serving.shape[0]
    flag = sla_violation[np.arange(B)[:, None], np.maximum(serving, 0), ue_slice[None, :]]
    return np.where(serving >= 0, flag, True)


#: Tasks whose policies ``ranpilot bench`` (and training evaluation) run through the runtime guardrails by default
#: (``--guardrails`` / ``--no-guardrails`` override): all of them, because an xApp never serves an unguarded
#: action, its baseline fallback included - the benchmark measures what is served.
GUARDED_BY_DEFAULT = TASKS


class ServedGuardrails:
    """The xApp runtime's guardrails (:mod:`ric.policy.guardrails`, the very code ``PolicyRunner`` runs) between
    a policy and B simulator instances: one stateful :class:`~ric.policy.guardrails.Guardrails` per instance
    (a RAN), fed what the runner feeds it - the decoded action, the spec's KPM measurements of the last period
    (``Guardrails.inputs``), the neighbour relation and the time - and the guarded controls encoded back into
    the task's action space (exact: sleep levels, RRMPolicyRatio whole percents, CIO/hysteresis/TTT value sets).
    """

    def __init__(self, task: str, core: Any, config: Any = None) -> None:
        from ranpilot.baselines.policies import encode_handover, encode_rrm_ratios, encode_sleep
        from ric.policy.guardrails import make_guardrails

        self.task, self.core = task, core
        self.config = config if config is not None else guard_config(task)
        self.cells = [f"cell{i}" for i in range(core.num_cells)]
        self._make = lambda: make_guardrails(task, self.config)
        self.guards = [self._make() for _ in range(core.batch)]
        self._encode = {"energy": lambda c: encode_sleep(c["level"]), "handover": encode_handover,
                        "slicing": encode_rrm_ratios}[task]
        self.interventions: dict[str, int] = {}

    def reset(self, mask: np.ndarray | None = None) -> None:
        """Forget the cells' state in the masked instances (a new episode = a RAN the xApp has not seen)."""
        for b in range(self.core.batch) if mask is None else np.flatnonzero(mask):
            self.guards[b] = self._make()

    def __call__(self, action: np.ndarray) -> np.ndarray:
        """Guard a (B, C, A) action against the instances' last measurement period; returns (B, C, A)."""
        core = self.core
        meas = core.sim.measurements().as_mapping()
        names = core.features.measurements
        decoded = core.actions.decode(np.asarray(action, np.float32))
        out = np.empty_like(np.asarray(action, np.float32))
        for b, guard in enumerate(self.guards):
            per_cell = {n: np.asarray(meas[n])[b] for n in names}
            ctl = {k: np.asarray(v)[b] for k, v in decoded.items()}
            now = float(core.sim.time_s[b])
            res = guard.apply(self.cells, ctl, now, inputs=guard.inputs(per_cell), neighbours=core.sim.neighbours)
            guard.commit(self.cells, res, now)
            for iv in res.interventions:
                self.interventions[iv.rule] = self.interventions.get(iv.rule, 0) + 1
            out[b] = self._encode(res.controls)
        return out


def run_episode(task: str, scenario: str, seeds: list[int], policy: CellPolicy,
                steps: int | None = None, name: str | None = None, guard: bool | None = None) -> list[RunResult]:
    """One episode of ``policy`` on ``scenario`` for every seed (batched); one RunResult per seed. With ``guard``
    (default: the task is in GUARDED_BY_DEFAULT) every action passes the xApp runtime's guardrails
    (:class:`ServedGuardrails`) before the simulator sees it - the model's and the baselines' alike, as in
    ``PolicyRunner`` (the baseline is the xApp's fallback and is guarded there too)."""
    from e2sim.envs.core import TaskCore

    core = TaskCore(task, resolve_scenario(scenario), batch=len(seeds), seed=seeds[0], episode_decisions=steps)
    guardrails = ServedGuardrails(task, core) if (task in GUARDED_BY_DEFAULT if guard is None else guard) else None
    sim, sc = core.sim, core.scenario
    B, C, K = len(seeds), core.num_cells, len(SLICE_NAMES)
    obs = core.reset(seed=list(seeds))  # nothing measured yet: the spec's features of an empty period
    history = FeatureHistory(core.features) if core.features.stateful else None  # as the xApp keeps it
    policy.reset()
    acc = {k: np.zeros(B) for k in ("energy", "bits", "rlf", "pp", "ho")}
    s_energy, s_bits = np.zeros((B, K)), np.zeros((B, K))
    s_viol, s_den = np.zeros((B, K)), np.zeros((B, K))
    samples: list[list[list[np.ndarray]]] = [[[] for _ in range(K)] for _ in range(B)]
    power: list[np.ndarray] = []
    hours: list[float] = []
    prof = sc.profile
    for t in range(core.episode_decisions):
        action = policy.act(obs.reshape(B * C, -1)).reshape(B, C, -1)
        if guardrails is not None:
            action = guardrails(action)
        obs, _, _, info = core.step(action)
        meas = sim.measurements()
        if history is not None:
            obs = history.build(meas.as_mapping(), sim.neighbours)
        cell_e = meas.cell["PEE.Energy"]  # (B, C) J
        acc["energy"] += info["energy_j"]
        acc["bits"] += info["bits"]
        acc["rlf"] += info["rlf"]
        acc["pp"] += info["ping_pong"]
        acc["ho"] += info["handovers"]
        used = meas.slice["RRU.PrbUsedDl.SNSSAI"]
        share = np.where(used.sum(-1, keepdims=True) > 0, used / np.maximum(used.sum(-1, keepdims=True), 1e-12),
                         1.0 / K)
        s_energy += (cell_e[..., None] * share).sum(1)
        s_bits += meas.slice["DRB.PdcpSduVolumeDL.SNSSAI"].sum(1) * 1e6
        # UE-weighted: a UE-period violates when its serving cell missed the UE's slice SLA, or when the UE
        # has no serving cell (dropped by a sleeping cell, radio link failure): switching cells off can't
        # hide violations by emptying the cells that would report them.
        ue_viol = ue_violations(info["sla_violation"], meas.ue["E2SIM.ServingCell"].astype(np.int64), sim.ue_slice)
        for k in range(K):
            in_k = sim.ue_slice == k
            s_viol[:, k] += ue_viol[:, in_k].sum(1)
            s_den[:, k] += in_k.sum()
        thp = meas.ue["DRB.UEThpDl"] / 1e3  # Mbit/s
        had_data = (meas.ue["DRB.PdcpSduVolumeDL"] > 0) | (sim.queue > 0)
        for b in range(B):
            for k in range(K):
                samples[b][k].append(thp[b][had_data[b] & (sim.ue_slice == k)])
        power.append(info["energy_j"] / sim.period_s)
        hours.append(float((prof.start_hour + (t + 1) / core.episode_decisions * prof.hours_per_episode) % 24)
                     if prof.hours_per_episode > 0 else float(prof.start_hour))
    out = []
    for b, seed in enumerate(seeds):
        per_slice: dict[str, dict[str, float]] = {}
        all_thp = np.concatenate([np.concatenate(samples[b][k]) for k in range(K)])
        for k, sl in enumerate(SLICE_NAMES):
            x = np.concatenate(samples[b][k])
            per_slice[sl] = {
                "energy_kwh": s_energy[b, k] / 3.6e6,
                "ee_bits_per_joule": s_bits[b, k] / max(s_energy[b, k], 1e-9),
                "sla_violation_rate": s_viol[b, k] / max(s_den[b, k], 1.0),
                "thp_mean_mbps": float(x.mean()) if x.size else math.nan,
                "thp_p5_mbps": float(np.percentile(x, 5)) if x.size else math.nan,
                "rlf": math.nan, "pingpong": math.nan, "handovers": math.nan,
            }
        metrics = {
            "energy_kwh": acc["energy"][b] / 3.6e6,
            "ee_bits_per_joule": acc["bits"][b] / max(acc["energy"][b], 1e-9),
            "sla_violation_rate": s_viol[b].sum() / max(s_den[b].sum(), 1.0),
            "thp_mean_mbps": float(all_thp.mean()) if all_thp.size else math.nan,
            "thp_p5_mbps": float(np.percentile(all_thp, 5)) if all_thp.size else math.nan,
            "rlf": float(acc["rlf"][b]), "pingpong": float(acc["pp"][b]), "handovers": float(acc["ho"][b]),
        }
        slice_samples = {sl: np.concatenate(samples[b][k]).round(4).tolist() for k, sl in enumerate(SLICE_NAMES)}
        out.append(RunResult(policy=name or policy.name, scenario=sc.name, seed=int(seed),
                             metrics={k: float(v) for k, v in metrics.items()},
                             per_slice={s: {k: float(v) for k, v in m.items()} for s, m in per_slice.items()},
                             hours=hours, power_w=[float(p[b]) for p in power], slice_thp_samples=slice_samples))
    return out


def policies_for(task: str, model: Path | None) -> dict[str, Callable[[], CellPolicy]]:
    """``ai`` (when a model is given) plus every baseline of ``task``, with tuned parameters."""
    out: dict[str, Callable[[], CellPolicy]] = {}
    if model is not None:
        from ranpilot.features import action_spec, feature_spec
        from ranpilot.models import load_model

        served = load_model(model, task=task, feature_spec=feature_spec(task), action_spec=action_spec(task))
        out["ai"] = lambda: OnnxCellPolicy("ai", served)
    params = baseline_params(task)
    for name in BASELINES[task]:
        out[name] = lambda name=name: make_baseline(task, name, params.get(name))
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, choices=TASKS)
    parser.add_argument("--scenario", nargs="+", default=None, metavar="FILE|NAME",
                        help="scenario names or YAML files (default: the task's held-out scenario)")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated evaluation seeds (default 1,2,3)")
    parser.add_argument("--model", type=Path, default=None,
                        help="ONNX model (default models/<task>/policy.onnx); 'none' runs baselines only")
    parser.add_argument("--steps", type=int, default=None, help="decisions per episode (default: the scenario's)")
    parser.add_argument("--guardrails", dest="guardrails", action="store_true", default=None,
                        help="pass every policy's actions through the xApp runtime's guardrails "
                             "(ric.policy.guardrails, default config; default for: " + ", ".join(GUARDED_BY_DEFAULT)
                             + ")")
    parser.add_argument("--no-guardrails", dest="guardrails", action="store_false",
                        help="run the policies raw, as nothing in production does")
    parser.add_argument("--out", type=Path, required=True, help="output directory")


def main(args: argparse.Namespace) -> int:
    from ranpilot.models import ModelRejected

    task: str = args.task
    try:
        seeds = [int(s) for s in str(args.seeds).split(",") if s.strip()]
    except ValueError:
        print(f"ranpilot bench: --seeds must be comma-separated integers, got {args.seeds!r}", file=sys.stderr)
        return 2
    model: Path | None = args.model if args.model is not None else default_model_path(task)
    if model is not None and str(model) == "none":
        model = None
    scenarios = args.scenario or [_held_out(task, model)]
    try:
        factories = policies_for(task, model)
    except ModelRejected as exc:
        print(f"ranpilot bench: {exc}", file=sys.stderr)
        return 2
    runs: list[RunResult] = []
    t0 = time.time()
    for scen in scenarios:
        for name, make in factories.items():
            runs += run_episode(task, scen, seeds, make(), steps=args.steps, name=name, guard=args.guardrails)
            print(f"  {scen}: {name} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    names = list(dict.fromkeys(r.scenario for r in runs))
    guarded = task in GUARDED_BY_DEFAULT if args.guardrails is None else args.guardrails
    guard_doc = ({"applied_to": sorted(factories), "code": "ric.policy.guardrails",
                  "config": dataclasses.asdict(guard_config(task))} if guarded else None)
    doc = results_document(task, names, seeds, runs,
                           extra={"model": str(model) if model else None, "scenario_files": scenarios,
                                  "guardrails": guard_doc})
    doc = _nan_to_none(doc)
    command = "ranpilot bench " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if len(sys.argv) > 2 else "ranpilot bench"
    write_report(args.out, doc, runs, command)
    for t, v, ok in targets(task, doc):
        print(f"{'PASS' if ok else 'MISS'}  {t}: {v}")
    print(f"wrote {args.out / 'results.json'} and report.md ({time.time() - t0:.0f} s)")
    return 0


def _held_out(task: str, model: Path | None) -> str:
    if model is not None:
        card = model.with_name(model.stem + ".card.json")
        try:
            held = json.loads(card.read_text()).get("scenarios", {}).get("held_out")
            if held:
                return str(held)
        except (OSError, ValueError):
            pass
    return HELD_OUT_SCENARIO[task]


def _nan_to_none(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return x
