"""Measurement reports of the simulator, named after TS 28.552 performance measurements.

The simulator closes a measurement period every ``time.decision_period_ms`` (per instance) and keeps the last
closed period's values; KPM reports (e2sim) and RL observations (ranpilot.features) are built from exactly these.
Where TS 28.552 has no counter the name starts with ``E2SIM.``. Slice-scoped values carry the ``.SNSSAI``
sub-counter suffix and have a trailing slice axis in ``SLICE_NAMES`` order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# name -> (unit, meaning). Units deviating from TS 28.552 are stated (delay in ms, energy in J).
CELL_MEASUREMENTS: dict[str, tuple[str, str]] = {
    "RRU.PrbTotDl": ("%", "mean DL PRB usage, 100 * used / available (TS 28.552 5.1.1.2.1)"),
    "RRU.PrbUsedDl": ("PRB", "mean number of DL PRBs used for data"),
    "RRU.PrbAvailDl": ("PRB", "mean number of DL PRBs available (0 while the cell sleeps)"),
    "RRC.ConnMean": ("UE", "mean number of RRC-connected UEs"),
    "RRC.ConnMax": ("UE", "max number of RRC-connected UEs"),
    "DRB.UEThpDl": ("kbit/s", "DL UE throughput: volume / time with data buffered (ThpVolDl / ThpTimeDl)"),
    "DRB.PdcpSduVolumeDL": ("Mbit", "DL PDCP SDU data volume"),
    "DRB.RlcSduDelayDl": ("ms", "mean DL packet delay over the period's arrivals (28.552 uses 0.1 ms)"),
    "PEE.AvgPower": ("W", "mean power consumption (PEE.Energy / period)"),
    "PEE.Energy": ("J", "energy consumed in the period incl. sleep transitions (J here; an E2/O1 edge that "
                        "needs the TS 28.552 unit converts)"),
    "MM.HoExeIntraReq": ("count", "intra-gNB (same site) handover executions requested, at the source"),
    "MM.HoExeIntraSucc": ("count", "intra-gNB handover executions succeeded"),
    "MM.HoExeInterReq": ("count", "inter-gNB handover executions requested, at the source"),
    "MM.HoExeInterSucc": ("count", "inter-gNB handover executions succeeded"),
    "E2SIM.RlfCount": ("count", "radio link failures (SINR < Qout for T310) of the cell's UEs"),
    "E2SIM.PingPongCount": ("count", "handovers back to the previous cell within the ping-pong window"),
    "E2SIM.DropCount": ("count", "UEs dropped because their cell went to sleep and no target could take them"),
    "E2SIM.OutageUeMean": ("UE", "mean number of UEs without a link whose best cell (if on air) is this cell"),
    "E2SIM.CellState": ("level", "power state at the period end: 0 active, 1 micro, 2 light, 3 deep, 4 off"),
    "E2SIM.SlaViolations": ("count", "number of slices violating their SLA in the cell"),
}
SLICE_MEASUREMENTS: dict[str, tuple[str, str]] = {
    "RRU.PrbUsedDl.SNSSAI": ("PRB", "mean DL PRBs used by the slice"),
    "DRB.UEThpDl.SNSSAI": ("kbit/s", "DL UE throughput of the slice"),
    "DRB.PdcpSduVolumeDL.SNSSAI": ("Mbit", "DL data volume of the slice"),
    "DRB.RlcSduDelayDl.SNSSAI": ("ms", "mean DL packet delay of the slice"),
    "RRC.ConnMean.SNSSAI": ("UE", "mean connected UEs of the slice"),
    "E2SIM.SlaViolation.SNSSAI": ("flag", "1 if the slice missed its SLA (min rate / max delay) in the period"),
}
UE_MEASUREMENTS: dict[str, tuple[str, str]] = {
    "DRB.UEThpDl": ("kbit/s", "UE DL throughput while data was buffered"),
    "DRB.PdcpSduVolumeDL": ("Mbit", "UE DL data volume"),
    "L1M.SS-RSRP": ("dBm", "L3-filtered RSRP of the serving cell at the period end (-200 if none)"),
    "L1M.SS-SINR": ("dB", "mean DL SINR while connected"),
    "E2SIM.ServingCell": ("index", "serving cell index at the period end, -1 if not connected"),
    "E2SIM.CQI": ("index", "wideband CQI at the period end"),
}
UNITS: dict[str, str] = {k: v[0] for d in (CELL_MEASUREMENTS, SLICE_MEASUREMENTS, UE_MEASUREMENTS)
                         for k, v in d.items()}


@dataclass
class Measurements:
    """Values of the last closed measurement period of every instance.

    ``cell[name]`` is (B, C), ``slice[name]`` is (B, C, K), ``ue[name]`` is (B, U); ``time_s`` (B,) is the
    simulated time at which each instance's period closed; ``period_s`` its length.
    """

    cell: dict[str, np.ndarray]
    slice: dict[str, np.ndarray]
    ue: dict[str, np.ndarray]
    time_s: np.ndarray
    period_s: float
    slice_names: tuple[str, ...]
    cell_ids: np.ndarray
    ue_slice: np.ndarray | None = None  # (U,) slice index of each UE

    def as_mapping(self, b: int | None = None) -> dict[str, np.ndarray]:
        """Cell and slice values by name (what ranpilot.features builds observations from); ``b`` selects one
        instance (arrays (C,) and (C, K)), otherwise the batch axis stays in front."""
        out = {**self.cell, **self.slice}
        if b is not None:
            out = {k: v[b] for k, v in out.items()}
        return out

    def rows(self, batch: int | None = None) -> Iterator[dict[str, object]]:
        """Tidy rows (batch, cell, ue, slice, name, value, time_s). Cell rows have ue=None, slice=None; slice rows
        ue=None; UE rows carry the UE's serving cell (-1 if none) and its slice."""
        bs = range(self.time_s.shape[0]) if batch is None else [batch]
        for b in bs:
            t = float(self.time_s[b])
            for name, arr in self.cell.items():
                for c, v in enumerate(arr[b]):
                    yield {"batch": b, "cell": c, "ue": None, "slice": None, "name": name, "value": float(v),
                           "time_s": t}
            for name, arr in self.slice.items():
                for c in range(arr.shape[1]):
                    for k, s in enumerate(self.slice_names):
                        yield {"batch": b, "cell": c, "ue": None, "slice": s, "name": name,
                               "value": float(arr[b, c, k]), "time_s": t}
            serving = self.ue["E2SIM.ServingCell"][b]
            ue_slice = [self.slice_names[int(k)] for k in self.ue_slice] if self.ue_slice is not None else None
            for name, arr in self.ue.items():
                for u, v in enumerate(arr[b]):
                    yield {"batch": b, "cell": int(serving[u]), "ue": u,
                           "slice": ue_slice[u] if ue_slice else None, "name": name, "value": float(v),
                           "time_s": t}

    def to_rows(self, batch: int | None = None) -> list[dict[str, object]]:
        return list(self.rows(batch))
