"""Policy-serving benchmark: one xApp decision for the 57 cells of dense-urban-b (the held-out energy layout).

A decision = FeatureSpec.build over the per-cell KPM arrays (with neighbour means) + the policy + decode +
guardrails (bounds, rate limits, dwell, coverage) + bookkeeping, i.e. ``PolicyRunner.decide`` exactly as
PolicyXApp calls it. Measured in the same process for:

- ``model``: the committed ONNX model (models/energy/policy.onnx, onnxruntime, 1 thread, cells as the batch);
- ``baseline``: the same runner without a model (the ``threshold`` baseline serves, as in a fallback);
- ``rows+model``: as ``model`` but starting from KPM tidy rows (57 cells x 9 measurements into CellTable, snapshot).

Prints decisions per CPU-second (single thread) and wall-clock p50/p99 latency per decision, and the model /
baseline ratios. Inputs are one real measurement period of the simulator (state after ``--ticks`` ticks).

    python benchmarks/policy_decide.py [--decisions 3000] [--model models/energy/policy.onnx]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ric.policy import CellTable, ModelRef, ModelSwapper, PolicyRunner

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    node: str
    cell: str
    ue: None
    slice: None
    measurement: str
    value: float
    time: float


def measurements(ticks: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from e2sim.scenarios import load_scenario
    from e2sim.sim import RanSimulator

    sim = RanSimulator(load_scenario("dense-urban-b"), batch=1, seed=7)
    sim.step(ticks)
    m = sim.measurements()
    per = {k: v[0] for k, v in m.cell.items()}
    return per, np.asarray(sim.neighbours, dtype=bool)


def timed(fn: Callable[[int], object], n: int) -> tuple[float, float, float]:
    """(decisions per CPU-second, p50 ms, p99 ms) over n calls after a warm-up."""
    for i in range(min(50, n)):
        fn(i)
    lat = np.empty(n)
    cpu0 = time.process_time()
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        lat[i] = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    return n / max(cpu, 1e-9), float(np.percentile(lat, 50) * 1e3), float(np.percentile(lat, 99) * 1e3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--ticks", type=int, default=60, help="simulator ticks before the measured period")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "energy" / "policy.onnx")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the baseline runner logs its fallback cause once; keep output clean

    per, nb = measurements(args.ticks)
    n_cells = per["RRU.PrbTotDl"].shape[0]
    cells = [f"gnb_{i // 3}|001-01/{i:09x}" for i in range(n_cells)]

    model = PolicyRunner("energy", name="bench-model")
    out = ModelSwapper(model).request(ModelRef(str(args.model))).result(60)
    if not out.ok:
        raise SystemExit(f"model refused: {out.reason}")
    baseline = PolicyRunner("energy", name="bench-baseline")
    assert model.decide(per, cells, nb, 0.0).source == "model"
    assert baseline.decide(per, cells, nb, 0.0).source == "baseline"

    table = CellTable(model.feature_spec)
    rows = [Row(*c.split("|"), None, None, m, float(per[m][i]), 0.0)
            for i, c in enumerate(cells) for m in model.feature_spec.measurements]
    rows_model = PolicyRunner("energy", name="bench-rows")
    ModelSwapper(rows_model).request(ModelRef(str(args.model))).result(60)

    def from_rows(i: int) -> object:
        now = 1.0 + i
        table.add(rows, now)
        return rows_model.decide_snapshot(table.snapshot(cells, now, 3.0), nb, now)

    n = args.decisions
    results = {
        "model": timed(lambda i: model.decide(per, cells, nb, 1.0 + i), n),
        "baseline": timed(lambda i: baseline.decide(per, cells, nb, 1.0 + i), n),
        "rows+model": timed(from_rows, n),
    }
    assert model.decide(per, cells, nb, n + 2.0).source == "model"
    print(f"policy decision, {n_cells} cells (dense-urban-b), {n} decisions each, model {out.version}")
    print(f"{'path':<12} {'decisions/CPU-s':>16} {'p50 ms':>8} {'p99 ms':>8}")
    for name, (rate, p50, p99) in results.items():
        print(f"{name:<12} {rate:>16,.0f} {p50:>8.3f} {p99:>8.3f}")
    m, b = results["model"], results["baseline"]
    print(f"ratio model/baseline: throughput {m[0] / b[0]:.2f}x, p50 latency {m[1] / b[1]:.2f}x, "
          f"p99 latency {m[2] / b[2]:.2f}x")


if __name__ == "__main__":
    main()
