"""Real E2SM-KPM payloads for the RIC tests (encoded with the e2.sm codecs, like a node would)."""

from __future__ import annotations

from e2.sm import PayloadKind, default_registry
from e2.sm.kpm import (
    IndicationMessageFormat1,
    KpmActionDefinition,
    KpmIndicationHeader,
    MeasurementData,
    MeasurementInfo,
)


def kpm(version: str):
    return default_registry().lookup("kpm", version)


def indication(version: str, action_definition: bytes, t: float, values: dict[str, float]) -> tuple[bytes, bytes]:
    """Header + format-1 message answering ``action_definition`` (values by measurement name, 0 if absent)."""
    model = kpm(version)
    adef: KpmActionDefinition = model.decode(PayloadKind.ACTION_DEFINITION, action_definition)
    fmt1 = adef.subscription
    names = [m.meas_type for m in fmt1.measurements]
    header = model.encode(KpmIndicationHeader(collect_start_time=float(int(t))))
    message = model.encode(IndicationMessageFormat1(
        data=(MeasurementData(tuple(float(values.get(n, 0.0)) for n in names)),),
        measurements=tuple(MeasurementInfo(n) for n in names),
        granularity_period_ms=fmt1.granularity_period_ms))
    return header, message
