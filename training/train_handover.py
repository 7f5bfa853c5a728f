"""Train the per-cell handover-parameter policy (CIO, hysteresis, TTT) and export it to models/handover/.

Read top to bottom: task choices here, shared plumbing in training/common.py.

Environment: ``ranpilot/Handover-v0`` core on ``highway`` (20 cells, vehicles at 25-35 m/s), B instances x C
cells as parameter-shared agents. Action: per-cell CIO towards its neighbours, A3 hysteresis and time-to-trigger
(TS 38.331 value sets). Reward (e2sim RewardWeights): log-throughput minus RLF, ping-pong, handover and
handover-failure costs per connected UE - the benchmark's targets (failures vs set 1 at equal throughput).
Score used to keep the best checkpoint (held-out seeds of the training scenario):
    1 - (RLF + ping-pong) / (RLF + ping-pong)(set1) - 20 * max(0, 0.985 - thp / thp(set1))
The benchmark scenario (training/scenarios/highway-b.yaml: other ISD, band, speeds) is never seen here.
"""

from __future__ import annotations

import argparse

from training.common import Baselines, ScoreFn, TrainConfig, load_config, train_and_export

TASK = "handover"


def make_score(baselines: Baselines) -> ScoreFn:
    s1 = baselines["set1"][0]
    fail_ref = max(s1["rlf"] + s1["pingpong"], 1.0)

    def score(m: dict[str, float], _per_slice: dict[str, dict[str, float]]) -> float:
        fails = (m["rlf"] + m["pingpong"]) / fail_ref
        return 1.0 - fails - 20.0 * max(0.0, 0.985 - m["thp_mean_mbps"] / s1["thp_mean_mbps"])

    return score


def main(args: argparse.Namespace) -> int:
    cfg: TrainConfig = load_config(TASK, args.config, algo=args.algo, steps=args.steps, seed=args.seed)
    reproduce = f"ranpilot train {TASK} --algo {cfg.algo} --steps {cfg.steps} --seed {cfg.seed}" + (
        f" --config {args.config}" if args.config else "")
    train_and_export(cfg, make_score, reproduce)
    return 0
