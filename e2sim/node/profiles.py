"""Vendor profiles and the ``e2:`` section of a scenario: which gNB speaks which dialect of E2.

A vendor profile (``e2sim/node/vendors/<name>.yaml``, or inline under ``e2.profiles``) fixes what a real gNB
software load decides for itself: the E2SM-KPM version it implements (v03.00 or v02.03), the RAN function IDs
it assigns (E2AP 9.2.8: the node chooses them), what it puts into RANfunctionOID, the measurements and report
styles it supports, its report/granularity period limits, and known deviations ("quirks").

The scenario's ``e2:`` section (reserved top-level key, ignored by the simulator)::

    e2:
      plmn: "001-01"                       # PLMN of every gNB / cell (MCC-MNC)
      slices: {embb: {sst: 1}, urllc: {sst: 2}, mmtc: {sst: 3}}   # S-NSSAI of each simulator slice
      vendors: [nova, keystone]            # cycled over the sites: site i -> vendors[i % len]
      gnbs: {0: keystone}                  # optional per-site override (site index -> profile name)
      profiles: {myvendor: {...}}          # optional inline profiles (same fields as the YAML files)

Without an ``e2:`` section: PLMN 001-01, slices SST 1/2/3 (TS 23.501 5.15.2.2 standardised SST values eMBB=1,
URLLC=2, MIoT=3) and the shipped profiles alternating over the sites, so every run is multi-vendor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from e2sim.scenarios import SLICE_NAMES, ScenarioError
from e2sim.sim.measurements import CELL_MEASUREMENTS, SLICE_MEASUREMENTS, UE_MEASUREMENTS

__all__ = ["VENDOR_DIR", "E2Config", "VendorProfile", "load_profile", "parse_e2_config", "shipped_profiles"]

VENDOR_DIR = Path(__file__).resolve().parent / "vendors"
DEFAULT_VENDORS: tuple[str, ...] = ("nova", "keystone")
DEFAULT_SST: dict[str, int] = {"embb": 1, "urllc": 2, "mmtc": 3}
_NODE_MEASUREMENTS = (*CELL_MEASUREMENTS, *SLICE_MEASUREMENTS)


@dataclass(frozen=True)
class VendorProfile:
    """How one vendor's gNB behaves on E2 (see the module docstring and ``vendors/*.yaml``)."""

    name: str
    vendor_name: str
    kpm_version: str
    kpm_function_id: int
    rc_function_id: int
    ccc_function_id: int | None
    oid_is_short_name: bool  # quirk: RANfunctionOID carries the short name ("ORAN-E2SM-KPM")
    report_styles: tuple[int, ...]
    cell_measurements: tuple[str, ...]
    ue_measurements: tuple[str, ...]
    report_period_ms: tuple[int, int]
    granularity_period_ms: tuple[int, int]
    max_actions: int
    include_meas_info: bool
    ccc_outcome_wrapper: bool
    energy_saving_state: str

    def function_ids(self) -> dict[str, int]:
        ids = {"kpm": self.kpm_function_id, "rc": self.rc_function_id}
        if self.ccc_function_id is not None:
            ids["ccc"] = self.ccc_function_id
        return ids


def _err(path: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{path}: {msg}")


def _int(data: Mapping[str, Any], key: str, path: str, lo: int = 0, hi: int = 4095) -> int:
    v = data.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise _err(f"{path}.{key}", f"must be an integer {lo}..{hi}, got {v!r}")
    return v


def _names(value: Any, allowed: tuple[str, ...], path: str) -> tuple[str, ...]:
    if value == "all":
        return tuple(allowed)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(path, f"must be 'all' or a list of measurement names, got {value!r}")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise _err(path, f"unknown measurement(s) {unknown}; the simulator reports {list(allowed)}")
    return tuple(value)


def _range(data: Mapping[str, Any], key: str, path: str) -> tuple[int, int]:
    r = data.get(key)
    if not isinstance(r, Mapping):
        raise _err(f"{path}.{key}", "must be a mapping {min: MS, max: MS}")
    lo = _int(r, "min", f"{path}.{key}", 1, 2**32 - 1)
    hi = _int(r, "max", f"{path}.{key}", 1, 2**32 - 1)
    if lo > hi:
        raise _err(f"{path}.{key}", f"min {lo} > max {hi}")
    return lo, hi


def parse_profile(data: Mapping[str, Any], path: str = "profile") -> VendorProfile:
    """Validate one vendor profile mapping; errors name the field."""
    if not isinstance(data, Mapping):
        raise _err(path, "must be a mapping")
    known = {"name", "vendor_name", "kpm_version", "ran_function_ids", "ran_function_oid", "report_styles",
             "cell_measurements", "ue_measurements", "report_period_ms", "granularity_period_ms", "max_actions",
             "include_meas_info", "ccc_outcome_wrapper", "energy_saving_state"}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise _err(path, f"unknown field(s) {unknown}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise _err(f"{path}.name", "must be a non-empty string")
    version = str(data.get("kpm_version", ""))
    if version not in ("3.00", "2.03"):
        raise _err(f"{path}.kpm_version", f"must be \"3.00\" or \"2.03\", got {data.get('kpm_version')!r}")
    ids = data.get("ran_function_ids")
    if not isinstance(ids, Mapping):
        raise _err(f"{path}.ran_function_ids", "must be a mapping {kpm: ID, rc: ID, ccc: ID}")
    kpm = _int(ids, "kpm", f"{path}.ran_function_ids")
    rc = _int(ids, "rc", f"{path}.ran_function_ids")
    ccc = _int(ids, "ccc", f"{path}.ran_function_ids") if "ccc" in ids else None
    if len({kpm, rc, ccc} - {None}) != 2 + (ccc is not None):
        raise _err(f"{path}.ran_function_ids", "RAN function IDs must differ")
    oid_mode = data.get("ran_function_oid", "oid")
    if oid_mode not in ("oid", "short-name"):
        raise _err(f"{path}.ran_function_oid", f"must be 'oid' or 'short-name', got {oid_mode!r}")
    styles = data.get("report_styles", [1])
    if not isinstance(styles, list) or not styles or not set(styles) <= {1, 4}:
        raise _err(f"{path}.report_styles", f"must be a non-empty list of 1 and/or 4, got {styles!r}")
    state = data.get("energy_saving_state", "deep")
    if state not in ("micro", "light", "deep", "off"):
        raise _err(f"{path}.energy_saving_state", f"must be micro, light, deep or off, got {state!r}")
    flags = {}
    for key, default in (("include_meas_info", True), ("ccc_outcome_wrapper", True)):
        flags[key] = data.get(key, default)
        if not isinstance(flags[key], bool):
            raise _err(f"{path}.{key}", f"must be true or false, got {flags[key]!r}")
    return VendorProfile(
        name=name,
        vendor_name=str(data.get("vendor_name", name)),
        kpm_version=version,
        kpm_function_id=kpm,
        rc_function_id=rc,
        ccc_function_id=ccc,
        oid_is_short_name=oid_mode == "short-name",
        report_styles=tuple(sorted(set(styles))),
        cell_measurements=_names(data.get("cell_measurements", "all"), _NODE_MEASUREMENTS,
                                 f"{path}.cell_measurements"),
        ue_measurements=_names(data.get("ue_measurements", "all"), tuple(UE_MEASUREMENTS),
                               f"{path}.ue_measurements"),
        report_period_ms=_range(data, "report_period_ms", path),
        granularity_period_ms=_range(data, "granularity_period_ms", path),
        max_actions=_int(data, "max_actions", path, 1, 16) if "max_actions" in data else 16,
        include_meas_info=flags["include_meas_info"],
        ccc_outcome_wrapper=flags["ccc_outcome_wrapper"],
        energy_saving_state=state,
    )


def shipped_profiles() -> list[str]:
    """Names of the vendor profiles shipped in ``e2sim/node/vendors``."""
    return sorted(p.stem for p in VENDOR_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> VendorProfile:
    """A shipped profile by name (``nova``) or a YAML file path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = VENDOR_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        raise ScenarioError(f"e2.vendors: unknown vendor profile {str(name_or_path)!r}; shipped: "
                            f"{', '.join(shipped_profiles())} (or a path to a .yaml file)")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ScenarioError(f"vendor profile {path}: not valid YAML: {exc}") from None
    return parse_profile(data, path=f"vendor profile {path.name}")


@dataclass(frozen=True)
class E2Config:
    """The parsed ``e2:`` section: PLMN, slice S-NSSAIs and the vendor profile of every site (gNB)."""

    mcc: str = "001"
    mnc: str = "01"
    slice_sst: tuple[tuple[int, int | None], ...] = tuple((DEFAULT_SST[s], None) for s in SLICE_NAMES)
    site_profiles: tuple[VendorProfile, ...] = field(default_factory=tuple)

    def profile_of(self, site: int) -> VendorProfile:
        return self.site_profiles[site % len(self.site_profiles)]


def parse_e2_config(section: Any, num_sites: int) -> E2Config:
    """Validate a scenario's ``e2:`` section (None -> defaults); errors are ScenarioError naming ``e2.<field>``."""
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        raise _err("e2", "must be a mapping")
    unknown = sorted(set(map(str, section)) - {"plmn", "slices", "vendors", "gnbs", "profiles"})
    if unknown:
        raise _err("e2", f"unknown field(s) {unknown}")
    plmn = str(section.get("plmn", "001-01"))
    mcc, _, mnc = plmn.partition("-")
    if len(mcc) != 3 or len(mnc) not in (2, 3) or not (mcc + mnc).isdigit():
        raise _err("e2.plmn", f"must be MCC-MNC (3 and 2-3 digits), got {plmn!r}")
    slices_in = section.get("slices", {})
    if not isinstance(slices_in, Mapping) or not set(slices_in) <= set(SLICE_NAMES):
        raise _err("e2.slices", f"must map slice names {list(SLICE_NAMES)} to {{sst, sd}}")
    sst: list[tuple[int, int | None]] = []
    for s in SLICE_NAMES:
        entry = slices_in.get(s, {"sst": DEFAULT_SST[s]})
        if not isinstance(entry, Mapping):
            raise _err(f"e2.slices.{s}", "must be a mapping {sst: 0..255, sd: 0..16777215}")
        value = _int(entry, "sst", f"e2.slices.{s}", 0, 255)
        sd = _int(entry, "sd", f"e2.slices.{s}", 0, 2**24 - 1) if "sd" in entry else None
        sst.append((value, sd))
    if len(set(sst)) != len(sst):
        raise _err("e2.slices", "S-NSSAIs must be distinct")
    inline = section.get("profiles", {})
    if not isinstance(inline, Mapping):
        raise _err("e2.profiles", "must map profile names to profile mappings")
    profiles = {str(k): parse_profile({"name": str(k), **v} if isinstance(v, Mapping) else v, f"e2.profiles.{k}")
                for k, v in inline.items()}

    def get(name: Any, path: str) -> VendorProfile:
        if not isinstance(name, str):
            raise _err(path, f"must be a profile name, got {name!r}")
        return profiles[name] if name in profiles else load_profile(name)

    vendors = section.get("vendors", list(DEFAULT_VENDORS))
    if not isinstance(vendors, list) or not vendors:
        raise _err("e2.vendors", "must be a non-empty list of profile names")
    cycle = [get(v, f"e2.vendors[{i}]") for i, v in enumerate(vendors)]
    per_site = [cycle[i % len(cycle)] for i in range(num_sites)]
    gnbs = section.get("gnbs", {})
    if not isinstance(gnbs, Mapping):
        raise _err("e2.gnbs", "must map site indices to profile names")
    for key, name in gnbs.items():
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < num_sites:
            raise _err("e2.gnbs", f"site index must be an integer 0..{num_sites - 1}, got {key!r}")
        per_site[key] = get(name, f"e2.gnbs.{key}")
    return E2Config(mcc, mnc, tuple(sst), tuple(per_site))
