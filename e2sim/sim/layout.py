"""Site/cell geometry and UE drop areas (pure functions of the scenario)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from e2sim.scenarios import Layout

GNB_ID_BITS = 22  # NR Cell Identity (36 bits) = gNB ID (22 bits here) || cell local ID (14 bits), TS 38.300


@dataclass(frozen=True)
class Geometry:
    site_xy: np.ndarray  # (S, 2) metres
    cell_site: np.ndarray  # (C,) site index of each cell
    cell_azimuth_deg: np.ndarray  # (C,)
    cell_ids: np.ndarray  # (C,) int64 NR Cell Identity
    neighbours: np.ndarray  # (C, C) bool, no self
    area_lo: np.ndarray  # (2,) mobility bounding box
    area_hi: np.ndarray  # (2,)
    road: bool  # corridor: vehicles drive along x with wrap-around


def hex_sites(num_sites: int, isd: float) -> np.ndarray:
    """Site centres of a 1 / 7 / 19-site hexagonal grid (rings 0, 1, 2) with inter-site distance ``isd``."""
    pts = [(0.0, 0.0)]
    if num_sites >= 7:
        for k in range(6):
            a = np.deg2rad(60.0 * k)
            pts.append((isd * np.cos(a), isd * np.sin(a)))
    if num_sites >= 19:
        for k in range(6):
            a = np.deg2rad(60.0 * k)
            pts.append((2 * isd * np.cos(a), 2 * isd * np.sin(a)))
            b = np.deg2rad(60.0 * k + 30.0)
            pts.append((np.sqrt(3.0) * isd * np.cos(b), np.sqrt(3.0) * isd * np.sin(b)))
    return np.asarray(pts[:num_sites], dtype=float)


def build_geometry(layout: Layout) -> Geometry:
    n_sec = len(layout.sector_azimuths_deg)
    if layout.type == "hex":
        sites = hex_sites(layout.num_sites, layout.isd_m)
        reach = np.abs(sites).max(initial=0.0) + layout.isd_m / np.sqrt(3.0)
        lo, hi = np.array([-reach, -reach]), np.array([reach, reach])
        road = False
    else:  # corridor: sites along x at y = road_offset, the road is y ~ 0
        x = np.arange(layout.num_sites) * layout.isd_m
        sites = np.stack([x, np.full_like(x, layout.road_offset_m)], axis=1)
        lo = np.array([-layout.isd_m / 2.0, -10.0])
        hi = np.array([x[-1] + layout.isd_m / 2.0, 10.0])
        road = True
    cell_site = np.repeat(np.arange(len(sites)), n_sec)
    az = np.tile(np.asarray(layout.sector_azimuths_deg, dtype=float), len(sites))
    local = np.tile(np.arange(n_sec), len(sites))
    cell_ids = ((cell_site.astype(np.int64) + 1) << (36 - GNB_ID_BITS)) | local.astype(np.int64)
    d = np.linalg.norm(sites[:, None, :] - sites[None, :, :], axis=-1)
    site_nb = d <= 1.5 * layout.isd_m
    nb = site_nb[cell_site][:, cell_site]
    np.fill_diagonal(nb, False)
    return Geometry(sites, cell_site, az, cell_ids, nb, lo, hi, road)
