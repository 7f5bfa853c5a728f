"""Scenario files: typed, validated description of one simulated RAN.

A scenario is a YAML file (``e2sim/scenarios/*.yaml`` ships the named ones; any path works too). Every field is
documented in ``docs/scenarios.md``. :func:`load_scenario` turns a name, a path or a mapping into a frozen
:class:`Scenario` and raises :class:`ScenarioError` naming the offending field (``cells.bandwidth_mhz: must be one
of ...``) on any bad value, so a typo never silently becomes a default.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CIO_VALUES_DB",
    "PRB_TABLE",
    "RESERVED_TOP_LEVEL_KEYS",
    "SLICE_NAMES",
    "TTT_VALUES_MS",
    "Carrier",
    "HandoverConfig",
    "Layout",
    "Mobility",
    "PowerModel",
    "Scenario",
    "ScenarioError",
    "SleepState",
    "SliceConfig",
    "TimeConfig",
    "TrafficProfile",
    "list_scenarios",
    "load_scenario",
    "prb_count",
]

SCENARIO_DIR = Path(__file__).resolve().parent
SLICE_NAMES: tuple[str, ...] = ("embb", "urllc", "mmtc")
# Top-level keys that other parts of ranpilot own; the simulator ignores them (the E2 node agent reads ``e2``).
RESERVED_TOP_LEVEL_KEYS: frozenset[str] = frozenset({"e2"})

# TS 38.101-1 Table 5.3.2-1: maximum transmission bandwidth N_RB per channel bandwidth (MHz) and SCS (kHz), FR1.
PRB_TABLE: dict[int, dict[int, int]] = {
    15: {5: 25, 10: 52, 15: 79, 20: 106, 25: 133, 30: 160, 40: 216, 50: 270},
    30: {5: 11, 10: 24, 15: 38, 20: 51, 25: 65, 30: 78, 40: 106, 50: 133, 60: 162, 70: 189, 80: 217, 90: 245,
         100: 273},
    60: {10: 11, 15: 18, 20: 24, 25: 31, 30: 38, 40: 51, 50: 65, 60: 79, 70: 93, 80: 107, 90: 121, 100: 135},
}
# TS 38.331 TimeToTrigger ENUMERATED value set (ms).
TTT_VALUES_MS: tuple[int, ...] = (0, 40, 64, 80, 100, 128, 160, 256, 320, 480, 512, 640, 1024, 1280, 2560, 5120)
# TS 38.331 Q-OffsetRange (cellIndividualOffset) value set (dB).
CIO_VALUES_DB: tuple[int, ...] = (-24, -22, -20, -18, -16, -14, -12, -10, -8, -6, -5, -4, -3, -2, -1, 0,
                                  1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24)


class ScenarioError(ValueError):
    """A scenario file or mapping is invalid; the message starts with the dotted path of the bad field."""


def prb_count(bandwidth_mhz: int, scs_khz: int) -> int:
    """Number of PRBs of an FR1 carrier (TS 38.101-1 Table 5.3.2-1), e.g. 20 MHz @ 30 kHz -> 51."""
    try:
        return PRB_TABLE[int(scs_khz)][int(bandwidth_mhz)]
    except KeyError:
        raise ScenarioError(
            f"carrier: no N_RB for bandwidth {bandwidth_mhz} MHz at SCS {scs_khz} kHz (TS 38.101-1 Table 5.3.2-1)"
        ) from None


# ----------------------------------------------------------------------------------------------- dataclasses
@dataclass(frozen=True)
class Layout:
    """Where the sites are. ``hex``: 1/7/19 sites on a hexagonal grid; ``corridor``: a line of sites by a road."""

    type: str = "hex"
    num_sites: int = 7
    isd_m: float = 500.0
    sector_azimuths_deg: tuple[float, ...] = (30.0, 150.0, 270.0)
    environment: str = "UMa"  # TR 38.901 path-loss model: UMa | UMi
    bs_height_m: float = 25.0
    ue_height_m: float = 1.5
    downtilt_deg: float = 12.0
    road_offset_m: float = 35.0  # corridor only: distance of the site line from the road
    min_distance_m: float = 35.0  # minimum 2D BS-UE distance (TR 38.901 Table 7.2-1: UMa 35 m, UMi 10 m)


@dataclass(frozen=True)
class Carrier:
    """Carrier and link budget. PRB count follows from bandwidth and SCS (TS 38.101-1)."""

    frequency_ghz: float = 3.5
    bandwidth_mhz: int = 20
    scs_khz: int = 30
    mimo_layers: int = 2
    ue_noise_figure_db: float = 9.0
    antenna_max_gain_dbi: float = 8.0  # TR 38.901 Table 7.3-1
    antenna_hpbw_deg: float = 65.0
    antenna_max_attenuation_db: float = 30.0
    shadowing: bool = True
    shadow_decorrelation_m: float = 50.0
    cqi_table: int = 1  # 1: TS 38.214 Table 5.2.2.1-2 (64QAM), 2: Table 5.2.2.1-3 (256QAM)
    snr_gap_db: float = 3.0  # SINR -> CQI: highest CQI with efficiency <= log2(1 + SINR / gap)
    overhead: float = 0.14  # TS 38.306 4.1.2 OH for FR1 DL
    interference_load_floor: float = 0.05  # idle cells still radiate SSB / control: min load seen by neighbours

    @property
    def num_prbs(self) -> int:
        return prb_count(self.bandwidth_mhz, self.scs_khz)


@dataclass(frozen=True)
class SleepState:
    """A TR 38.864-style base-station power state (relative power, transition time and energy)."""

    name: str
    relative_power: float  # TR 38.864 Table 5.1-1 relative units (deep sleep = 1)
    transition_ms: float  # total time to wake back to active
    transition_energy: float  # additional transition energy, relative units x ms


@dataclass(frozen=True)
class PowerModel:
    """EARTH power model (Auer et al., 2011, Table 2): P_in = N_TRX*(P0 + dp*P_out), asleep N_TRX*P_sleep."""

    name: str = "macro"
    n_trx: int = 2  # transceivers per cell (macro: 6 per 3-sector site)
    p_max_w: float = 20.0  # max RF output power per TRX
    p0_w: float = 130.0
    delta_p: float = 4.7
    p_sleep_w: float = 75.0
    states: tuple[SleepState, ...] = ()

    @property
    def tx_power_dbm(self) -> float:
        """Total cell transmit power = N_TRX * P_max."""
        return 10.0 * math.log10(self.n_trx * self.p_max_w * 1000.0)


@dataclass(frozen=True)
class SliceConfig:
    """One network slice: SLA and initial TS 28.541 RRMPolicyRatio (percent of the cell's PRBs)."""

    name: str
    min_rate_mbps: float | None = None  # SLA: slice mean UE throughput must be >= this (None: no rate SLA)
    max_delay_ms: float | None = None  # SLA: slice mean packet delay must be <= this (None: no delay SLA)
    min_ratio: float = 0.0
    max_ratio: float = 100.0
    dedicated_ratio: float = 0.0


@dataclass(frozen=True)
class SliceTraffic:
    """Traffic of one slice: UE count and packet/file arrivals (Poisson)."""

    ues_per_cell: float = 0.0  # average UEs of this slice per cell (total = round(ues_per_cell * num_cells))
    full_buffer_fraction: float = 0.0  # share of UEs with a full buffer (eMBB)
    packet_bytes: float = 0.0  # file (FTP model 3) or packet size
    arrival_rate_hz: float = 0.0  # files/packets per second per UE at profile factor 1


@dataclass(frozen=True)
class TrafficProfile:
    """24-hour load profile; ``hours_per_episode`` > 0 maps episode progress onto the hours of the day."""

    hourly: tuple[float, ...] = (1.0,) * 24
    start_hour: float = 12.0
    hours_per_episode: float = 0.0  # 0: constant hour (start_hour) for the whole episode


@dataclass(frozen=True)
class Mobility:
    """Share of UEs per mobility model and their speed ranges (m/s)."""

    static: float = 1.0
    pedestrian: float = 0.0
    vehicular: float = 0.0
    pedestrian_speed_mps: tuple[float, float] = (0.5, 1.5)
    vehicular_speed_mps: tuple[float, float] = (8.0, 25.0)


@dataclass(frozen=True)
class HandoverConfig:
    """Initial HO parameters (TS 38.331 value sets) and radio-link-failure model."""

    hysteresis_db: float = 2.0  # 0..15 dB in 0.5 dB steps (38.331 Hysteresis)
    ttt_ms: int = 256  # 38.331 TimeToTrigger value set
    cio_db: float = 0.0  # initial per-neighbour CIO, 38.331 Q-OffsetRange value set
    l3_filter_k: int = 4  # 38.331 filterCoefficient: a = 1/2^(k/4)
    interruption_ms: float = 30.0  # user-plane interruption per HO
    ho_failure_sinr_db: float = -6.0  # HO fails when the target's SINR is below this at execution
    qout_sinr_db: float = -8.0  # out-of-sync threshold (TS 38.133 Qout ~ 10% PDCCH BLER)
    qin_sinr_db: float = -6.0  # in-sync threshold (Qin ~ 2% BLER)
    t310_ms: float = 1000.0
    reestablishment_ms: float = 500.0
    ping_pong_window_s: float = 1.0


@dataclass(frozen=True)
class TimeConfig:
    tick_ms: float = 100.0  # physics time step
    decision_period_ms: float = 1000.0  # env step = measurement period = one RL decision
    episode_decisions: int = 60  # decisions per episode


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build it with :func:`load_scenario`."""

    name: str
    description: str
    layout: Layout
    carrier: Carrier
    power: PowerModel
    slices: tuple[SliceConfig, ...]
    traffic: dict[str, SliceTraffic]
    profile: TrafficProfile
    mobility: Mobility
    handover: HandoverConfig
    time: TimeConfig
    source: str = "<mapping>"
    extra: dict[str, Any] = field(default_factory=dict)  # reserved top-level sections (``e2``), untouched

    @property
    def num_cells(self) -> int:
        return self.layout.num_sites * len(self.layout.sector_azimuths_deg)

    @property
    def ticks_per_decision(self) -> int:
        return int(round(self.time.decision_period_ms / self.time.tick_ms))

    def replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)


# ------------------------------------------------------------------------------------------ sleep states
def default_sleep_states() -> tuple[SleepState, ...]:
    """TR 38.864 Table 5.1-1 (BS category 1): relative power deep 1, light 20, micro 45; transition time deep
    50 ms, light 6 ms, micro ~0; additional transition energy deep 1000, light 100 (relative units x ms).
    'off' is a full cell switch-off: 0 W and a configurable multi-second reactivation."""
    return (
        SleepState("micro", 45.0, 0.0, 0.0),
        SleepState("light", 20.0, 6.0, 100.0),
        SleepState("deep", 1.0, 50.0, 1000.0),
        SleepState("off", 0.0, 2000.0, 0.0),
    )


# EARTH (Auer et al., "How much energy is needed to run a wireless network?", IEEE Wireless Commun. 2011, Table 2).
# Values per TRX. Macro: 6 TRX per 3-sector site -> 2 per sector cell.
EARTH_PARAMETERS: dict[str, dict[str, float]] = {
    "macro": {"n_trx": 2, "p_max_w": 20.0, "p0_w": 130.0, "delta_p": 4.7, "p_sleep_w": 75.0},
    "rrh": {"n_trx": 2, "p_max_w": 20.0, "p0_w": 84.0, "delta_p": 2.8, "p_sleep_w": 56.0},
    "micro": {"n_trx": 2, "p_max_w": 6.3, "p0_w": 56.0, "delta_p": 2.6, "p_sleep_w": 39.0},
    "pico": {"n_trx": 2, "p_max_w": 0.13, "p0_w": 6.8, "delta_p": 4.0, "p_sleep_w": 4.3},
}


# ----------------------------------------------------------------------------------------------- validation
class _Reader:
    """Reads one mapping section, recording the dotted path for error messages."""

    def __init__(self, data: Any, path: str) -> None:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{path}: must be a mapping, got {type(data).__name__}")
        self.data = dict(data)
        self.path = path
        self.used: set[str] = set()

    def _p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any) -> Any:
        self.used.add(key)
        return self.data.get(key, default)

    def num(self, key: str, default: float, lo: float | None = None, hi: float | None = None,
            lo_open: bool = False, allow_none: bool = False) -> Any:
        v = self.raw(key, default)
        if v is None and allow_none:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
            raise ScenarioError(f"{self._p(key)}: must be a finite number, got {v!r}")
        v = float(v)
        if lo is not None and (v < lo or (lo_open and v == lo)):
            raise ScenarioError(f"{self._p(key)}: must be {'>' if lo_open else '>='} {lo:g}, got {v:g}")
        if hi is not None and v > hi:
            raise ScenarioError(f"{self._p(key)}: must be <= {hi:g}, got {v:g}")
        return v

    def integer(self, key: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
        v = self.raw(key, default)
        if isinstance(v, bool) or not isinstance(v, int):
            raise ScenarioError(f"{self._p(key)}: must be an integer, got {v!r}")
        if lo is not None and v < lo:
            raise ScenarioError(f"{self._p(key)}: must be >= {lo}, got {v}")
        if hi is not None and v > hi:
            raise ScenarioError(f"{self._p(key)}: must be <= {hi}, got {v}")
        return v

    def choice(self, key: str, default: Any, choices: tuple[Any, ...]) -> Any:
        v = self.raw(key, default)
        if v not in choices:
            raise ScenarioError(f"{self._p(key)}: must be one of {', '.join(map(str, choices))}; got {v!r}")
        return v

    def boolean(self, key: str, default: bool) -> bool:
        v = self.raw(key, default)
        if not isinstance(v, bool):
            raise ScenarioError(f"{self._p(key)}: must be true or false, got {v!r}")
        return v

    def string(self, key: str, default: str) -> str:
        v = self.raw(key, default)
        if not isinstance(v, str):
            raise ScenarioError(f"{self._p(key)}: must be a string, got {v!r}")
        return v

    def numlist(self, key: str, default: tuple[float, ...], length: int | None = None, lo: float | None = None,
                min_len: int = 1) -> tuple[float, ...]:
        v = self.raw(key, default)
        if not isinstance(v, (list, tuple)) or len(v) < min_len:
            raise ScenarioError(f"{self._p(key)}: must be a list of at least {min_len} numbers, got {v!r}")
        if length is not None and len(v) != length:
            raise ScenarioError(f"{self._p(key)}: must have exactly {length} entries, got {len(v)}")
        out = []
        for i, x in enumerate(v):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(float(x)):
                raise ScenarioError(f"{self._p(key)}[{i}]: must be a finite number, got {x!r}")
            if lo is not None and x < lo:
                raise ScenarioError(f"{self._p(key)}[{i}]: must be >= {lo:g}, got {x!r}")
            out.append(float(x))
        return tuple(out)

    def section(self, key: str) -> _Reader:
        self.used.add(key)
        return _Reader(self.data.get(key), self._p(key))

    def done(self, allowed_extra: frozenset[str] = frozenset()) -> None:
        unknown = sorted(set(map(str, self.data)) - self.used - allowed_extra)
        if unknown:
            where = self.path or "scenario"
            raise ScenarioError(f"{self._p(unknown[0])}: unknown field in {where} (check the spelling; "
                                f"see docs/scenarios.md)")


def _range(r: _Reader, key: str, default: tuple[float, float]) -> tuple[float, float]:
    lo, hi = r.numlist(key, default, length=2, lo=0.0)
    if lo > hi:
        raise ScenarioError(f"{r._p(key)}: first value (min) must be <= second (max), got [{lo:g}, {hi:g}]")
    return (lo, hi)


def _parse_layout(r: _Reader) -> Layout:
    ltype = r.choice("type", "hex", ("hex", "corridor"))
    if ltype == "hex":
        n = r.choice("num_sites", 7, (1, 7, 19))
    else:
        n = r.integer("num_sites", 8, lo=1, hi=64)
    default_az = (30.0, 150.0, 270.0) if ltype == "hex" else (0.0, 180.0)
    az = r.numlist("sector_azimuths_deg", default_az)
    if len(az) > 6:
        raise ScenarioError(f"{r._p('sector_azimuths_deg')}: at most 6 sectors per site, got {len(az)}")
    env = r.choice("environment", "UMa", ("UMa", "UMi"))
    lay = Layout(
        type=ltype, num_sites=int(n), isd_m=r.num("isd_m", 500.0, lo=10.0, hi=10000.0),
        sector_azimuths_deg=az, environment=env,
        bs_height_m=r.num("bs_height_m", 25.0 if env == "UMa" else 10.0, lo=1.5, hi=100.0),
        ue_height_m=r.num("ue_height_m", 1.5, lo=1.0, hi=22.5),
        downtilt_deg=r.num("downtilt_deg", 12.0, lo=0.0, hi=45.0),
        road_offset_m=r.num("road_offset_m", 35.0, lo=0.0, hi=1000.0),
        min_distance_m=r.num("min_distance_m", 35.0 if env == "UMa" else 10.0, lo=1.0, hi=1000.0),
    )
    if lay.bs_height_m <= lay.ue_height_m:
        raise ScenarioError(f"{r._p('bs_height_m')}: must be above layout.ue_height_m")
    r.done()
    return lay


def _parse_carrier(r: _Reader) -> Carrier:
    scs = r.choice("scs_khz", 30, tuple(PRB_TABLE))
    bw = r.choice("bandwidth_mhz", 20, tuple(PRB_TABLE[scs]))
    c = Carrier(
        frequency_ghz=r.num("frequency_ghz", 3.5, lo=0.5, hi=7.125),
        bandwidth_mhz=int(bw), scs_khz=int(scs),
        mimo_layers=r.choice("mimo_layers", 2, (1, 2, 4)),
        ue_noise_figure_db=r.num("ue_noise_figure_db", 9.0, lo=0.0, hi=20.0),
        antenna_max_gain_dbi=r.num("antenna_max_gain_dbi", 8.0, lo=0.0, hi=30.0),
        antenna_hpbw_deg=r.num("antenna_hpbw_deg", 65.0, lo=10.0, hi=360.0),
        antenna_max_attenuation_db=r.num("antenna_max_attenuation_db", 30.0, lo=0.0, hi=60.0),
        shadowing=r.boolean("shadowing", True),
        shadow_decorrelation_m=r.num("shadow_decorrelation_m", 50.0, lo=1.0, lo_open=False),
        cqi_table=r.choice("cqi_table", 1, (1, 2)),
        snr_gap_db=r.num("snr_gap_db", 3.0, lo=0.0, hi=10.0),
        overhead=r.num("overhead", 0.14, lo=0.0, hi=0.5),
        interference_load_floor=r.num("interference_load_floor", 0.05, lo=0.0, hi=1.0),
    )
    r.done()
    return c


_STATE_NAMES = ("micro", "light", "deep", "off")


def _parse_power(r: _Reader) -> PowerModel:
    preset = r.choice("preset", "macro", tuple(EARTH_PARAMETERS))
    base = EARTH_PARAMETERS[preset]
    n_trx = r.integer("n_trx", int(base["n_trx"]), lo=1, hi=64)
    states_r = r.section("sleep_states")
    defaults = {s.name: s for s in default_sleep_states()}
    states = []
    for name in _STATE_NAMES:
        sr = states_r.section(name)
        d = defaults[name]
        states.append(SleepState(
            name, sr.num("relative_power", d.relative_power, lo=0.0),
            sr.num("transition_ms", d.transition_ms, lo=0.0, hi=60000.0),
            sr.num("transition_energy", d.transition_energy, lo=0.0)))
        sr.done()
    states_r.done()
    pm = PowerModel(
        name=preset, n_trx=n_trx,
        p_max_w=r.num("p_max_w", base["p_max_w"], lo=0.0, lo_open=True),
        p0_w=r.num("p0_w", base["p0_w"], lo=0.0),
        delta_p=r.num("delta_p", base["delta_p"], lo=0.0),
        p_sleep_w=r.num("p_sleep_w", base["p_sleep_w"], lo=0.0),
        states=tuple(states),
    )
    if pm.p_sleep_w > pm.p0_w:
        raise ScenarioError(f"{r._p('p_sleep_w')}: must be <= power.p0_w (sleeping cannot cost more than idle)")
    r.done()
    return pm


def _parse_slices(r: _Reader) -> tuple[SliceConfig, ...]:
    out = []
    for name in SLICE_NAMES:
        s = r.section(name)
        sla = s.section("sla")
        pol = s.section("rrm_policy")
        cfg = SliceConfig(
            name=name,
            min_rate_mbps=sla.num("min_rate_mbps", None, lo=0.0, allow_none=True),
            max_delay_ms=sla.num("max_delay_ms", None, lo=0.0, lo_open=True, allow_none=True),
            min_ratio=pol.num("min_ratio", 0.0, lo=0.0, hi=100.0),
            max_ratio=pol.num("max_ratio", 100.0, lo=0.0, hi=100.0),
            dedicated_ratio=pol.num("dedicated_ratio", 0.0, lo=0.0, hi=100.0),
        )
        if not cfg.dedicated_ratio <= cfg.min_ratio <= cfg.max_ratio:
            raise ScenarioError(f"{pol.path}: TS 28.541 requires dedicated_ratio <= min_ratio <= max_ratio, got "
                                f"{cfg.dedicated_ratio:g} / {cfg.min_ratio:g} / {cfg.max_ratio:g}")
        sla.done()
        pol.done()
        s.done()
        out.append(cfg)
    if sum(c.min_ratio for c in out) > 100.0 + 1e-9:
        raise ScenarioError(f"{r.path}: the sum of rrm_policy.min_ratio over slices must be <= 100")
    r.done()
    return tuple(out)


def _parse_traffic(r: _Reader) -> dict[str, SliceTraffic]:
    out = {}
    for name in SLICE_NAMES:
        t = r.section(name)
        out[name] = SliceTraffic(
            ues_per_cell=t.num("ues_per_cell", 0.0, lo=0.0, hi=1000.0),
            full_buffer_fraction=t.num("full_buffer_fraction", 0.0, lo=0.0, hi=1.0),
            packet_bytes=t.num("packet_bytes", 0.0, lo=0.0, hi=1e9),
            arrival_rate_hz=t.num("arrival_rate_hz", 0.0, lo=0.0, hi=1e5),
        )
        t.done()
    r.done()
    if sum(t.ues_per_cell for t in out.values()) <= 0:
        raise ScenarioError(f"{r.path}: at least one slice needs ues_per_cell > 0")
    return out


def _parse_profile(r: _Reader) -> TrafficProfile:
    p = TrafficProfile(
        hourly=r.numlist("hourly", (1.0,) * 24, length=24, lo=0.0),
        start_hour=r.num("start_hour", 12.0, lo=0.0, hi=24.0),
        hours_per_episode=r.num("hours_per_episode", 0.0, lo=0.0, hi=24.0),
    )
    r.done()
    return p


def _parse_mobility(r: _Reader) -> Mobility:
    m = Mobility(
        static=r.num("static", 1.0, lo=0.0, hi=1.0),
        pedestrian=r.num("pedestrian", 0.0, lo=0.0, hi=1.0),
        vehicular=r.num("vehicular", 0.0, lo=0.0, hi=1.0),
        pedestrian_speed_mps=_range(r, "pedestrian_speed_mps", (0.5, 1.5)),
        vehicular_speed_mps=_range(r, "vehicular_speed_mps", (8.0, 25.0)),
    )
    if abs(m.static + m.pedestrian + m.vehicular - 1.0) > 1e-6:
        raise ScenarioError(f"{r.path}: static + pedestrian + vehicular must sum to 1, got "
                            f"{m.static + m.pedestrian + m.vehicular:g}")
    r.done()
    return m


def _parse_handover(r: _Reader) -> HandoverConfig:
    hyst = r.num("hysteresis_db", 2.0, lo=0.0, hi=15.0)
    if abs(hyst * 2 - round(hyst * 2)) > 1e-9:
        raise ScenarioError(f"{r._p('hysteresis_db')}: must be a multiple of 0.5 dB (TS 38.331), got {hyst:g}")
    h = HandoverConfig(
        hysteresis_db=hyst,
        ttt_ms=r.choice("ttt_ms", 256, TTT_VALUES_MS),
        cio_db=float(r.choice("cio_db", 0, CIO_VALUES_DB)),
        l3_filter_k=r.choice("l3_filter_k", 4, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15, 17, 19)),
        interruption_ms=r.num("interruption_ms", 30.0, lo=0.0, hi=1000.0),
        ho_failure_sinr_db=r.num("ho_failure_sinr_db", -6.0, lo=-30.0, hi=30.0),
        qout_sinr_db=r.num("qout_sinr_db", -8.0, lo=-30.0, hi=30.0),
        qin_sinr_db=r.num("qin_sinr_db", -6.0, lo=-30.0, hi=30.0),
        t310_ms=r.choice("t310_ms", 1000, (0, 50, 100, 200, 500, 1000, 2000, 4000, 6000)),
        reestablishment_ms=r.num("reestablishment_ms", 500.0, lo=0.0, hi=60000.0),
        ping_pong_window_s=r.num("ping_pong_window_s", 1.0, lo=0.0, hi=60.0),
    )
    if h.qin_sinr_db < h.qout_sinr_db:
        raise ScenarioError(f"{r._p('qin_sinr_db')}: must be >= handover.qout_sinr_db")
    r.done()
    return h


def _parse_time(r: _Reader) -> TimeConfig:
    t = TimeConfig(
        tick_ms=r.num("tick_ms", 100.0, lo=1.0, hi=1000.0),
        decision_period_ms=r.num("decision_period_ms", 1000.0, lo=1.0, hi=60000.0),
        episode_decisions=r.integer("episode_decisions", 60, lo=1, hi=100000),
    )
    ratio = t.decision_period_ms / t.tick_ms
    if abs(ratio - round(ratio)) > 1e-9:
        raise ScenarioError(f"{r._p('decision_period_ms')}: must be a whole multiple of time.tick_ms "
                            f"({t.tick_ms:g}), got {t.decision_period_ms:g}")
    r.done()
    return t


def parse_scenario(data: Mapping[str, Any], source: str = "<mapping>") -> Scenario:
    """Validate a scenario mapping (as read from YAML) into a :class:`Scenario`."""
    r = _Reader(data, "")
    sc = Scenario(
        name=r.string("name", Path(source).stem if source != "<mapping>" else "custom"),
        description=r.string("description", ""),
        layout=_parse_layout(r.section("layout")),
        carrier=_parse_carrier(r.section("carrier")),
        power=_parse_power(r.section("power")),
        slices=_parse_slices(r.section("slices")),
        traffic=_parse_traffic(r.section("traffic")),
        profile=_parse_profile(r.section("profile")),
        mobility=_parse_mobility(r.section("mobility")),
        handover=_parse_handover(r.section("handover")),
        time=_parse_time(r.section("time")),
        source=source,
        extra={k: data[k] for k in RESERVED_TOP_LEVEL_KEYS if k in data},
    )
    r.done(allowed_extra=RESERVED_TOP_LEVEL_KEYS)
    return sc


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with ranpilot."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load_scenario(name_or_path: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """Load and validate a scenario from a shipped name (``dense-urban``), a YAML path or a mapping.

    Raises :class:`ScenarioError` whose message names the bad field, e.g.
    ``carrier.bandwidth_mhz: must be one of 5, 10, ...; got 19``.
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    if isinstance(name_or_path, Mapping):
        return parse_scenario(name_or_path)
    text = str(name_or_path)
    path = Path(text)
    if not (path.suffix in (".yaml", ".yml") or path.exists()):
        path = SCENARIO_DIR / f"{text}.yaml"
        if not path.exists():
            raise ScenarioError(f"scenario: unknown name {text!r}; shipped scenarios: {', '.join(list_scenarios())} "
                                f"(or give a path to a .yaml file)")
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ScenarioError(f"scenario: file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"scenario: {path} is not valid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(f"scenario: {path} must contain a mapping at the top level")
    return parse_scenario(data, source=str(path))
