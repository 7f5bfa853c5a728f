"""Simulator speed: env-steps/s and UE-steps/s of ranpilot's simulator vs mobile-env, same process, same way.

Both run random actions for a fixed wall-clock budget. One "UE-step" is one UE advanced by one simulator time
step (mobile-env: one env step; ours: one physics tick of ``time.tick_ms`` - an RL env step is one decision
period of ``ticks_per_decision`` ticks, so it counts that many UE-steps per UE). mobile-env is optional
(``pip install -e '.[bench]'``); without it the table says so and still shows our numbers.

    python benchmarks/sim_speed.py [--seconds 3] [--batch 16] [--scenario dense-urban]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np


def _rate(fn: Callable[[], int], seconds: float) -> tuple[float, int]:
    """Call ``fn`` (returns env-steps done) until ``seconds`` pass; returns (env-steps/s, calls)."""
    fn()  # warm-up
    n, calls, t0 = 0, 0, time.perf_counter()
    while (dt := time.perf_counter() - t0) < seconds:
        n += fn()
        calls += 1
    return n / dt, calls


def bench_ours(scenario: str, batch: int, seconds: float) -> dict[str, float]:
    import gymnasium

    import e2sim  # noqa: F401 - registers the envs
    from e2sim.envs import SlicingVectorEnv

    if batch == 1:
        env = gymnasium.make("ranpilot/Slicing-v0", scenario=scenario)
        env.reset(seed=0)

        def one() -> int:
            _, _, term, trunc, _ = env.step(env.action_space.sample())
            if term or trunc:
                env.reset()
            return 1

        core = env.unwrapped.core
    else:
        venv = SlicingVectorEnv(num_envs=batch, scenario=scenario)
        venv.reset(seed=0)
        rng = np.random.default_rng(0)

        def one() -> int:
            venv.step(rng.uniform(-1, 1, venv.action_space.shape).astype(np.float32))
            return batch

        core = venv.core
    rate, _ = _rate(one, seconds)
    ticks = core.scenario.ticks_per_decision
    return {"env_steps": rate, "ticks": rate * ticks, "ue_steps": rate * ticks * core.num_ues, "ues": core.num_ues}


def bench_mobile_env(seconds: float, batch: int = 1) -> dict[str, float] | str:
    try:
        import gymnasium
        import mobile_env  # noqa: F401 - registers mobile-*-v0
    except Exception as exc:  # any import failure means "not available"
        return f"mobile-env not installed ({type(exc).__name__}: {exc}); pip install -e '.[bench]'"
    envs = [gymnasium.make("mobile-medium-central-v0") for _ in range(batch)]
    for i, e in enumerate(envs):
        e.reset(seed=i)
    n_ues = len(envs[0].unwrapped.users)

    def one() -> int:
        for e in envs:
            _, _, term, trunc, _ = e.step(e.action_space.sample())
            if term or trunc:
                e.reset()
        return len(envs)

    rate, _ = _rate(one, seconds)
    return {"env_steps": rate, "ticks": rate, "ue_steps": rate * n_ues, "ues": n_ues}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3.0, help="wall-clock budget per measurement")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--scenario", default="dense-urban")
    args = ap.parse_args()

    rows: list[tuple[str, dict[str, float] | str]] = []
    me1 = bench_mobile_env(args.seconds, 1)
    rows.append(("mobile-env medium-central, single", me1))
    if isinstance(me1, dict):
        rows.append((f"mobile-env medium-central, {args.batch} envs in a loop",
                     bench_mobile_env(args.seconds, args.batch)))
    rows.append((f"ranpilot {args.scenario}, single", bench_ours(args.scenario, 1, args.seconds)))
    rows.append((f"ranpilot {args.scenario}, batched B={args.batch}",
                 bench_ours(args.scenario, args.batch, args.seconds)))

    base = me1["ue_steps"] if isinstance(me1, dict) else None
    print(f"{'run':<44} {'UEs':>5} {'env-steps/s':>12} {'sim-steps/s':>12} {'UE-steps/s':>12} {'x mobile-env':>13}")
    for name, r in rows:
        if isinstance(r, str):
            print(f"{name:<44} {r}")
            continue
        ratio = f"{r['ue_steps'] / base:12.1f}x" if base else "n/a"
        print(f"{name:<44} {r['ues']:>5.0f} {r['env_steps']:>12.1f} {r['ticks']:>12.1f} {r['ue_steps']:>12,.0f} "
              f"{ratio:>13}")
    print("env-step: one RL decision (ours: 1 s = 10 physics ticks; mobile-env: 1 step); "
          "sim-step: one physics time step; UE-steps/s = UEs x sim-steps/s.")


if __name__ == "__main__":
    main()
