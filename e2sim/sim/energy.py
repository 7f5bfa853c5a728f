"""Base-station power: EARTH load-dependent model plus TR 38.864-style sleep states (pure functions)."""

from __future__ import annotations

import numpy as np

from e2sim.scenarios import PowerModel

# Cell power states, index = level. 0 is active; 1..4 follow PowerModel.states (micro, light, deep, off).
STATE_NAMES: tuple[str, ...] = ("active", "micro", "light", "deep", "off")


def active_power_w(load: np.ndarray, pm: PowerModel) -> np.ndarray:
    """EARTH: P_in = N_TRX * (P0 + dp * P_out), P_out = load * P_max per TRX, 0 <= load <= 1."""
    return pm.n_trx * (pm.p0_w + pm.delta_p * np.clip(load, 0.0, 1.0) * pm.p_max_w)


def state_tables(pm: PowerModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per level (0..4): sleep power (W), wake-up time (ms), transition energy (J) of one sleep/wake cycle.

    EARTH's P_sleep is taken as the micro-sleep power (N_TRX * P_sleep); light/deep/off scale it by the TR 38.864
    relative powers (micro 45 -> light 20 -> deep 1), so one relative unit = N_TRX * P_sleep / 45 W, and the
    additional transition energy (relative units x ms) converts with the same unit. Level 0 (active) has no
    sleep power (its power is load dependent).
    """
    states = pm.states
    micro_rel = states[0].relative_power if states and states[0].relative_power > 0 else 45.0
    unit_w = pm.n_trx * pm.p_sleep_w / micro_rel
    power = np.array([0.0] + [s.relative_power * unit_w for s in states])
    wake_ms = np.array([0.0] + [s.transition_ms for s in states])
    energy_j = np.array([0.0] + [s.transition_energy * unit_w * 1e-3 for s in states])
    return power, wake_ms, energy_j


def idle_power_w(pm: PowerModel) -> float:
    """Power while waking up / at zero load: N_TRX * P0."""
    return pm.n_trx * pm.p0_w
