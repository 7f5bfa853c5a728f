"""Small lab scenarios shared by the end-to-end tests (e2sim nodes, the embedded RIC, policy serving).

A corridor of 3-sector sites with static UEs (stable radio, so handover and control outcomes are deterministic)
and a 1 s measurement period (the "keystone" vendor's minimum report period).
"""

from __future__ import annotations

from typing import Any


def corridor_lab(name: str, vendors: list[str], *, ues: tuple[int, int, int] = (3, 2, 2),
                 embb_full_buffer: float = 0.5, embb_bytes: int = 500_000, embb_rate_hz: float = 0.5,
                 urllc_rate_hz: float = 50.0, episode_decisions: int = 60) -> dict[str, Any]:
    """A scenario dict with one site per entry of ``vendors`` (the e2sim vendor profile of that gNB)."""
    embb, urllc, mmtc = ues
    return {
        "name": name,
        "description": f"{len(vendors)} gNBs ({', '.join(vendors)}) on a corridor",
        "layout": {"type": "corridor", "num_sites": len(vendors), "isd_m": 400,
                   "sector_azimuths_deg": [0, 120, 240], "road_offset_m": 30},
        "carrier": {"frequency_ghz": 3.5, "bandwidth_mhz": 20, "scs_khz": 30},
        "power": {"preset": "macro"},
        "slices": {"embb": {"rrm_policy": {"min_ratio": 40, "max_ratio": 100}},
                   "urllc": {"rrm_policy": {"min_ratio": 20, "max_ratio": 100, "dedicated_ratio": 5}},
                   "mmtc": {"rrm_policy": {"min_ratio": 5, "max_ratio": 50}}},
        "traffic": {"embb": {"ues_per_cell": embb, "full_buffer_fraction": embb_full_buffer,
                             "packet_bytes": embb_bytes, "arrival_rate_hz": embb_rate_hz},
                    "urllc": {"ues_per_cell": urllc, "packet_bytes": 200, "arrival_rate_hz": urllc_rate_hz},
                    "mmtc": {"ues_per_cell": mmtc, "packet_bytes": 100, "arrival_rate_hz": 0.2}},
        "mobility": {"static": 1.0},
        "time": {"tick_ms": 100, "decision_period_ms": 1000, "episode_decisions": episode_decisions},
        "e2": {"plmn": "001-01", "vendors": list(vendors)},
    }
