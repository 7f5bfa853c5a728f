"""Baselines as per-cell policies over the task's features: ``act(obs[N, F]) -> action[N, A]``.

The same interface as a loaded ONNX model (:class:`ranpilot.models.OnnxPolicy`), so the benchmark and an
xApp's fallback swap one for the other. Inputs are the rows :meth:`ranpilot.features.FeatureSpec.build` makes
(from simulator measurements or from E2SM-KPM reports); :func:`raw` undoes a column's normalisation to get the
counter back in its unit. Outputs are in the task's :class:`~ranpilot.features.ActionSpec` space ([-1, 1]),
encoded with the inverse of the spec's ``decode`` so the controls applied are exactly the baseline's.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ranpilot.baselines.energy import ThresholdParams, ThresholdSleep
from ranpilot.baselines.handover import SET1, SET5, A3Setting, Mro, MroParams
from ranpilot.baselines.slicing import ProportionalParams, ProportionalSplit
from ranpilot.features import (
    HO_CIO_RANGE_DB,
    HO_HYST_MAX_DB,
    HO_TTT_CHOICES_MS,
    SLICE_NAMES,
    FeatureSpec,
    feature_spec,
)


class CellPolicy(Protocol):
    name: str

    def reset(self) -> None: ...

    def act(self, obs: np.ndarray) -> np.ndarray: ...


def raw(obs: np.ndarray, spec: FeatureSpec, name: str) -> np.ndarray:
    """Column ``name`` of ``obs`` back in its measurement's unit (inverse of the spec's normalisation)."""
    f = spec.features[spec.names.index(name)]
    x = np.asarray(obs, dtype=np.float64)[..., spec.names.index(name)] * f.scale + f.offset
    return np.expm1(x) if f.transform == "log1p" else x


# ------------------------------------------------------------------------------ action encoders (inverse decode)
def encode_sleep(level: np.ndarray) -> np.ndarray:
    """Sleep level 0..4 -> action in [-1, 1] (inverse of ``decode_sleep``)."""
    return (np.asarray(level, dtype=np.float32) / 4.0 * 2.0 - 1.0)[:, None]


def encode_shares(share: np.ndarray, borrow: float | np.ndarray = 0.0) -> np.ndarray:
    """Per-slice shares summing to 1 (+ borrowing in [0, 1]: 0 = hard partition, max ratio = min ratio;
    1 = max ratio 100 %) -> slicing-v2 actions (inverse of ``decode_slicing`` up to its flooring to whole
    percent; shares that are whole percents come back exactly)."""
    sh = np.asarray(share, dtype=np.float64)
    b = np.broadcast_to(np.asarray(borrow, dtype=np.float64), sh.shape)
    return np.clip(np.concatenate([2.0 * sh - 1.0, 2.0 * b - 1.0], axis=-1), -1.0, 1.0).astype(np.float32)


def encode_rrm_ratios(ctl: dict[str, np.ndarray]) -> np.ndarray:
    """Guarded TS 28.541 RRMPolicyRatio percentages per (cell, slice) {min_ratio, max_ratio} -> slicing-v2
    actions that decode to exactly those whole percents (inverse of ``decode_slicing``; its dedicated ratio is 0,
    so a guarded dedicated ratio, never above 0 for decoded actions, is not carried)."""
    mn = np.asarray(ctl["min_ratio"], dtype=np.float64)
    mx = np.asarray(ctl["max_ratio"], dtype=np.float64)
    borrow = np.where(mn < 100.0, (mx - mn) / np.maximum(100.0 - mn, 1e-9), 0.0)
    return encode_shares(mn / 100.0, np.clip(borrow, 0.0, 1.0))


def encode_handover(ctl: dict[str, np.ndarray]) -> np.ndarray:
    """{cio_db, hysteresis_db, ttt_ms} per cell -> actions (inverse of ``decode_handover``)."""
    cio = np.clip(np.asarray(ctl["cio_db"], np.float64) / HO_CIO_RANGE_DB, -1, 1)
    hyst = np.clip(np.asarray(ctl["hysteresis_db"], np.float64) / HO_HYST_MAX_DB * 2.0 - 1.0, -1, 1)
    choices = np.asarray(HO_TTT_CHOICES_MS, dtype=np.float64)
    idx = np.abs(np.asarray(ctl["ttt_ms"], np.float64)[:, None] - choices).argmin(axis=1)
    ttt = idx / (len(choices) - 1) * 2.0 - 1.0
    return np.stack([cio, hyst, ttt], axis=1).astype(np.float32)


# ------------------------------------------------------------------------------------------------ policies
class AlwaysOn:
    name = "always_on"

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        return encode_sleep(np.zeros(len(obs)))


class Threshold:
    """TS 28.541-style load-threshold sleep on the cell's and its neighbours' PRB usage (RRU.PrbTotDl)."""

    name = "threshold"

    def __init__(self, params: ThresholdParams | None = None) -> None:
        self.rule = ThresholdSleep(params)
        self.spec = feature_spec("energy")

    def reset(self) -> None:
        self.rule = ThresholdSleep(self.rule.params)

    def act(self, obs: np.ndarray) -> np.ndarray:
        load = raw(obs, self.spec, "prb_usage") / 100.0
        nb = raw(obs, self.spec, "nb_prb_usage") / 100.0
        return encode_sleep(self.rule(load, nb))


class Static:
    """Fixed equal hard partition: min = max = 33 % per slice (see ranpilot.baselines.slicing)."""

    name = "static"

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        return encode_shares(np.full((len(obs), len(SLICE_NAMES)), 1.0 / len(SLICE_NAMES)))


class Proportional:
    """Hard partition (min = max) proportional to each slice's recent PRB demand (RRU.PrbUsedDl.SNSSAI /
    RRU.PrbAvailDl)."""

    name = "proportional"

    def __init__(self, params: ProportionalParams | None = None) -> None:
        self.rule = ProportionalSplit(params)
        self.spec = feature_spec("slicing")

    def reset(self) -> None:
        self.rule.reset()

    def act(self, obs: np.ndarray) -> np.ndarray:
        demand = np.stack([raw(obs, self.spec, f"{s}_prb_share") for s in SLICE_NAMES], axis=1)
        return encode_shares(self.rule(demand))


class FixedA3:
    def __init__(self, name: str, setting: A3Setting) -> None:
        self.name = name
        self.setting = setting

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> np.ndarray:
        return encode_handover(self.setting.controls(len(obs)))


class MroPolicy:
    """Rule-based MRO on the cell's RLF / ping-pong / handover counters (E2SIM.RlfCount, E2SIM.PingPongCount,
    MM.HoExeIntraReq + MM.HoExeInterReq)."""

    name = "mro"

    def __init__(self, params: MroParams | None = None) -> None:
        self.rule = Mro(params)
        self.spec = feature_spec("handover")

    def reset(self) -> None:
        self.rule = Mro(self.rule.params)

    def act(self, obs: np.ndarray) -> np.ndarray:
        s = self.spec

        def count(name: str) -> np.ndarray:  # event counts are integers; float32 features give back 0.9999999
            return np.rint(raw(obs, s, name))

        ho = count("ho_intra_req") + count("ho_inter_req")
        return encode_handover(self.rule(count("rlf"), count("ping_pong"), ho))


BASELINES: dict[str, tuple[str, ...]] = {
    "energy": ("always_on", "threshold"),
    "slicing": ("static", "proportional"),
    "handover": ("set1", "set5", "mro"),
}


def make_baseline(task: str, name: str, params: dict[str, Any] | None = None) -> CellPolicy:
    """Baseline ``name`` of ``task``; ``params`` overrides the rule's parameters (e.g. tuned thresholds)."""
    if name not in BASELINES.get(task, ()):
        raise KeyError(f"no baseline {name!r} for task {task!r}; choose from {BASELINES.get(task, ())}")
    p = dict(params or {})
    if name == "always_on":
        return AlwaysOn()
    if name == "threshold":
        return Threshold(ThresholdParams(**p))
    if name == "static":
        return Static()
    if name == "proportional":
        return Proportional(ProportionalParams(**p))
    if name == "set1":
        return FixedA3("set1", SET1)
    if name == "set5":
        return FixedA3("set5", SET5)
    return MroPolicy(MroParams(**p))


