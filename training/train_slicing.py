"""Train the per-cell slice PRB-share policy and export it to models/slicing/.

Read top to bottom: task choices here, shared plumbing in training/common.py.

Environment: ``ranpilot/Slicing-v0`` core on ``dense-urban`` (21 cells, eMBB/URLLC/mMTC), B instances x C cells
as parameter-shared agents. Action: per-cell shares of the three slices -> TS 28.541 RRMPolicyRatio min ratios
(max 100 %, so the shared part stays work-conserving). Reward (e2sim RewardWeights): eMBB log-throughput minus
SLA violations minus action changes - the benchmark's two targets (eMBB throughput, URLLC SLA).
Score used to keep the best checkpoint (held-out seeds of the training scenario):
    thp_eMBB / thp_eMBB(static) - 20 * max(0, URLLC violation rate - 0.8 %)
The benchmark scenario (dense-urban-b, 57 cells) is never seen here.
"""

from __future__ import annotations

import argparse

from training.common import Baselines, ScoreFn, TrainConfig, load_config, train_and_export

TASK = "slicing"


def make_score(baselines: Baselines) -> ScoreFn:
    static_embb = baselines["static"][1]["embb"]["thp_mean_mbps"]

    def score(_m: dict[str, float], per_slice: dict[str, dict[str, float]]) -> float:
        urllc = per_slice["urllc"]["sla_violation_rate"]
        return per_slice["embb"]["thp_mean_mbps"] / static_embb - 20.0 * max(0.0, urllc - 0.008)

    return score


def main(args: argparse.Namespace) -> int:
    cfg: TrainConfig = load_config(TASK, args.config, algo=args.algo, steps=args.steps, seed=args.seed)
    reproduce = f"ranpilot train {TASK} --algo {cfg.algo} --steps {cfg.steps} --seed {cfg.seed}" + (
        f" --config {args.config}" if args.config else "")
    train_and_export(cfg, make_score, reproduce)
    return 0
