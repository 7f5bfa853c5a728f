"""The shared KPM feature spec and the action specs of the three RL tasks (pure numpy).

One spec serves both sides of the loop: the simulator's gymnasium envs build observations with it from
:class:`e2sim.sim.Measurements`, and an xApp builds the same observations from E2SM-KPM reports (dicts of TS 28.552
measurement name -> per-cell values). Same names, same units, same normalisation - so the numbers a policy sees in
production are the numbers it trained on.

Policies are per cell and parameter-shared: an observation is a ``(num_cells, F)`` array (one row per cell: the
cell's own counters plus means over its neighbours) and an action is ``(num_cells, A)``. A model trained on one
layout therefore runs on any other layout, and an xApp runs the ONNX model with cells as the batch dimension.

Input mapping convention for :meth:`FeatureSpec.build`: cell-scoped measurements are arrays ``(..., C)``,
slice-scoped ones (names ending ``.SNSSAI``) are ``(..., C, K)`` with slices in :data:`SLICE_NAMES` order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

SLICE_NAMES: tuple[str, ...] = ("embb", "urllc", "mmtc")
CELL_STATES: tuple[str, ...] = ("active", "micro", "light", "deep", "off")
# TS 38.331 value sets (kept here so the xApp side needs no simulator import).
TTT_VALUES_MS: tuple[int, ...] = (0, 40, 64, 80, 100, 128, 160, 256, 320, 480, 512, 640, 1024, 1280, 2560, 5120)
CIO_VALUES_DB: tuple[int, ...] = (-24, -22, -20, -18, -16, -14, -12, -10, -8, -6, -5, -4, -3, -2, -1, 0,
                                  1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24)
CLIP = 10.0  # normalised features are clipped to [-CLIP, CLIP]


@dataclass(frozen=True)
class Feature:
    """One observation column.

    value = transform(kpm [/ denominator]) ; feature = (value - offset) / scale, where transform is identity
    ('linear'), log(1 + x) ('log1p') or the indicator x <= 0 ('zero': e.g. RRU.PrbAvailDl = 0 for a whole
    period means the cell slept through it). ``scope`` 'slice' picks slice ``slice`` of a ``.SNSSAI`` measurement.
    ``neighbour_mean``: the column is the mean of the feature over the cell's neighbours (0 without neighbours).
    ``window`` > 1: the column reduces (``reduce``: 'max' or 'mean') the value over the last ``window``
    measurement periods, this one included - history an xApp keeps from its own KPM reports
    (:class:`FeatureHistory`); before ``window`` periods have been seen the window holds what has been seen.
    """

    name: str
    kpm: str
    unit: str
    scope: str = "cell"
    slice: str | None = None
    transform: str = "linear"
    offset: float = 0.0
    scale: float = 1.0
    denominator: str | None = None
    neighbour_mean: bool = False
    window: int = 1
    reduce: str = "max"

    def raw(self, m: Mapping[str, np.ndarray]) -> np.ndarray:
        if self.kpm not in m:
            raise KeyError(f"feature {self.name!r} needs measurement {self.kpm!r}, which is missing")
        x = np.asarray(m[self.kpm], dtype=np.float64)
        if self.scope == "slice":
            x = x[..., SLICE_NAMES.index(self.slice or "")]
        if self.denominator is not None:
            if self.denominator not in m:
                raise KeyError(f"feature {self.name!r} needs measurement {self.denominator!r}, which is missing")
            d = np.asarray(m[self.denominator], dtype=np.float64)
            x = np.where(d > 0, x / np.where(d > 0, d, 1.0), 0.0)
        if self.transform == "log1p":
            x = np.log1p(np.maximum(x, 0.0))
        elif self.transform == "zero":
            x = (x <= 0.0).astype(np.float64)
        return (x - self.offset) / self.scale


@dataclass(frozen=True)
class FeatureSpec:
    """Ordered features of one task; ``fingerprint`` (sha256 of the spec) goes into model cards."""

    id: str
    features: tuple[Feature, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def size(self) -> int:
        return len(self.features)

    @property
    def fingerprint(self) -> str:
        blob = json.dumps({"id": self.id, "features": [_fields(f) for f in self.features]}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    @property
    def stateful(self) -> bool:
        """True when a feature needs past periods (build it through :class:`FeatureHistory`)."""
        return any(f.window > 1 for f in self.features)

    @property
    def measurements(self) -> list[str]:
        """The KPM measurement names an xApp must subscribe to."""
        out: list[str] = []
        for f in self.features:
            for n in (f.kpm, f.denominator):
                if n is not None and n not in out:
                    out.append(n)
        return out

    def build(self, per_cell: Mapping[str, np.ndarray], neighbours: np.ndarray | None = None,
              history: FeatureHistory | None = None) -> np.ndarray:
        """Observation ``(..., C, F)`` float32 from per-cell measurements (see module doc for shapes).

        ``neighbours``: (C, C) bool/0-1 matrix, row c marks the neighbours of cell c (needed only when the spec
        has neighbour features). Leading batch axes are kept. ``history``: past periods of windowed features
        (updated with this period); without it a windowed feature sees this period only (a fresh history).
        """
        if history is not None:
            return history.build(per_cell, neighbours)
        return self._build({f.name: f.raw(per_cell) for f in self.features}, neighbours)

    def _build(self, values: Mapping[str, np.ndarray], neighbours: np.ndarray | None) -> np.ndarray:
        cols = []
        w = None
        if any(f.neighbour_mean for f in self.features):
            if neighbours is None:
                raise ValueError(f"feature spec {self.id!r} has neighbour features; pass neighbours (C, C)")
            nb = np.asarray(neighbours, dtype=np.float64)
            w = nb / np.maximum(nb.sum(axis=1, keepdims=True), 1.0)
        for f in self.features:
            x = values[f.name]
            if f.neighbour_mean:
                assert w is not None
                if x.shape[-1] != w.shape[0]:
                    raise ValueError(f"neighbours is {w.shape} but there are {x.shape[-1]} cells")
                x = (x[..., None, :] * w).sum(axis=-1)
            cols.append(x)
        obs = np.stack(cols, axis=-1)
        return np.clip(np.nan_to_num(obs, nan=0.0, posinf=CLIP, neginf=-CLIP), -CLIP, CLIP).astype(np.float32)


def _fields(f: Feature) -> dict:
    """A feature's defining fields; history fields only when used, so specs without history keep their
    fingerprints (and the models exported against them stay valid)."""
    d = asdict(f)
    if f.window == 1:
        d.pop("window")
        d.pop("reduce")
    return d


class FeatureHistory:
    """The per-cell memory a stateful :class:`FeatureSpec` needs: the last ``window`` values of its windowed
    features, kept by whoever builds observations period after period (the env wrapper in training, the
    benchmark, the xApp's :class:`~ric.policy.runner.PolicyRunner`) - all from the same KPM counters, so an
    xApp reproduces the training features exactly. Leading batch axes are kept; ``reset(mask)`` forgets the
    masked instances (a new episode, a changed cell list)."""

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self.depth = max((f.window for f in spec.features), default=1)
        self._buf: dict[str, np.ndarray] = {}  # feature name -> (depth, ..., C) newest last
        self._seen: np.ndarray | None = None  # (...,) periods seen per instance (capped at depth)

    def reset(self, mask: np.ndarray | None = None) -> None:
        if mask is None or self._seen is None:
            self._buf, self._seen = {}, None
        else:
            self._seen[np.asarray(mask, bool)] = 0

    def build(self, per_cell: Mapping[str, np.ndarray], neighbours: np.ndarray | None = None) -> np.ndarray:
        """Push this period's measurements and return the observation (as :meth:`FeatureSpec.build`)."""
        values = {f.name: f.raw(per_cell) for f in self.spec.features}
        windowed = [f for f in self.spec.features if f.window > 1]
        if windowed:
            x0 = values[windowed[0].name]
            if self._seen is None or self._seen.shape != x0.shape[:-1] or any(
                    self._buf[f.name].shape[1:] != values[f.name].shape for f in windowed if f.name in self._buf):
                self._buf, self._seen = {}, np.zeros(x0.shape[:-1], np.int64)
            self._seen = np.minimum(self._seen + 1, self.depth)
            for f in windowed:
                values[f.name] = self._push(f, values[f.name])
        return self.spec._build(values, neighbours)

    def _push(self, f: Feature, x: np.ndarray) -> np.ndarray:
        assert self._seen is not None
        buf = self._buf.setdefault(f.name, np.repeat(x[None], self.depth, axis=0))
        buf[:-1] = buf[1:].copy()
        buf[-1] = x
        n = np.minimum(self._seen, f.window)[..., None]  # (..., 1) periods this instance's window holds
        age = (self.depth - 1 - np.arange(self.depth)).reshape((self.depth,) + (1,) * x.ndim)
        recent = np.broadcast_to(age < n[None], buf.shape)
        if f.reduce == "max":
            return np.where(recent, buf, -np.inf).max(axis=0)
        return np.where(recent, buf, 0.0).sum(axis=0) / recent.sum(axis=0)


@dataclass(frozen=True)
class ActionSpec:
    """Per-cell action of a task: ``(num_cells, A)`` in [low, high]; ``decode`` maps it to controls."""

    id: str
    names: tuple[str, ...]
    low: float
    high: float
    units: tuple[str, ...]
    meaning: str

    @property
    def size(self) -> int:
        return len(self.names)

    def clip(self, action: np.ndarray) -> np.ndarray:
        a = np.asarray(action, dtype=np.float32)
        if a.shape[-1] != self.size:
            raise ValueError(f"{self.id}: action must end with {self.size} columns {self.names}, got {a.shape}")
        return np.clip(np.nan_to_num(a, nan=0.0), self.low, self.high)

    def decode(self, action: np.ndarray) -> dict[str, np.ndarray]:
        return _DECODERS[self.id](self.clip(action))


def _u01(a: np.ndarray) -> np.ndarray:
    return (np.asarray(a, dtype=np.float64) + 1.0) / 2.0


def decode_slicing(a: np.ndarray) -> dict[str, np.ndarray]:
    """Slice shares and borrowing -> TS 28.541 RRMPolicyRatio percentages per (cell, slice) (slicing-v2).

    Columns 0..K-1 (shares): share_k = (a_k + 1) / 2; rRMPolicyMinRatio_k = floor(100 * share_k / max(1, sum_k
    share_k)), so the min ratios sum to <= 100 (prioritised PRBs, usable by others while the slice leaves them).
    Columns K..2K-1 (borrowing): b_k = (a_{K+k} + 1) / 2; rRMPolicyMaxRatio_k = min_k + floor((100 - min_k) * b_k):
    b = 0 is a hard partition (the slice never exceeds its min share: "static slicing"), b = 1 lets it borrow every
    PRB the others leave (work-conserving up to 100 %). rRMPolicyDedicatedRatio = 0: dedicated PRBs stay idle when
    their slice has no data (TS 28.541 5.3.x), and the min ratio already gives the slice priority on its share.
    This is what an xApp sends over E2SM-RC (style 2, action 6, "Slice-level PRB quota") per S-NSSAI.
    """
    a = np.asarray(a, dtype=np.float64)
    k = a.shape[-1] // 2
    share = _u01(a[..., :k])
    tot = np.maximum(share.sum(axis=-1, keepdims=True), 1.0)
    # + 1e-4 %: a whole percent sent as a float32 action ((a + 1) / 2 is exact to ~3e-8) decodes to itself
    mn = np.floor(100.0 * share / tot + 1e-4)
    mx = mn + np.floor((100.0 - mn) * _u01(a[..., k:]) + 1e-4)
    return {"min_ratio": mn, "max_ratio": np.minimum(mx, 100.0), "dedicated_ratio": np.zeros_like(mn)}


def decode_sleep(a: np.ndarray) -> dict[str, np.ndarray]:
    """Continuous-then-quantised sleep level: level = round((a + 1) / 2 * 4) -> 0 active .. 4 off."""
    level = np.clip(np.rint(_u01(a[..., 0]) * 4.0), 0, 4).astype(np.int64)
    return {"level": level}


HO_CIO_RANGE_DB = 6.0
HO_HYST_MAX_DB = 6.0
HO_TTT_CHOICES_MS: tuple[int, ...] = (40, 80, 160, 256, 320, 480, 640, 1024)


def decode_handover(a: np.ndarray) -> dict[str, np.ndarray]:
    """Per cell: CIO towards all its neighbours (a0 -> [-6, 6] dB, snapped to the Q-OffsetRange set),
    hysteresis (a1 -> [0, 6] dB in 0.5 dB steps) and TTT (a2 -> one of 40..1024 ms from the TS 38.331 set)."""
    cio = np.asarray(a[..., 0], dtype=np.float64) * HO_CIO_RANGE_DB
    vs = np.asarray(CIO_VALUES_DB, dtype=np.float64)
    cio = vs[np.abs(cio[..., None] - vs).argmin(axis=-1)]
    hyst = np.rint(_u01(a[..., 1]) * HO_HYST_MAX_DB * 2.0) / 2.0
    idx = np.clip(np.rint(_u01(a[..., 2]) * (len(HO_TTT_CHOICES_MS) - 1)), 0, len(HO_TTT_CHOICES_MS) - 1)
    ttt = np.asarray(HO_TTT_CHOICES_MS)[idx.astype(np.int64)]
    return {"cio_db": cio, "hysteresis_db": hyst, "ttt_ms": ttt}


_DECODERS = {"slicing-v2": decode_slicing, "energy-v1": decode_sleep, "handover-v1": decode_handover}

# ------------------------------------------------------------------------------------------------- specs
_L_THP = float(np.log1p(1e5))  # 100 Mbit/s in kbit/s
_L_CONN = float(np.log1p(30.0))
_L_DELAY = float(np.log1p(1000.0))  # 1 s in ms
_L_VOL = float(np.log1p(100.0))  # 100 Mbit per period
_L_COUNT = float(np.log1p(10.0))


def _common_cell() -> list[Feature]:
    """The cell's own and its neighbours' state, TS 28.552 counters only, so any gNB that reports them can be
    served (no E2SIM.* counter): load, UEs, throughput, volume, delay, power (PEE.AvgPower, 5.1.1.19), and
    sleeping read from RRU.PrbAvailDl (5.1.1.2.x: no PRB available for the whole period = the cell slept)."""
    return [
        Feature("prb_usage", "RRU.PrbTotDl", "%", scale=100.0),
        Feature("conn_mean", "RRC.ConnMean", "UE", transform="log1p", scale=_L_CONN),
        Feature("ue_thp", "DRB.UEThpDl", "kbit/s", transform="log1p", scale=_L_THP),
        Feature("volume", "DRB.PdcpSduVolumeDL", "Mbit", transform="log1p", scale=_L_VOL),
        Feature("delay", "DRB.RlcSduDelayDl", "ms", transform="log1p", scale=_L_DELAY),
        Feature("avg_power", "PEE.AvgPower", "W", transform="log1p", scale=float(np.log1p(500.0))),
        Feature("asleep", "RRU.PrbAvailDl", "flag", transform="zero"),
        Feature("nb_prb_usage", "RRU.PrbTotDl", "%", scale=100.0, neighbour_mean=True),
        Feature("nb_conn_mean", "RRC.ConnMean", "UE", transform="log1p", scale=_L_CONN, neighbour_mean=True),
        Feature("nb_asleep", "RRU.PrbAvailDl", "flag", transform="zero", neighbour_mean=True),
    ]


def _energy_features() -> list[Feature]:
    """energy-v2: the common cell features plus a 5-period history (TS 28.541 EnergySavingProperties state "load
    below threshold for a time duration"). The neighbours' load and their share asleep are what a cell needs to
    know whether its UEs have somewhere to go."""
    return _common_cell() + [
        Feature("prb_usage_max5", "RRU.PrbTotDl", "%", scale=100.0, window=5, reduce="max"),
        Feature("nb_prb_usage_mean5", "RRU.PrbTotDl", "%", scale=100.0, neighbour_mean=True, window=5,
                reduce="mean"),
        Feature("asleep_mean5", "RRU.PrbAvailDl", "flag", transform="zero", window=5, reduce="mean"),
    ]


def _slice_features() -> list[Feature]:
    out = []
    for s in SLICE_NAMES:
        out += [
            Feature(f"{s}_prb_share", "RRU.PrbUsedDl.SNSSAI", "1", scope="slice", slice=s,
                    denominator="RRU.PrbAvailDl"),
            Feature(f"{s}_thp", "DRB.UEThpDl.SNSSAI", "kbit/s", scope="slice", slice=s, transform="log1p",
                    scale=_L_THP),
            Feature(f"{s}_delay", "DRB.RlcSduDelayDl.SNSSAI", "ms", scope="slice", slice=s, transform="log1p",
                    scale=_L_DELAY),
            Feature(f"{s}_conn", "RRC.ConnMean.SNSSAI", "UE", scope="slice", slice=s, transform="log1p",
                    scale=_L_CONN),
        ]
    # since slicing-v2: the neighbours' URLLC state. A cell's eMBB load is interference for its neighbours' URLLC
    # UEs (interference scales with PRB load), so whether it may borrow depends on how they are doing.
    out += [
        Feature("nb_urllc_delay", "DRB.RlcSduDelayDl.SNSSAI", "ms", scope="slice", slice="urllc",
                transform="log1p", scale=_L_DELAY, neighbour_mean=True),
    ]
    return out


def _ho_cell() -> list[Feature]:
    """handover-v1's cell features: the common ones with the simulator's cell state and SLA-violation count in
    place of the PRB-availability sleep flags. Kept: handover-v2 (the common features, TS 28.552 only) trained
    worse with the same config (held-out RLF + ping-pong 1.0-1.18 x set1 vs v1's 0.56 x, guarded)."""
    c = _common_cell()
    return (c[:6] + [Feature("cell_state", "E2SIM.CellState", "level", scale=4.0),
                     Feature("sla_violations", "E2SIM.SlaViolations", "count", scale=3.0)]
            + c[7:9] + [Feature("nb_cell_state", "E2SIM.CellState", "level", scale=4.0, neighbour_mean=True)])


def _ho_features() -> list[Feature]:
    return [
        Feature("ho_intra_req", "MM.HoExeIntraReq", "count", transform="log1p", scale=_L_COUNT),
        Feature("ho_inter_req", "MM.HoExeInterReq", "count", transform="log1p", scale=_L_COUNT),
        Feature("ho_inter_succ", "MM.HoExeInterSucc", "count", transform="log1p", scale=_L_COUNT),
        Feature("rlf", "E2SIM.RlfCount", "count", transform="log1p", scale=_L_COUNT),
        Feature("ping_pong", "E2SIM.PingPongCount", "count", transform="log1p", scale=_L_COUNT),
        Feature("nb_ho_inter_req", "MM.HoExeInterReq", "count", transform="log1p", scale=_L_COUNT,
                neighbour_mean=True),
        Feature("nb_rlf", "E2SIM.RlfCount", "count", transform="log1p", scale=_L_COUNT, neighbour_mean=True),
    ]


FEATURE_SPECS: dict[str, FeatureSpec] = {
    # slicing-v3: the common cell features, without v2's E2SIM.* cell state and SLA flags
    "slicing": FeatureSpec("slicing-v3", tuple(_common_cell() + _slice_features())),
    "energy": FeatureSpec("energy-v2", tuple(_energy_features())),
    "handover": FeatureSpec("handover-v1", tuple(_ho_cell() + _ho_features())),
}
ACTION_SPECS: dict[str, ActionSpec] = {
    "slicing": ActionSpec("slicing-v2", tuple(f"{s}_share" for s in SLICE_NAMES)
                          + tuple(f"{s}_borrow" for s in SLICE_NAMES), -1.0, 1.0,
                          ("1",) * (2 * len(SLICE_NAMES)), decode_slicing.__doc__ or ""),
    "energy": ActionSpec("energy-v1", ("sleep_level",), -1.0, 1.0, ("level",), decode_sleep.__doc__ or ""),
    "handover": ActionSpec("handover-v1", ("cio", "hysteresis", "ttt"), -1.0, 1.0, ("dB", "dB", "ms"),
                           decode_handover.__doc__ or ""),
}


def feature_spec(task: str) -> FeatureSpec:
    if task not in FEATURE_SPECS:
        raise KeyError(f"unknown task {task!r}; choose from {sorted(FEATURE_SPECS)}")
    return FEATURE_SPECS[task]


def action_spec(task: str) -> ActionSpec:
    if task not in ACTION_SPECS:
        raise KeyError(f"unknown task {task!r}; choose from {sorted(ACTION_SPECS)}")
    return ACTION_SPECS[task]
