"""The ``ranpilot`` console command.

The CLI is an edge: it is the only place (with the O-RAN SC adapter) that reads the environment, and it imports
a subcommand's module only when that subcommand runs, so ``ranpilot e2 decode`` never pays for torch or the
simulator. A subcommand module exposes ``add_arguments(parser)`` and ``main(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module, one-line help). One line here is all it takes to add a subcommand.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "sim": ("e2sim.cli", "run the RAN simulator on a scenario and print its KPIs"),
    "e2": ("e2.cli", "decode E2AP PDUs and E2SM payloads (hex or file), JSON or tree"),
    "train": ("training.cli", "train an RL policy (energy, slicing, handover) and export it to ONNX"),
    "bench": ("training.bench", "benchmark the AI model against the baselines on held-out scenarios/seeds"),
    "ric": ("ric.cli", "run the embedded near-RT RIC (E2 termination, A1, SDL, xApps)"),
    "e2sim": ("e2sim.node.cli", "run the simulator's gNBs as E2 nodes (multi-vendor) against a RIC"),
    "demo": ("ranpilot.demo", "the local loop in one command: embedded RIC + kpm-monitor xApp + e2sim gNBs"),
}


def _top_parser() -> argparse.ArgumentParser:
    from ranpilot import __version__

    lines = "\n".join(f"  {name:<10} {help_}" for name, (_, help_) in SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="ranpilot",
        description="AI-driven near-RT RIC xApps and rApps for a 5G RAN.",
        epilog=f"subcommands:\n{lines}\n\nRun 'ranpilot SUBCOMMAND --help' for its options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ranpilot {__version__}")
    parser.add_argument("subcommand", nargs="?", choices=sorted(SUBCOMMANDS), metavar="SUBCOMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = _top_parser()
    if not argv or argv[0].startswith("-"):
        args = top.parse_args(argv)
        top.print_help()
        return 0 if args.subcommand is None and argv else 2
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        top.error(f"unknown subcommand {name!r} (choose from {', '.join(sorted(SUBCOMMANDS))})")
    module_name, help_ = SUBCOMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"ranpilot {name}", description=help_)
    module.add_arguments(parser)
    return int(module.main(parser.parse_args(rest)) or 0)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
