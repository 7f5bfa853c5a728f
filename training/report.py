"""Benchmark statistics, results.json, report.md and plots: everything after the episodes have run.

Input per (policy, scenario, seed) is one :class:`RunResult`; :func:`aggregate` turns a policy's runs into
``{"mean", "ci95"}`` per metric (Student-t 95 % half-width over the seeds; the scenarios' runs of one seed are
averaged first, so n = number of seeds), which is the ``results.json`` schema of the benchmark issue.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

METRICS = ("energy_kwh", "ee_bits_per_joule", "sla_violation_rate", "thp_mean_mbps", "thp_p5_mbps",
           "rlf", "pingpong", "handovers")
SLICES = ("embb", "urllc", "mmtc")


@dataclass
class RunResult:
    """One policy on one scenario and seed."""

    policy: str
    scenario: str
    seed: int
    metrics: dict[str, float]
    per_slice: dict[str, dict[str, float]]
    hours: list[float] = field(default_factory=list)  # time of day of each step (h)
    power_w: list[float] = field(default_factory=list)  # network input power at each step (W)
    slice_thp_samples: dict[str, list[float]] = field(default_factory=dict)  # per-UE-step Mbit/s samples


def ci95(values: list[float]) -> float:
    """Half-width of the Student-t 95 % confidence interval of the mean (0 for fewer than two values)."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    if x.size < 2:
        return 0.0
    from scipy.stats import t

    return float(t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


def _stat(values: list[float]) -> dict[str, float]:
    x = [v for v in values if v is not None and math.isfinite(v)]
    return {"mean": float(np.mean(x)) if x else float("nan"), "ci95": ci95(x)}


def aggregate(runs: list[RunResult]) -> dict[str, Any]:
    """METRICS -> {mean, ci95} over seeds (scenarios averaged within a seed), plus ``per_slice``."""
    seeds = sorted({r.seed for r in runs})

    def by_seed(get) -> list[float]:
        return [float(np.mean([get(r) for r in runs if r.seed == s])) for s in seeds]

    out: dict[str, Any] = {m: _stat(by_seed(lambda r, m=m: r.metrics[m])) for m in METRICS}
    out["per_slice"] = {
        sl: {m: _stat(by_seed(lambda r, m=m, sl=sl: r.per_slice.get(sl, {}).get(m, float("nan"))))
             for m in METRICS}
        for sl in SLICES
    }
    return out


def results_document(task: str, scenarios: list[str], seeds: list[int], runs: list[RunResult],
                     extra: dict[str, Any] | None = None) -> dict[str, Any]:
    policies = list(dict.fromkeys(r.policy for r in runs))
    doc: dict[str, Any] = {
        "task": task, "scenarios": scenarios, "seeds": seeds,
        "policies": {p: aggregate([r for r in runs if r.policy == p]) for p in policies},
    }
    if extra:
        doc.update(extra)
    return doc


def _fmt(stat: dict[str, float], digits: int = 3) -> str:
    m, c = stat["mean"], stat["ci95"]
    if m is None or not math.isfinite(m):
        return "n/a"
    return f"{m:.{digits}g} ± {c:.2g}"


def targets(task: str, doc: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The issue's targets for ``task`` evaluated on ``doc``: (target, measured, met)."""
    pol = doc["policies"]
    ai = pol.get("ai")
    if ai is None:
        return []
    mean = lambda p, m: pol[p][m]["mean"]  # noqa: E731
    rows: list[tuple[str, str, bool]] = []
    if task == "energy":
        r_on = mean("ai", "energy_kwh") / mean("always_on", "energy_kwh")
        r_th = mean("ai", "energy_kwh") / mean("threshold", "energy_kwh")
        d_sla = 100 * (mean("ai", "sla_violation_rate") - mean("threshold", "sla_violation_rate"))
        rows += [("energy <= 0.75 x always_on", f"{r_on:.3f} x", r_on <= 0.75),
                 ("energy <= 0.90 x threshold", f"{r_th:.3f} x", r_th <= 0.90),
                 ("SLA violation <= threshold + 0.5 pp", f"{d_sla:+.2f} pp", d_sla <= 0.5)]
    elif task == "slicing":
        urllc = ai["per_slice"]["urllc"]["sla_violation_rate"]["mean"]
        ratio = ai["per_slice"]["embb"]["thp_mean_mbps"]["mean"] / pol["static"]["per_slice"]["embb"][
            "thp_mean_mbps"]["mean"]
        rows += [("URLLC SLA violations <= 1 % of periods", f"{100 * urllc:.2f} %", urllc <= 0.01),
                 ("eMBB mean throughput >= 1.10 x static", f"{ratio:.3f} x", ratio >= 1.10)]
    elif task == "handover":
        fail = (mean("ai", "rlf") + mean("ai", "pingpong")) / max(mean("set1", "rlf") + mean("set1", "pingpong"),
                                                                  1e-9)
        thp = mean("ai", "thp_mean_mbps") / mean("set1", "thp_mean_mbps")
        rows += [("RLF + ping-pong <= 0.7 x set1", f"{fail:.3f} x", fail <= 0.7),
                 ("mean throughput >= 0.98 x set1", f"{thp:.3f} x", thp >= 0.98)]
    return rows


def write_report(out: Path, doc: dict[str, Any], runs: list[RunResult], command: str) -> list[Path]:
    """results.json, report.md and the PNG plots into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.json"]
    written[0].write_text(json.dumps(doc, indent=2) + "\n")
    written += _plots(out, doc, runs)
    lines = [f"# ranpilot benchmark: {doc['task']}", "",
             f"Scenarios: {', '.join(doc['scenarios'])}; seeds: {', '.join(map(str, doc['seeds']))}.", "",
             f"Reproduce: `{command}`", "",
             *([f"Every policy's actions passed the xApp runtime's guardrails ({g['code']}): "
                + ", ".join(f"{k}={v}" for k, v in g["config"].items()), ""] if (g := doc.get("guardrails")) else
               ["Policies ran raw (no guardrails).", ""]),
             "Mean ± 95 % CI half-width over seeds.", "",
             "| policy | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for name, m in doc["policies"].items():
        lines.append(f"| {name} | " + " | ".join(_fmt(m[k]) for k in METRICS) + " |")
    lines += ["", "## Per slice", ""]
    for sl in SLICES:
        lines += [f"### {sl}", "", "| policy | thp_mean_mbps | thp_p5_mbps | sla_violation_rate |", "|---|---|---|---|"]
        for name, m in doc["policies"].items():
            s = m["per_slice"][sl]
            lines.append(f"| {name} | {_fmt(s['thp_mean_mbps'])} | {_fmt(s['thp_p5_mbps'])} | "
                         f"{_fmt(s['sla_violation_rate'])} |")
        lines.append("")
    rows = targets(doc["task"], doc)
    if rows:
        lines += ["## Targets (issue 3)", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {t} | {v} | {'yes' if ok else 'NO'} |" for t, v, ok in rows]
        lines.append("")
    lines += ["## Plots", ""] + [f"![{p.stem}]({p.name})" for p in written if p.suffix == ".png"]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return [*written, out / "report.md"]


def _plots(out: Path, doc: dict[str, Any], runs: list[RunResult]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    policies = list(doc["policies"])
    files: list[Path] = []

    fig, ax = plt.subplots(figsize=(7, 4))
    scen = doc["scenarios"][0]
    for p in policies:
        rs = [r for r in runs if r.policy == p and r.scenario == scen and r.power_w]
        if not rs:
            continue
        n = min(len(r.power_w) for r in rs)
        ax.plot(rs[0].hours[:n], np.mean([r.power_w[:n] for r in rs], axis=0) / 1e3, label=p)
    ax.set(xlabel="time of day (h)", ylabel="network input power (kW)", title=f"Power over the day: {scen}")
    ax.legend()
    files.append(_save(fig, out / "power_over_day.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    for p in policies:
        m = doc["policies"][p]
        ax.errorbar(100 * m["sla_violation_rate"]["mean"], m["ee_bits_per_joule"]["mean"] / 1e6,
                    xerr=100 * m["sla_violation_rate"]["ci95"], yerr=m["ee_bits_per_joule"]["ci95"] / 1e6,
                    fmt="o", capsize=3, label=p)
    ax.set(xlabel="SLA violation rate (%)", ylabel="energy efficiency (Mbit/J)", title="Energy efficiency vs QoS")
    ax.legend()
    files.append(_save(fig, out / "ee_vs_qos.png"))

    fig, axes = plt.subplots(1, len(SLICES), figsize=(12, 3.6))
    for ax, sl in zip(axes, SLICES, strict=True):
        for p in policies:
            x = np.sort(np.concatenate([np.asarray(r.slice_thp_samples.get(sl, []), float)
                                        for r in runs if r.policy == p] or [np.zeros(0)]))
            if x.size:
                ax.plot(x, np.arange(1, x.size + 1) / x.size, label=p)
        ax.set(xlabel=f"{sl} UE throughput (Mbit/s)", ylabel="CDF", xscale="symlog")
    axes[0].legend()
    files.append(_save(fig, out / "slice_throughput_cdf.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(policies))
    rlf = [doc["policies"][p]["rlf"]["mean"] for p in policies]
    pp = [doc["policies"][p]["pingpong"]["mean"] for p in policies]
    ax.bar(x, rlf, label="RLF", yerr=[doc["policies"][p]["rlf"]["ci95"] for p in policies], capsize=3)
    ax.bar(x, pp, bottom=rlf, label="ping-pong", yerr=[doc["policies"][p]["pingpong"]["ci95"] for p in policies],
           capsize=3)
    ax.set_xticks(x, policies)
    ax.set(ylabel="events per episode", title="Handover failures per policy")
    ax.legend()
    files.append(_save(fig, out / "handover_failures.png"))
    return files


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def results_schema(task: str | None = None, policies: list[str] | None = None) -> dict[str, Any]:
    """JSON Schema of results.json (the benchmark issue's contract), optionally pinning task and policy names.

    Per-slice values may be null where the simulator's counters are not kept per slice (RLF, ping-pong,
    handovers: TS 28.552 counts them per cell) or a slice had no UE with data."""
    stat = {"type": "object", "required": ["mean", "ci95"], "additionalProperties": False,
            "properties": {"mean": {"type": "number"}, "ci95": {"type": "number", "minimum": 0}}}
    nullable = {"type": "object", "required": ["mean", "ci95"], "additionalProperties": False,
                "properties": {"mean": {"type": ["number", "null"]}, "ci95": {"type": ["number", "null"]}}}
    block = {"type": "object", "required": list(METRICS), "properties": {m: nullable for m in METRICS}}
    metrics = {
        "type": "object", "required": [*METRICS, "per_slice"],
        "properties": {**{m: stat for m in METRICS},
                       "per_slice": {"type": "object", "required": list(SLICES),
                                     "properties": {s: block for s in SLICES}}},
    }
    pol: dict[str, Any] = {"type": "object", "additionalProperties": metrics, "minProperties": 2}
    if policies:
        pol["required"] = policies
    return {
        "type": "object", "required": ["task", "scenarios", "seeds", "policies"],
        "properties": {
            "task": {"enum": [task]} if task else {"enum": ["energy", "slicing", "handover"]},
            "scenarios": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "seeds": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            "policies": pol,
        },
    }
