"""TaskCore: one RL task (slicing / energy / handover) over a batched :class:`RanSimulator`.

The single env, the gymnasium VectorEnv and the SB3 per-cell VecEnv are thin views of this one object, so they
share the observation (``ranpilot.features``), the control mapping and the reward, and a batch of B instances
equals B separately seeded envs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from e2sim.scenarios import Scenario, load_scenario
from e2sim.sim import RanSimulator
from ranpilot.features import SLICE_NAMES, ActionSpec, FeatureSpec, action_spec, feature_spec

TASKS = ("slicing", "energy", "handover")


@dataclass(frozen=True)
class RewardWeights:
    """Weights of the per-cell reward (all per decision period; see :meth:`TaskCore.cell_rewards`).

    ee: energy efficiency of the cell's neighbourhood (cell + neighbours), bits / J divided by ``ee_ref_bit_per_j``
    thp: log-throughput of the cell (log1p(kbit/s) / log1p(1e5)); for slicing the eMBB slice throughput
    thp_ref_mbps: slicing: if > 0 the thp term is linear, eMBB slice throughput (DRB.UEThpDl.SNSSAI) / this
        reference - the benchmark's eMBB metric is a mean of throughputs, not of their logs
    urllc_sla: slicing: per URLLC SLA violation (delay budget) in the cell's neighbourhood (cell + neighbours,
        summed), on top of ``sla``: a cell whose eMBB borrows PRBs raises the interference its neighbours' URLLC
        UEs see (interference scales with PRB load), so it pays for every violation its load may have caused
        (a mean would charge each cell ~1/|neighbourhood| of the harm it does, and every cell would borrow)
    sla: per violated slice SLA (for energy: mean over the neighbourhood, so a sleeping cell pays for the
        violations it pushes onto its neighbours)
    switch: per cell state change (energy) or per unit of mean |action change| (slicing, handover)
    power: the cell's power / its full-load power
    drop: per UE dropped by the cell going to sleep
    outage: per UE without a link in the cell's neighbourhood (mean over the period; ground truth, not a feature)
    rlf, ping_pong, ho, ho_fail: per event per connected UE of the cell (handover)
    """

    ee: float = 0.0
    ee_ref_bit_per_j: float = 1e5
    thp: float = 0.0
    thp_ref_mbps: float = 0.0
    urllc_sla: float = 0.0
    sla: float = 1.0
    switch: float = 0.0
    power: float = 0.0
    drop: float = 0.0
    outage: float = 0.0
    rlf: float = 0.0
    ping_pong: float = 0.0
    ho: float = 0.0
    ho_fail: float = 0.0


DEFAULT_WEIGHTS: dict[str, RewardWeights] = {
    "slicing": RewardWeights(thp=1.0, sla=1.0, switch=0.05),
    "energy": RewardWeights(ee=1.0, sla=1.0, switch=0.05, power=0.5, drop=0.2, outage=0.5),
    "handover": RewardWeights(thp=1.0, sla=0.2, switch=0.02, rlf=5.0, ping_pong=2.0, ho=0.2, ho_fail=2.0),
}
DEFAULT_SCENARIOS = {"slicing": "dense-urban", "energy": "daily-profile", "handover": "highway"}


def make_weights(task: str, weights: RewardWeights | Mapping[str, float] | None) -> RewardWeights:
    base = DEFAULT_WEIGHTS[task]
    if weights is None:
        return base
    if isinstance(weights, RewardWeights):
        return weights
    known = {f.name for f in fields(RewardWeights)}
    bad = sorted(set(weights) - known)
    if bad:
        raise ValueError(f"unknown reward weight {bad[0]!r}; known: {sorted(known)}")
    return replace(base, **{k: float(v) for k, v in weights.items()})


class TaskCore:
    """Batched task: ``reset`` / ``step`` return (B, C, F) observations and (B, C) per-cell rewards."""

    def __init__(self, task: str, scenario: Scenario | str | Path | None = None, batch: int = 1, seed: int | None = 0,
                 reward_weights: RewardWeights | Mapping[str, float] | None = None,
                 episode_decisions: int | None = None) -> None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        self.task = task
        sc = load_scenario(scenario if scenario is not None else DEFAULT_SCENARIOS[task])
        if episode_decisions is not None:
            if not isinstance(episode_decisions, int) or episode_decisions < 1:
                raise ValueError(f"episode_decisions must be a positive integer, got {episode_decisions!r}")
            sc = sc.replace(time=replace(sc.time, episode_decisions=episode_decisions))
        self.scenario = sc
        self.weights = make_weights(task, reward_weights)
        self.sim = RanSimulator(sc, batch=batch, seed=seed)
        self.features: FeatureSpec = feature_spec(task)
        self.actions: ActionSpec = action_spec(task)
        self.batch = batch
        self.num_cells = self.sim.num_cells
        self.episode_decisions = sc.time.episode_decisions
        self.decision = np.zeros(batch, dtype=np.int64)
        self.prev_action = np.zeros((batch, self.num_cells, self.actions.size), dtype=np.float32)
        self.prev_level = np.zeros((batch, self.num_cells), dtype=np.int64)
        nb = self.sim.neighbours
        self._hood = (nb | np.eye(self.num_cells, dtype=bool)).astype(np.float64)  # (C, C) self + neighbours
        self._nb_count = nb.sum(axis=1)

    @property
    def num_ues(self) -> int:
        return self.sim.num_ues

    def observe(self) -> np.ndarray:
        return self.features.build(self.sim.measurements().as_mapping(), self.sim.neighbours)

    def reset(self, seed: int | Sequence[int | None] | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        m = np.ones(self.batch, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        self.sim.reset(seed=seed, mask=m)
        self.decision[m] = 0
        self.prev_action[m] = 0.0
        self.prev_level[m] = 0
        return self.observe()

    def apply(self, action: np.ndarray) -> np.ndarray:
        """Validate/clip a (B, C, A) action and push it into the simulator's controls."""
        a = np.asarray(action, dtype=np.float32)
        want = (self.batch, self.num_cells, self.actions.size)
        if a.shape != want:
            raise ValueError(f"action must have shape {want}, got {a.shape}")
        a = self.actions.clip(a)
        ctl = self.actions.decode(a)
        sim = self.sim
        if self.task == "slicing":
            sim.set_rrm_policy_array(ctl["min_ratio"], ctl["max_ratio"], ctl["dedicated_ratio"])
        elif self.task == "energy":
            sim.set_cell_states_array(ctl["level"])
        else:
            cio = np.where(sim.neighbours[None, :, :], ctl["cio_db"][:, :, None], 0.0)
            sim.set_cio_array(cio)
            sim.set_handover_params_array(ctl["hysteresis_db"], ctl["ttt_ms"])
        return a

    def step(self, action: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Apply the action, run one decision period; returns (obs (B,C,F), cell_reward (B,C), truncated (B,),
        info of (B, ...) arrays). Does not reset anything."""
        a = self.apply(action)
        self.sim.step(self.scenario.ticks_per_decision)
        self.decision += 1
        meas = self.sim.measurements()
        obs = self.features.build(meas.as_mapping(), self.sim.neighbours)
        reward, info = self.cell_rewards(meas, a)
        self.prev_action = a
        self.prev_level = self.sim.cell_state.copy()
        truncated = self.decision >= self.episode_decisions
        return obs, reward, truncated, info

    def cell_rewards(self, meas: Any, action: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """Per-cell rewards (B, C) of the last decision period and the benchmark KPIs."""
        w, c, s = self.weights, meas.cell, meas.slice
        bits = c["DRB.PdcpSduVolumeDL"] * 1e6
        energy = c["PEE.Energy"]
        viol = s["E2SIM.SlaViolation.SNSSAI"]  # (B,C,K)
        conn = np.maximum(c["RRC.ConnMean"], 1.0)
        hood = self._hood
        hood_bits = (bits[:, None, :] * hood).sum(-1)
        hood_energy = (energy[:, None, :] * hood).sum(-1)
        hood_viol = (viol.sum(-1)[:, None, :] * hood).sum(-1) / hood.sum(-1)
        ee_hood = hood_bits / np.maximum(hood_energy, 1e-9)
        r = np.zeros_like(bits)
        if self.task == "slicing":
            embb = s["DRB.UEThpDl.SNSSAI"][..., 0]
            thp = embb / 1e3 / w.thp_ref_mbps if w.thp_ref_mbps > 0 else np.log1p(embb) / np.log1p(1e5)
            r += w.thp * thp - w.sla * viol.sum(-1)
            if w.urllc_sla:
                u = viol[..., SLICE_NAMES.index("urllc")]
                r -= w.urllc_sla * (u[:, None, :] * hood).sum(-1)
            r -= w.switch * np.abs(action - self.prev_action).mean(-1)
        elif self.task == "energy":
            switched = (self.sim.cell_state != self.prev_level).astype(float)
            r += w.ee * ee_hood / w.ee_ref_bit_per_j - w.sla * hood_viol - w.switch * switched
            r -= w.power * c["PEE.AvgPower"] / self.sim.max_power_w + w.drop * c["E2SIM.DropCount"]
            r -= w.outage * (c["E2SIM.OutageUeMean"][:, None, :] * hood).sum(-1)
        else:
            thp = np.log1p(c["DRB.UEThpDl"]) / np.log1p(1e5)
            ho = c["MM.HoExeIntraReq"] + c["MM.HoExeInterReq"]
            fail = ho - c["MM.HoExeIntraSucc"] - c["MM.HoExeInterSucc"]
            r += w.thp * thp - w.sla * viol.sum(-1)
            r -= (w.rlf * c["E2SIM.RlfCount"] + w.ping_pong * c["E2SIM.PingPongCount"] + w.ho * ho
                  + w.ho_fail * fail) / conn
            r -= w.switch * np.abs(action - self.prev_action).mean(-1)
        tot_bits, tot_e = bits.sum(-1), energy.sum(-1)
        info = {
            "cell_reward": r.astype(np.float32),
            "energy_j": tot_e,
            "bits": tot_bits,
            "ee_bit_per_j": tot_bits / np.maximum(tot_e, 1e-9),
            "sla_violation": viol.astype(bool),  # (B, C, K) per cell and slice
            "sla_violations": viol.sum(axis=(-1, -2)),
            "rlf": c["E2SIM.RlfCount"].sum(-1),
            "ping_pong": c["E2SIM.PingPongCount"].sum(-1),
            "handovers": (c["MM.HoExeIntraReq"] + c["MM.HoExeInterReq"]).sum(-1),
            "ho_failures": (c["MM.HoExeIntraReq"] + c["MM.HoExeInterReq"] - c["MM.HoExeIntraSucc"]
                            - c["MM.HoExeInterSucc"]).sum(-1),
            "drops": c["E2SIM.DropCount"].sum(-1),
            "outage_ues": c["E2SIM.OutageUeMean"].sum(-1),
            "sleeping_cells": (self.sim.cell_state > 0).sum(-1),
            "time_s": self.sim.time_s.copy(),
        }
        return r.astype(np.float32), info
