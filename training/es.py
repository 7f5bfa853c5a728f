"""Cross-entropy-method evolution strategy for per-cell policies (``--algo es``).

Why: for cell sleep the benchmark objective is network-level (energy at equal UE-weighted SLA) and depends on
how neighbouring cells' decisions combine; per-cell PPO rewards give each cell a noisy share of it. ES scores a
whole deterministic policy by exactly that objective, on training seeds, and needs no credit assignment.

The policy is small (linear, or one hidden tanh layer) over the task's feature rows, parameter-shared by all
cells. A generation evaluates the whole population in ONE batched simulator run (instances = candidates x
seeds); the elite quarter sets the next sampling mean and spread (diagonal Gaussian, with a noise floor).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from training.report import RunResult


class Float64(nn.Module):
    """Runs the wrapped layers in float64 (float32 in and out). ES rules are steep (weights in the hundreds, so
    that the quantised sleep level is active or deep sleep): in float32 the summation order alone moves the
    output by ~1e-4, past the export's 1e-5 parity gate. The numpy forward used in training is float64 too."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner.double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.double()).float()


class ParamPolicy:
    """Per-cell MLP ``F -> hidden -> A`` (hidden 0 = linear) from a flat parameter vector; numpy forward."""

    def __init__(self, n_in: int, n_out: int, hidden: int) -> None:
        self.n_in, self.n_out, self.hidden = n_in, n_out, hidden
        shapes = [(n_in, n_out), (n_out,)] if hidden == 0 else [(n_in, hidden), (hidden,), (hidden, n_out), (n_out,)]
        self.shapes = shapes
        self.size = int(sum(np.prod(s) for s in shapes))

    def unpack(self, theta: np.ndarray) -> list[np.ndarray]:
        out, i = [], 0
        for s in self.shapes:
            n = int(np.prod(s))
            out.append(theta[i:i + n].reshape(s))
            i += n
        return out

    def forward(self, theta: np.ndarray, obs: np.ndarray) -> np.ndarray:
        p = self.unpack(theta)
        x = np.asarray(obs, np.float64)
        if self.hidden:
            x = np.tanh(x @ p[0] + p[1])
            return np.clip(x @ p[2] + p[3], -1.0, 1.0)
        return np.clip(x @ p[0] + p[1], -1.0, 1.0)

    def torch_body(self, theta: np.ndarray) -> nn.Module:
        p = [torch.as_tensor(a, dtype=torch.float64) for a in self.unpack(theta)]
        layers: list[nn.Module] = []
        pairs = [(p[0], p[1])] if not self.hidden else [(p[0], p[1]), (p[2], p[3])]
        for k, (w, b) in enumerate(pairs):
            lin = nn.Linear(w.shape[0], w.shape[1], dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(w.T)
                lin.bias.copy_(b)
            layers.append(lin)
            if self.hidden and k == 0:
                layers.append(nn.Tanh())
        return Float64(nn.Sequential(*layers))


class PopulationPolicy:
    """Instances ``[i * n_seeds, (i + 1) * n_seeds)`` of a batched run use candidate i's parameters."""

    name = "population"

    def __init__(self, net: ParamPolicy, thetas: np.ndarray, n_seeds: int, n_cells: int) -> None:
        self.net, self.thetas, self.n_seeds, self.n_cells = net, thetas, n_seeds, n_cells

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        rows = obs.reshape(len(self.thetas), self.n_seeds * self.n_cells, -1)
        return np.concatenate([self.net.forward(t, r) for t, r in zip(self.thetas, rows, strict=True)])


class SingleParamPolicy:
    name = "ai"

    def __init__(self, net: ParamPolicy, theta: np.ndarray) -> None:
        self.net, self.theta = net, theta

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        return self.net.forward(self.theta, obs).astype(np.float32)


def cem(
    net: ParamPolicy,
    init_mean: np.ndarray,
    init_std: float,
    population: int,
    generations: int,
    evaluate_population: Callable[[np.ndarray, int], list[float]],
    on_generation: Callable[[int, np.ndarray], None],
    rng: np.random.Generator,
    elite_frac: float = 0.25,
    min_std: float = 0.02,
) -> np.ndarray:
    """Cross-entropy method; ``evaluate_population(thetas, generation)`` returns one fitness per candidate (the
    current mean is always candidate 0). Returns the final mean."""
    mean = init_mean.astype(np.float64).copy()
    std = np.full(net.size, init_std)
    n_elite = max(2, int(round(elite_frac * population)))
    for g in range(generations):
        thetas = np.vstack([mean, mean + std * rng.standard_normal((population - 1, net.size))])
        fit = np.asarray(evaluate_population(thetas, g))
        elite = thetas[np.argsort(-fit)[:n_elite]]
        mean = elite.mean(axis=0)
        std = np.maximum(elite.std(axis=0), min_std)
        on_generation(g, mean)
    return mean


def group_runs(runs: list[RunResult], n_seeds: int) -> list[list[RunResult]]:
    return [runs[i:i + n_seeds] for i in range(0, len(runs), n_seeds)]


__all__ = ["ParamPolicy", "PopulationPolicy", "SingleParamPolicy", "cem", "group_runs"]
