"""Small helpers shared by the per-task training scripts (config, model, evaluation, export).

Kept deliberately thin so each ``train_<task>.py`` reads top to bottom: it picks the task's scenario, reward
weights and score, and calls these helpers for the plumbing every task shares.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from training.bench import (
    HELD_OUT_SCENARIO,
    REPO,
    TRAIN_SCENARIO,
    baseline_params,
    resolve_scenario,
    run_episode,
    ue_violations,
)
from training.report import RunResult

ScoreFn = Callable[[dict[str, float], dict[str, dict[str, float]]], float]
Baselines = dict[str, tuple[dict[str, float], dict[str, dict[str, float]]]]


@dataclass
class TrainConfig:
    """Everything a run depends on; saved into the model card, so the card reproduces the run."""

    task: str
    algo: str = "ppo"
    steps: int = 100_000  # SB3 timesteps = per-cell agent steps
    seed: int = 0
    scenario: str = ""  # training scenario (default: the task's); evaluation during training runs on it
    extra_scenarios: list[str] = field(default_factory=list)  # more training scenarios (load variety), same B each
    held_out_scenario: str = ""  # benchmark default, never trained or evaluated on here
    num_instances: int = 4  # batched simulator instances (agents = instances x cells)
    episode_decisions: int | None = None
    reward_weights: dict[str, float] = field(default_factory=dict)
    eval_seeds: list[int] = field(default_factory=lambda: [1001, 1002])
    eval_every: int = 20_000
    net_arch: list[int] = field(default_factory=lambda: [64, 64])
    learning_rate: float = 3e-4
    n_steps: int = 32  # PPO rollout length per agent
    batch_size: int = 512
    n_epochs: int = 5
    gamma: float = 0.9
    gae_lambda: float = 0.9
    ent_coef: float = 0.0
    clip_range: float = 0.2
    target_kl: float | None = None  # PPO: stop an update's epochs early past this KL (stabilises)
    log_std_init: float = -0.5
    norm_reward: bool = True
    ue_sla_weight: float = 0.0  # extra reward: -w * share of the cell's home UEs in SLA violation or unserved
    guardrails: bool = False  # train under the xApp runtime's guardrails (ric.policy.guardrails, as bench runs it)
    action_bias_init: float | None = None  # initial mean action (e.g. -1 = every cell active for energy)
    es_population: int = 12  # --algo es: candidates per generation (one batched simulator run)
    es_generations: int = 10
    es_hidden: int = 0  # 0 = linear per-cell policy
    es_init_std: float = 0.5
    es_seeds: int = 2  # training seeds per candidate per generation (fresh seeds every generation)
    es_init_weights: dict[str, float] = field(default_factory=dict)  # linear ES prior: feature name -> weight
    parent: str | None = None  # sha256 of the model this run starts from (its weights as the prior), for the card
    run_dir: str = "runs"
    model_dir: str = "models"

    @property
    def train_seed_base(self) -> int:
        """Training instances are seeded far from every evaluation/benchmark seed."""
        return 100_000 + 1_000 * self.seed


def load_config(task: str, path: str | Path | None, **overrides: Any) -> TrainConfig:
    """Config from ``training/configs/<task>.yaml`` (or ``path``), then CLI overrides that are not None."""
    cfg_path = Path(path) if path else REPO / "training" / "configs" / f"{task}.yaml"
    data = yaml.safe_load(cfg_path.read_text()) if cfg_path.exists() else {}
    data = dict(data or {})
    known = {f.name for f in fields(TrainConfig)}
    bad = sorted(set(data) - known)
    if bad:
        raise ValueError(f"{cfg_path}: unknown config key {bad[0]!r} (known: {', '.join(sorted(known))})")
    data.update({k: v for k, v in overrides.items() if v is not None})
    data["task"] = task
    cfg = TrainConfig(**data)
    cfg.scenario = cfg.scenario or TRAIN_SCENARIO[task]
    cfg.held_out_scenario = cfg.held_out_scenario or HELD_OUT_SCENARIO[task]
    if cfg.algo not in ("ppo", "sac", "dqn", "es"):
        raise ValueError(f"algo must be ppo, sac, dqn or es, got {cfg.algo!r}")
    return cfg


def make_env(cfg: TrainConfig):
    """B instances x C cells as B*C parameter-shared SB3 agents, observations normalised by running stats."""
    from stable_baselines3.common.vec_env import VecNormalize

    from e2sim.envs.sb3 import PerCellVecEnv

    parts = []
    for i, scenario in enumerate([cfg.scenario, *cfg.extra_scenarios]):
        seed = cfg.train_seed_base + 100 * i
        env = PerCellVecEnv(cfg.task, resolve_scenario(scenario), num_instances=cfg.num_instances, seed=seed,
                            reward_weights=cfg.reward_weights or None, episode_decisions=cfg.episode_decisions)
        env.seed(seed)
        env = HistoryObs(env) if env.core.features.stateful else env
        venv = GuardedActions(env) if cfg.guardrails else env
        parts.append(UeSlaReward(venv, cfg.ue_sla_weight) if cfg.ue_sla_weight > 0 else venv)
    venv = parts[0] if len(parts) == 1 else ConcatVecEnv(parts)
    return VecNormalize(venv, norm_obs=True, norm_reward=cfg.norm_reward, clip_obs=10.0, gamma=cfg.gamma)


class HistoryObs(VecEnvWrapper):
    """Observations of a stateful feature spec (windowed features): rebuilt from each period's measurements
    through a :class:`ranpilot.features.FeatureHistory` per instance, as the benchmark and the xApp runtime
    keep it; an instance's history restarts with its episode."""

    def __init__(self, venv) -> None:
        from ranpilot.features import FeatureHistory

        super().__init__(venv)
        self.core = venv.core
        self.history = FeatureHistory(self.core.features)

    def reset(self):
        self.history.reset()
        return self.venv.reset()  # nothing measured yet: the stateless features of an empty period

    def step_wait(self):
        obs, rewards, dones, infos = self.venv.step_wait()
        core = self.core
        fresh = self.history.build(core.sim.measurements().as_mapping(), core.sim.neighbours)
        done = np.asarray(dones).reshape(core.batch, core.num_cells)[:, 0]
        if done.any():
            self.history.reset(done)
        obs = np.where(np.repeat(done, core.num_cells)[:, None], obs, fresh.reshape(self.num_envs, -1))
        return obs, rewards, dones, infos


class GuardedActions(VecEnvWrapper):
    """Actions pass the xApp runtime's guardrails (:class:`training.bench.ServedGuardrails`, i.e.
    ``ric.policy.guardrails``) before the simulator sees them, as in the benchmark and in production, so the
    policy learns what survives them. Guardrail state is per instance and starts afresh with each episode."""

    def __init__(self, venv) -> None:
        from training.bench import ServedGuardrails

        super().__init__(venv)
        self.core = venv.core
        self.guardrails = ServedGuardrails(self.core.task, self.core)

    def reset(self):
        self.guardrails.reset()
        return self.venv.reset()

    def step_async(self, actions: np.ndarray) -> None:
        a = np.asarray(actions, np.float32).reshape(self.core.batch, self.core.num_cells, -1)
        self.venv.step_async(self.guardrails(a).reshape(self.num_envs, -1))

    def step_wait(self):
        obs, rewards, dones, infos = self.venv.step_wait()
        done = np.asarray(dones).reshape(self.core.batch, self.core.num_cells)[:, 0]
        if done.any():
            self.guardrails.reset(done)
        return obs, rewards, dones, infos


class ConcatVecEnv(VecEnv):
    """Several per-cell VecEnvs (e.g. scenarios with different loads) side by side as one SB3 VecEnv."""

    def __init__(self, envs: list[Any]) -> None:
        self.envs = envs
        super().__init__(sum(e.num_envs for e in envs), envs[0].observation_space, envs[0].action_space)

    def reset(self):
        return np.concatenate([e.reset() for e in self.envs])

    def step_async(self, actions: np.ndarray) -> None:
        i = 0
        for e in self.envs:
            e.step_async(actions[i:i + e.num_envs])
            i += e.num_envs

    def step_wait(self):
        out = [e.step_wait() for e in self.envs]
        infos: list[dict[str, Any]] = []
        for o in out:
            infos += list(o[3])
        return (np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out]),
                np.concatenate([o[2] for o in out]), infos)

    def close(self) -> None:
        for e in self.envs:
            e.close()

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(self, attr_name) for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        setattr(self, attr_name, value)

    def env_method(self, method_name: str, *args: Any, indices: Any = None, **kwargs: Any) -> list[Any]:
        return [getattr(self, method_name)(*args, **kwargs) for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]


class UeSlaReward(VecEnvWrapper):
    """Adds ``-weight * (share of the neighbourhood's home UEs in SLA violation)`` to every cell's reward.

    A UE's home cell is the one that would serve it best with every cell on air (RSRP, simulator geometry); a
    cell's neighbourhood is itself and its neighbours. So a cell that sleeps pays for the UEs it pushes into
    violation or out of coverage, and for the load it pushes onto its neighbours - which the env's per-cell SLA
    term cannot see (UEs without a serving cell report nothing). This is the benchmark's SLA metric,
    attributed per cell. Reads the simulator's RSRP table (training only; an xApp never needs it).
    """

    def __init__(self, venv, weight: float) -> None:
        super().__init__(venv)
        self.weight = weight

    def reset(self):
        return self.venv.reset()

    def step_wait(self):
        obs, rewards, dones, infos = self.venv.step_wait()
        core = self.venv.core
        sim, C = core.sim, core.num_cells
        viol = np.stack([infos[b * C]["instance_kpis"]["sla_violation"] for b in range(core.batch)])
        bad = ue_violations(viol, sim.measurements().ue["E2SIM.ServingCell"].astype(np.int64), sim.ue_slice)
        home = sim.home_cell()  # (B, U)
        idx = home + C * np.arange(core.batch)[:, None]
        n_bad = np.bincount(idx.ravel(), weights=bad.ravel(), minlength=core.batch * C)
        n_all = np.bincount(idx.ravel(), minlength=core.batch * C)
        hood = (sim.neighbours | np.eye(C, dtype=bool)).astype(np.float64)  # (C, C) self + neighbours
        n_bad = n_bad.reshape(core.batch, C) @ hood.T
        n_all = n_all.reshape(core.batch, C) @ hood.T
        share = (n_bad / np.maximum(n_all, 1)).reshape(-1)
        return obs, rewards - (self.weight * share).astype(np.float32), dones, infos


def make_model(cfg: TrainConfig, env: Any, tensorboard_log: str | None):
    from stable_baselines3 import PPO, SAC

    common = {"seed": cfg.seed, "device": "cpu", "verbose": 0, "tensorboard_log": tensorboard_log,
              "learning_rate": cfg.learning_rate, "gamma": cfg.gamma}
    if cfg.algo == "ppo":
        model = PPO("MlpPolicy", env, n_steps=cfg.n_steps, batch_size=cfg.batch_size, n_epochs=cfg.n_epochs,
                    gae_lambda=cfg.gae_lambda, ent_coef=cfg.ent_coef, clip_range=cfg.clip_range,
                    target_kl=cfg.target_kl,
                    policy_kwargs={"net_arch": list(cfg.net_arch), "log_std_init": cfg.log_std_init}, **common)
        if cfg.action_bias_init is not None:
            import torch

            with torch.no_grad():  # start from a sensible prior (e.g. all cells active), not the box centre
                model.policy.action_net.weight.mul_(0.01)
                model.policy.action_net.bias.fill_(cfg.action_bias_init)
        return model
    if cfg.algo == "sac":
        return SAC("MlpPolicy", env, batch_size=cfg.batch_size, buffer_size=200_000, learning_starts=2_000,
                   train_freq=1, gradient_steps=1, policy_kwargs={"net_arch": list(cfg.net_arch)}, **common)
    raise ValueError("dqn needs a discrete action space; the tasks' ActionSpecs are continuous (use ppo or sac)")


def exported_actor(model: Any, env: Any):
    """The deterministic actor with the env's current observation statistics folded into the graph."""
    from training.sb3_export import actor_from_sb3

    rms = env.obs_rms
    return actor_from_sb3(model, rms.mean.astype(np.float32),
                          np.sqrt(rms.var + env.epsilon).astype(np.float32), obs_clip=float(env.clip_obs))


class TorchCellPolicy:
    """An :class:`ExportedActor` behind the baselines' ``act`` interface (evaluation during training only;
    the benchmark runs the ONNX file)."""

    name = "ai"

    def __init__(self, actor: Any) -> None:
        self.actor = actor.eval()

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.actor(torch.as_tensor(np.asarray(obs, np.float32))).numpy()


def aggregate_runs(runs: list[RunResult]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Mean over seeds of the metrics and per-slice metrics."""
    metrics = {k: float(np.mean([r.metrics[k] for r in runs])) for k in runs[0].metrics}
    per_slice = {s: {k: float(np.nanmean([r.per_slice[s][k] for r in runs])) if not all(
        math.isnan(r.per_slice[s][k]) for r in runs) else math.nan for k in runs[0].per_slice[s]}
        for s in runs[0].per_slice}
    return metrics, per_slice


def evaluate(cfg: TrainConfig, policy: Any, name: str) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """One episode per held-out eval seed on the TRAINING scenario (the benchmark scenario stays unseen)."""
    return aggregate_runs(run_episode(cfg.task, cfg.scenario, list(cfg.eval_seeds), policy,
                                      steps=cfg.episode_decisions, name=name))


def evaluate_baselines(cfg: TrainConfig) -> Baselines:
    from ranpilot.baselines.policies import BASELINES, make_baseline

    params = baseline_params(cfg.task)
    return {n: evaluate(cfg, make_baseline(cfg.task, n, params.get(n)), n) for n in BASELINES[cfg.task]}


def make_eval_callback(cfg: TrainConfig, score: ScoreFn, run_dir: Path, best: dict[str, Any]):
    """SB3 callback: every ``eval_every`` steps evaluate the deterministic actor, log to TensorBoard, keep the
    best (by ``score``) actor and checkpoint the SB3 model."""
    from stable_baselines3.common.callbacks import BaseCallback

    class EvalCallback(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.next_eval = cfg.eval_every

        def _on_step(self) -> bool:
            if self.num_timesteps < self.next_eval:
                return True
            self.next_eval += cfg.eval_every
            self._evaluate()
            return True

        def _on_training_end(self) -> None:
            self._evaluate()

        def _evaluate(self) -> None:

            env = self.model.get_vec_normalize_env()
            actor = exported_actor(self.model, env)
            metrics, per_slice = evaluate(cfg, TorchCellPolicy(actor), "ai")
            s = score(metrics, per_slice)
            for k, v in metrics.items():
                self.logger.record(f"eval/{k}", v)
            self.logger.record("eval/score", s)
            self.logger.dump(self.num_timesteps)
            best.setdefault("history", []).append({"steps": self.num_timesteps, "score": s, **metrics})
            if s > best.get("score", -math.inf):
                best.update(score=s, steps=self.num_timesteps, metrics=metrics, per_slice=per_slice,
                            actor=actor)  # actor_from_sb3 already copied the weights
            self.model.save(run_dir / "checkpoints" / f"model_{self.num_timesteps}.zip")
            env.save(str(run_dir / "checkpoints" / f"vecnormalize_{self.num_timesteps}.pkl"))
            print(f"  eval @ {self.num_timesteps:>8} steps: score {s:+.4f} "
                  f"(best {best['score']:+.4f} @ {best['steps']})", flush=True)

    return EvalCallback()


def scenario_version(name_or_path: str) -> dict[str, str]:
    """Scenario name and sha256 of its file (the scenario's version, as far as a model card is concerned)."""
    from e2sim.scenarios import SCENARIO_DIR

    p = Path(resolve_scenario(name_or_path))
    if not p.exists():
        p = SCENARIO_DIR / f"{name_or_path}.yaml"
    return {"name": str(name_or_path), "sha256": hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else ""}


def simulator_version() -> str:
    import ranpilot

    try:
        commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", "e2sim", "ranpilot/features.py"],
                                cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"ranpilot {ranpilot.__version__} e2sim@{commit or 'unknown'}"


def train_es(cfg: TrainConfig, make_score: Callable[[Baselines], ScoreFn], score: ScoreFn, run_dir: Path,
             best: dict[str, Any]) -> None:
    """``--algo es``: cross-entropy method on the exact benchmark score (training/es.py), with the same
    evaluation on held-out seeds, TensorBoard scalars and per-generation checkpoints (.npy, not pickles).
    With ``extra_scenarios`` a candidate's fitness (and the checkpoint score) is the mean of its scores on every
    training scenario, each against that scenario's own baselines."""
    from torch.utils.tensorboard import SummaryWriter
    from tqdm import tqdm

    from e2sim.scenarios import load_scenario
    from ranpilot.baselines.policies import BASELINES, make_baseline
    from ranpilot.features import action_spec, feature_spec
    from ranpilot.models.export import ExportedActor
    from training.es import ParamPolicy, PopulationPolicy, SingleParamPolicy, cem, group_runs

    fs, acts = feature_spec(cfg.task), action_spec(cfg.task)
    net = ParamPolicy(fs.size, acts.size, cfg.es_hidden)
    # every training scenario counts equally (load variety); the benchmark's held-out scenario is never here
    scenarios = [cfg.scenario, *cfg.extra_scenarios]
    n_cells = {s: load_scenario(resolve_scenario(s)).num_cells for s in scenarios}
    init = np.zeros(net.size)
    init[-acts.size:] = cfg.action_bias_init or 0.0  # output bias: the prior action (e.g. all cells active)
    for name, w in cfg.es_init_weights.items():  # a hand-written prior rule (linear policy: weights first)
        if cfg.es_hidden or name not in fs.names:
            raise ValueError(f"es_init_weights: needs es_hidden 0 and a feature of {fs.id}, got {name!r}")
        init[fs.names.index(name) * acts.size:(fs.names.index(name) + 1) * acts.size] = w
    writer = SummaryWriter(str(run_dir / "tb" / "es"))
    params = baseline_params(cfg.task)
    bar = tqdm(total=cfg.es_generations, desc=f"es {cfg.task}", unit="gen")

    def baselines_on(scenario: str, seeds: list[int]) -> Baselines:
        return {n: aggregate_runs(run_episode(cfg.task, scenario, seeds, make_baseline(cfg.task, n, params.get(n)),
                                              steps=cfg.episode_decisions)) for n in BASELINES[cfg.task]}

    # checkpoint selection: the held-out-seed score, averaged over the training scenarios
    eval_scores = {s: score if s == cfg.scenario else make_score(baselines_on(s, list(cfg.eval_seeds)))
                   for s in scenarios}

    def evaluate_population(thetas: np.ndarray, g: int) -> list[float]:
        seeds = [cfg.train_seed_base + cfg.es_seeds * g + j for j in range(cfg.es_seeds)]
        total = np.zeros(len(thetas))
        for s in scenarios:
            gen_score = make_score(baselines_on(s, seeds))
            runs = run_episode(cfg.task, s, seeds * len(thetas),
                               PopulationPolicy(net, thetas, cfg.es_seeds, n_cells[s]), steps=cfg.episode_decisions)
            total += [gen_score(*aggregate_runs(group)) for group in group_runs(runs, cfg.es_seeds)]
        return list(total / len(scenarios))

    def on_generation(g: int, mean: np.ndarray) -> None:
        policy = SingleParamPolicy(net, mean)
        metrics, per_slice = evaluate(cfg, policy, "ai")
        per_scenario = {cfg.scenario: score(metrics, per_slice)}
        for s in scenarios[1:]:
            per_scenario[s] = eval_scores[s](*aggregate_runs(run_episode(
                cfg.task, s, list(cfg.eval_seeds), policy, steps=cfg.episode_decisions, name="ai")))
        s_mean = float(np.mean(list(per_scenario.values())))
        for k, v in metrics.items():
            writer.add_scalar(f"eval/{k}", v, g + 1)
        writer.add_scalar("eval/score", s_mean, g + 1)
        np.save(run_dir / "checkpoints" / f"es_mean_gen{g + 1}.npy", mean)
        best.setdefault("history", []).append({"steps": g + 1, "score": s_mean, "score_per_scenario": per_scenario,
                                               **metrics})
        if s_mean > best.get("score", -math.inf):
            actor = ExportedActor(net.torch_body(mean), np.zeros(fs.size), np.ones(fs.size), "clip",
                                  low=np.full(acts.size, acts.low), high=np.full(acts.size, acts.high))
            best.update(score=s_mean, steps=g + 1, metrics=metrics, per_slice=per_slice, actor=actor)
        bar.update(1)
        bar.write(f"  gen {g + 1:>3}: eval score {s_mean:+.4f} "
                  f"({', '.join(f'{Path(k).stem} {v:+.4f}' for k, v in per_scenario.items())}; "
                  f"best {best['score']:+.4f} @ gen {best['steps']})")

    cem(net, init, cfg.es_init_std, cfg.es_population, cfg.es_generations, evaluate_population, on_generation,
        np.random.default_rng(cfg.seed))
    bar.close()
    writer.close()


def train_and_export(cfg: TrainConfig, make_score: Callable[[Baselines], ScoreFn], reproduce: str,
                     parent: str | None = None) -> dict[str, Any]:
    """The shared loop: build env + model, learn with progress bar / TensorBoard / checkpoints / periodic eval,
    export the best actor to ``<model_dir>/<task>/policy.onnx`` with its card. Returns a summary."""
    from ranpilot.features import action_spec, feature_spec
    from ranpilot.models.export import write_model

    run_dir = REPO / cfg.run_dir / cfg.task / f"seed{cfg.seed}"
    (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    t0 = time.time()
    baselines = evaluate_baselines(cfg)
    score = make_score(baselines)
    for n, (m, _) in baselines.items():
        print(f"  baseline {n:<12} score {score(m, baselines[n][1]):+.4f}", flush=True)
    best: dict[str, Any] = {}
    if cfg.algo == "es":
        train_es(cfg, make_score, score, run_dir, best)
    else:
        env = make_env(cfg)
        model = make_model(cfg, env, str(run_dir / "tb"))
        model.learn(total_timesteps=cfg.steps, callback=make_eval_callback(cfg, score, run_dir, best),
                    progress_bar=True, tb_log_name=cfg.algo)
    train_s = time.time() - t0
    actor = best["actor"]
    rng = np.random.default_rng(cfg.seed)
    parity_obs = rng.uniform(-1.0, 2.0, (1000, feature_spec(cfg.task).size)).astype(np.float32)
    out = REPO / cfg.model_dir / cfg.task / "policy.onnx"
    evaluation = {
        "protocol": f"one episode per seed on the training scenario {cfg.scenario!r}, held-out seeds "
                    f"{cfg.eval_seeds} (training instances use seeds >= {cfg.train_seed_base})",
        "best_steps": best["steps"], "score": best["score"], "ai": best["metrics"],
        "baselines": {n: m for n, (m, _) in baselines.items()},
        "history": best["history"], "train_wall_s": round(train_s, 1),
    }
    card = write_model(
        actor, out, task=cfg.task, feature_spec=feature_spec(cfg.task), action_spec=action_spec(cfg.task),
        reproduce=reproduce, algo=cfg.algo, simulator_version=simulator_version(),
        scenarios={"train": scenario_version(cfg.scenario), "held_out": cfg.held_out_scenario},
        training=asdict(cfg), evaluation=evaluation, parent=parent or cfg.parent, parity_obs=parity_obs,
    )
    print(f"exported {out} (sha256 {card.onnx_sha256[:12]}..., parity {card.onnx['parity_max_abs_diff']:.2e}) "
          f"after {train_s:.0f} s; best score {best['score']:+.4f} @ {best['steps']} steps", flush=True)
    return {"path": str(out), "card": card, "train_s": train_s, "best": best, "baselines": baselines}
