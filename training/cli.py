"""``ranpilot train {energy,slicing,handover}``: dispatch to the task's readable training script."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", choices=("energy", "slicing", "handover"))
    parser.add_argument("--algo", choices=("ppo", "sac", "dqn", "es"), default=None,
                        help="ppo / sac (SB3), or es (cross-entropy method on the benchmark score, "
                             "training/es.py); default from the config")
    parser.add_argument("--steps", type=int, default=None, help="total per-cell agent steps (SB3 timesteps)")
    parser.add_argument("--config", type=Path, default=None, help="YAML config (default training/configs/<task>.yaml)")
    parser.add_argument("--seed", type=int, default=None, help="training seed (default from the config: 0)")


def main(args: argparse.Namespace) -> int:
    if args.algo == "dqn":
        print("ranpilot train: dqn needs a discrete action space, and the tasks' action specs are continuous "
              "(sleep level, slice shares, CIO/hysteresis/TTT in [-1, 1]); use --algo ppo, sac or es")
        return 2
    module = importlib.import_module(f"training.train_{args.task}")
    return int(module.main(args) or 0)
