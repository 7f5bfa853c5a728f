"""Train the per-cell slice PRB policy (TS 28.541 RRMPolicyRatio) and export it to models/slicing/.

Read top to bottom: task choices here, shared plumbing in training/common.py; the config is
training/configs/slicing.yaml.

Environment: ``ranpilot/Slicing-v0`` core on ``daily-profile`` (21 cells, 24 h load profile) plus dense-urban and
daily-light (load variety), B instances x C cells as parameter-shared agents. Action (slicing-v2): per cell,
per slice a share (-> rRMPolicyMinRatio) and a borrowing level (-> rRMPolicyMaxRatio between min and 100 %).
Baselines are static slicing (hard partitions, min = max): ``static`` 33/33/33 %, ``proportional`` to demand.
Reward (e2sim RewardWeights, benchmark-aligned): eMBB slice throughput (linear, / 25 Mbit/s) minus URLLC SLA
violations summed over the cell's neighbourhood (its eMBB load is their interference) minus other slices' SLA
violations and action changes.
Score used to keep the best checkpoint (held-out seeds 1001, 1002 of the training scenario):
    thp_eMBB / thp_eMBB(static) - 100 * max(0, URLLC violation rate - 0.8 %)
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
        return per_slice["embb"]["thp_mean_mbps"] / static_embb - 100.0 * max(0.0, urllc - 0.008)

    return score


def main(args: argparse.Namespace) -> int:
    cfg: TrainConfig = load_config(TASK, args.config, algo=args.algo, steps=args.steps, seed=args.seed)
    reproduce = f"ranpilot train {TASK} --algo {cfg.algo} --steps {cfg.steps} --seed {cfg.seed}" + (
        f" --config {args.config}" if args.config else "")
    train_and_export(cfg, make_score, reproduce)
    return 0
