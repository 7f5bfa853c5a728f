"""KPM reports flattened to tidy rows: one ``KpmRow`` per (node, cell, UE, slice, measurement, time) value.

E2SM-KPM clause 8.2.1.4.1: in indication message format 1, ``measData`` holds one MeasurementDataItem per
granularity period of the reporting period, and each ``measRecord`` lists the values in the order of
``measInfoList`` expanded by each measurement's ``labelInfoList``. The node may omit ``measInfoList`` /
``granulPeriod`` from the message; then the subscription's action definition (format 1, or the format-1 part of
formats 2/4/5) supplies them. Format 3 carries one such format-1 report per UE.

Rows are what xApps and tests consume, so this is the easy path::

    rows = kpm_rows(header, message, node="gnb-1", action=action_definition)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from e2.errors import DecodeError
from e2.sm.kpm.types import (
    ActionDefinitionFormat1,
    IndicationMessageFormat1,
    IndicationMessageFormat3,
    KpmActionDefinition,
    KpmIndicationHeader,
    MeasurementInfo,
    MeasValue,
)

__all__ = ["KpmRow", "kpm_rows"]


@dataclass(frozen=True)
class KpmRow:
    """One measurement value. ``cell``/``ue``/``slice`` are ``None`` when the report does not narrow it down.

    ``time`` is the start of the value's granularity period in UNIX seconds.
    """

    node: str
    cell: str | None
    ue: str | None
    slice: str | None
    measurement: str
    value: MeasValue
    time: float


Subscription = KpmActionDefinition | ActionDefinitionFormat1 | Sequence[MeasurementInfo]


def _subscription(action: Subscription | None) -> ActionDefinitionFormat1 | None:
    if action is None or isinstance(action, ActionDefinitionFormat1):
        return action
    if isinstance(action, KpmActionDefinition):
        return action.subscription
    return ActionDefinitionFormat1(tuple(action), 0)  # a bare measInfoList: no granularity known


def _format1_rows(
    msg: IndicationMessageFormat1,
    *,
    node: str,
    cell: str | None,
    ue: str | None,
    start: float,
    sub: ActionDefinitionFormat1 | None,
    names: dict[int, str],
) -> list[KpmRow]:
    infos: tuple[MeasurementInfo, ...] | None = msg.measurements or (sub.measurements if sub else None)
    if not infos:
        raise DecodeError(
            "format 1 report without measInfoList and no action definition to supply it",
            where="E2SM-KPM rows",
        )
    period_ms = msg.granularity_period_ms or (sub.granularity_period_ms if sub else None) or 0
    columns: list[tuple[str, str | None]] = []
    for info in infos:
        meas = (
            info.meas_type
            if isinstance(info.meas_type, str)
            else names.get(info.meas_type, str(info.meas_type))
        )
        for label in info.labels:
            columns.append((meas, str(label.slice) if label.slice is not None else None))
    rows: list[KpmRow] = []
    for period, item in enumerate(msg.data):
        if len(item.values) != len(columns):
            raise DecodeError(
                f"measRecord {period} has {len(item.values)} values for {len(columns)} measurement/label columns",
                where="E2SM-KPM rows",
            )
        t = start + period * period_ms / 1000.0
        for (meas, slice_label), value in zip(columns, item.values, strict=True):
            rows.append(KpmRow(node, cell, ue, slice_label, meas, value, t))
    return rows


def kpm_rows(
    header: KpmIndicationHeader,
    message: IndicationMessageFormat1 | IndicationMessageFormat3,
    *,
    node: str,
    action: Subscription | None = None,
    cell: str | None = None,
    meas_names: dict[int, str] | None = None,
) -> list[KpmRow]:
    """Flatten one RIC Indication's KPM header + message into rows.

    ``node``: the E2 node's name/ID. ``action``: the subscription's action definition, or just its measInfoList
    (needed when the message omits measInfoList/granulPeriod; a definition's ``cell`` labels the rows). ``cell`` overrides the cell label (for
    subscriptions without a cellGlobalID). ``meas_names`` maps measurement IDs to names (from the RAN function
    description) when the node reports by measID.
    """
    sub = _subscription(action)
    if cell is None and sub is not None and sub.cell is not None:
        cell = str(sub.cell)
    names = meas_names or {}
    start = header.collect_start_time
    if isinstance(message, IndicationMessageFormat1):
        return _format1_rows(message, node=node, cell=cell, ue=None, start=start, sub=sub, names=names)
    if isinstance(message, IndicationMessageFormat3):
        rows: list[KpmRow] = []
        for report in message.reports:
            rows += _format1_rows(
                report.report, node=node, cell=cell, ue=str(report.ue), start=start, sub=sub, names=names
            )
        return rows
    raise DecodeError(f"no row view for {type(message).__name__}", where="E2SM-KPM rows")
