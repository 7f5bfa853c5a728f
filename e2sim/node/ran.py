"""The simulator seen through E2 identities: gNBs, NR CGIs, S-NSSAIs, UE IDs, and how counters aggregate.

One :class:`RanContext` wraps the one :class:`~e2sim.sim.RanSimulator` that drives every gNB (instance ``b`` of
its batch is one copy of the scenario's RAN; normally there is one). A site of the scenario is a gNB:

* global gNB ID (TS 38.413 9.3.1.6, 22 bits here): ``b * num_sites + site + 1``;
* NR Cell Identity (TS 38.300 8.2): gNB ID in the leftmost 22 bits, the sector index in the other 14 - for
  ``b = 0`` exactly the simulator's ``cell_ids``;
* UE ID (E2SM 6.2.2.6 gNB-UEID): AMF UE NGAP ID = the simulator's UE index, one GUAMI for the whole RAN;
* slices: the ``e2.slices`` S-NSSAIs in simulator slice order.

Time aggregation (a KPM granularity period spanning several simulator measurement periods) and node-level
aggregation (an action without a cell) follow what each TS 28.552 measurement is: counters and volumes add up,
means average over equal-length periods, maxima take the maximum, states take the last value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from e2.sm.common import GnbUeId, Guami, NrCgi, Plmn, Snssai
from e2sim.node.profiles import E2Config, VendorProfile
from e2sim.sim import Measurements, RanSimulator
from e2sim.sim.layout import GNB_ID_BITS
from e2sim.sim.measurements import CELL_MEASUREMENTS, SLICE_MEASUREMENTS, UE_MEASUREMENTS

__all__ = ["GnbSpec", "RanContext", "aggregate_cells", "aggregate_time"]

_SUM_TIME = {"PEE.Energy", "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeDL.SNSSAI", "MM.HoExeIntraReq",
             "MM.HoExeIntraSucc", "MM.HoExeInterReq", "MM.HoExeInterSucc", "E2SIM.RlfCount", "E2SIM.PingPongCount",
             "E2SIM.DropCount", "E2SIM.SlaViolations"}
_MAX_TIME = {"RRC.ConnMax", "E2SIM.SlaViolation.SNSSAI"}
_LAST_TIME = {"E2SIM.CellState", "E2SIM.ServingCell", "L1M.SS-RSRP", "E2SIM.CQI"}
# per-cell means (rates, ratios, delays, states) average over the node's cells; everything else adds up
_MEAN_CELLS = {"RRU.PrbTotDl", "DRB.UEThpDl", "DRB.RlcSduDelayDl", "DRB.UEThpDl.SNSSAI", "DRB.RlcSduDelayDl.SNSSAI",
               "E2SIM.CellState"}
_INTEGER_UNITS = {"count", "level", "index"}


def aggregate_time(name: str, values: list[float]) -> float:
    """One value for a granularity period made of several simulator periods (equal lengths)."""
    if name in _SUM_TIME:
        return float(sum(values))
    if name in _MAX_TIME:
        return float(max(values))
    if name in _LAST_TIME:
        return float(values[-1])
    return float(sum(values) / len(values))


def aggregate_cells(name: str, values: np.ndarray) -> float:
    """One node-level value from the values of the node's cells."""
    return float(values.mean() if name in _MEAN_CELLS else values.sum())


_UNITS = {**CELL_MEASUREMENTS, **SLICE_MEASUREMENTS, **UE_MEASUREMENTS}


def is_integer_measurement(name: str) -> bool:
    """Reported as MeasurementRecordItem ``integer`` (counts, levels, indices) rather than ``real``."""
    entry = _UNITS.get(name)
    return entry is not None and entry[0] in _INTEGER_UNITS


@dataclass(frozen=True)
class GnbSpec:
    """One gNB of the simulated RAN: batch instance, site, identity, cells and vendor profile."""

    b: int
    site: int
    gnb_id: int
    cells: tuple[int, ...]  # simulator cell indices
    ncis: tuple[int, ...]  # 36-bit NR Cell Identities, same order
    plmn: Plmn
    profile: VendorProfile

    @property
    def gnb_id_bits(self) -> int:
        return GNB_ID_BITS

    @property
    def name(self) -> str:
        return f"gnb-{self.gnb_id}"

    def cgi(self, i: int) -> NrCgi:
        return NrCgi(self.plmn, self.ncis[i])

    def cell_index(self, cgi: NrCgi) -> int | None:
        """Position in ``cells`` of the cell with this NR CGI (None: not this gNB's cell)."""
        if cgi.plmn != self.plmn:
            return None
        try:
            return self.ncis.index(cgi.nci)
        except ValueError:
            return None


class RanContext:
    """The simulator plus the E2 identities of its gNBs (built once by the runner, shared by all agents)."""

    def __init__(self, sim: RanSimulator, config: E2Config, *, epoch_unix: float) -> None:
        self.sim = sim
        self.config = config
        self.epoch_unix = float(epoch_unix)
        self.plmn = Plmn(config.mcc, config.mnc)
        self.slices = tuple(Snssai(sst, sd) for sst, sd in config.slice_sst)
        self.guami = Guami(self.plmn, 1, 1, 1)
        self.period_ms = int(round(sim.period_s * 1000))
        local_bits = 36 - GNB_ID_BITS
        gnbs = []
        for b in range(sim.batch):
            for site in range(sim.num_sites):
                cells = tuple(int(c) for c in np.flatnonzero(sim.site_of_cell == site))
                gnb_id = b * sim.num_sites + site + 1
                local = [int(sim.cell_ids[c]) & ((1 << local_bits) - 1) for c in cells]
                ncis = tuple((gnb_id << local_bits) | lc for lc in local)
                gnbs.append(GnbSpec(b, site, gnb_id, cells, ncis, self.plmn, config.profile_of(site)))
        self.gnbs: tuple[GnbSpec, ...] = tuple(gnbs)

    # -- identities --------------------------------------------------------------------------------------------
    def slice_index(self, snssai: Snssai) -> int | None:
        try:
            return self.slices.index(snssai)
        except ValueError:
            return None

    def ue_id(self, ue: int) -> GnbUeId:
        return GnbUeId(int(ue), self.guami)

    def ue_index(self, ue_id: object) -> int | None:
        """Simulator UE index of an E2SM UE ID (gNB-UEID with our GUAMI and an AMF UE NGAP ID in range)."""
        if not isinstance(ue_id, GnbUeId) or ue_id.guami != self.guami:
            return None
        u = ue_id.amf_ue_ngap_id
        return u if 0 <= u < self.sim.num_ues else None

    def find_cell(self, cgi: NrCgi) -> tuple[int, int] | None:
        """(batch instance, simulator cell) of an NR CGI anywhere in the RAN (handover targets may be foreign)."""
        for g in self.gnbs:
            i = g.cell_index(cgi)
            if i is not None:
                return g.b, g.cells[i]
        return None

    def unix_time(self, sim_time_s: float) -> float:
        """Simulated time as the UNIX time stamped on indications (sim time 0 = ``epoch_unix``)."""
        return self.epoch_unix + float(sim_time_s)

    # -- measurement access ------------------------------------------------------------------------------------
    @staticmethod
    def cell_value(m: Measurements, b: int, name: str, cells: tuple[int, ...] | int, k: int | None = None) -> float:
        """One cell's value (``cells`` an index) or the node-level aggregate over ``cells`` (a tuple)."""
        arr = m.slice[name][b, :, k] if k is not None else m.cell[name][b]
        if isinstance(cells, tuple):
            return aggregate_cells(name, arr[list(cells)])
        return float(arr[cells])
