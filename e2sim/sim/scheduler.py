"""Per-cell downlink scheduler: slice PRB split (TS 28.541 RRMPolicyRatio) and proportional fair within a slice.

The scheduler is fluid: a tick spans many slots, so PRB counts are time averages (fractional).
"""

from __future__ import annotations

import numpy as np

EPS = 1e-9


def rrm_policy_split(demand: np.ndarray, n_prb: np.ndarray, dedicated: np.ndarray, minimum: np.ndarray,
                     maximum: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split ``n_prb`` PRBs among slices with TS 28.541 RRMPolicyRatio semantics.

    Shapes: ``demand``, ratios, ``weights`` are (..., K) (K slices), ``n_prb`` is (...). Ratios in percent.

    1. dedicated: rRMPolicyDedicatedRatio x N PRBs are reserved for the slice; what it does not use stays idle
       (not given to anyone else).
    2. prioritised: the slice gets up to rRMPolicyMinRatio x N PRBs (dedicated included) before shared use.
    3. shared: what is left is shared work-conservingly among slices that still have demand, never above
       rRMPolicyMaxRatio x N, split in proportion to ``weights`` (the slice's number of backlogged UEs, which is
       how a proportional-fair scheduler over all UEs shares it) by progressive filling.

    Returns (allocated PRBs (..., K), reserved-but-unused dedicated PRBs (..., K)).
    """
    n = n_prb[..., None]
    ded = dedicated * 0.01 * n
    mn = np.maximum(minimum * 0.01 * n, ded)
    mx = np.maximum(maximum * 0.01 * n, mn)
    a1 = np.minimum(demand, ded)
    idle_ded = ded - a1
    pool = n_prb - ded.sum(axis=-1)
    want2 = np.minimum(demand - a1, mn - ded)
    tot2 = want2.sum(axis=-1)
    scale = np.where(tot2 > pool, pool / np.maximum(tot2, EPS), 1.0)
    a2 = want2 * scale[..., None]
    pool = np.maximum(pool - a2.sum(axis=-1), 0.0)
    rest = np.maximum(np.minimum(demand, mx) - a1 - a2, 0.0)
    a3 = np.zeros_like(rest)
    w = np.maximum(weights, EPS)
    for _ in range(demand.shape[-1]):
        active = rest > EPS
        wa = np.where(active, w, 0.0)
        tot = wa.sum(axis=-1)
        share = pool[..., None] * wa / np.maximum(tot, EPS)[..., None]
        give = np.minimum(rest, share)
        a3 += give
        rest -= give
        pool = np.maximum(pool - give.sum(axis=-1), 0.0)
    return a1 + a2 + a3, idle_ded


def water_fill(need: np.ndarray, group: np.ndarray, budget: np.ndarray, iterations: int = 4) -> np.ndarray:
    """Share ``budget[g]`` PRBs among the UEs of group g in equal parts, never above a UE's ``need``.

    This is the long-run allocation of a proportional-fair scheduler with time-fair resource shares: each
    backlogged UE gets an equal PRB share; UEs that need less release the rest to the others (progressive
    filling, ``iterations`` rounds). ``need`` (N,), ``group`` (N,) int in [0, len(budget)), returns (N,).
    """
    remaining = budget.astype(float).copy()
    left = need.astype(float).copy()
    got = np.zeros_like(left)
    ng = budget.shape[0]
    for _ in range(iterations):
        active = left > EPS
        count = np.bincount(group, weights=active, minlength=ng)
        share = remaining / np.maximum(count, 1.0)
        give = np.where(active, np.minimum(left, share[group]), 0.0)
        got += give
        left -= give
        remaining = np.maximum(remaining - np.bincount(group, weights=give, minlength=ng), 0.0)
    return got
