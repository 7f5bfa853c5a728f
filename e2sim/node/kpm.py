"""E2SM-KPM REPORT service of one gNB (E2SM-KPM clause 6.2 / 7.4), on the simulator's measurement periods.

* Admission (E2AP 8.2.1.2): the event trigger (format 1, reporting period) must fit the vendor profile's limits
  and be a whole number of granularity periods; each action is checked on its own - style (1: format 1
  cell-level, 4: format 4 UE-level with matching conditions), measurements the profile supports, labels we can
  fill (no label, or one S-NSSAI), a granularity period that is a whole number of simulator measurement
  periods inside the profile's limits. Actions that fail are listed as not admitted with a cause; if none is
  admitted the subscription fails (E2AP 8.2.1.3) with the cause of the first.
* Reporting: every closed simulator measurement period is buffered; when a reporting period is complete each
  action yields one RIC Indication: header format 1 with the collection start in *simulated* time, message
  format 1 (one measData item per granularity period) or format 3 (one format-1 report per matching UE).

A slice-scoped measurement (``*.SNSSAI``, TS 28.552 sub-counters per S-NSSAI) asked for without a label is
expanded into one labelled column per slice, and the indication then carries ``measInfoList`` so the RIC can
tell the columns apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from e2 import ap
from e2.errors import E2Error
from e2.sm import PayloadKind, ServiceModel
from e2.sm.common import RanFunctionName
from e2.sm.kpm import (
    ActionDefinitionFormat1,
    ActionDefinitionFormat4,
    EventTriggerStyle,
    IndicationMessageFormat1,
    IndicationMessageFormat3,
    KpmIndicationHeader,
    KpmRanFunctionDescription,
    MeasurementData,
    MeasurementInfo,
    MeasurementLabel,
    ReportStyle,
    ReportStyleMeasurement,
    TestCondition,
    UeMeasurementReport,
)
from e2sim.node.ran import GnbSpec, RanContext, aggregate_time, is_integer_measurement
from e2sim.sim import Measurements
from e2sim.sim.measurements import SLICE_MEASUREMENTS

__all__ = ["KpmService", "KpmSubscription", "Rejected", "Report", "ran_function_description"]

NO_LABEL = MeasurementLabel(no_label=True)
_STYLE_NAMES = {1: "E2 Node Measurement", 4: "Condition-based, UE-level Measurement"}
_ACTION_FORMAT = {1: 1, 4: 4}
_MESSAGE_FORMAT = {1: 1, 4: 3}


class Rejected(Exception):
    """An action (or the whole subscription) the node does not admit, with its E2AP cause."""

    def __init__(self, value: str, detail: str, group: str = "ricRequest") -> None:
        super().__init__(detail)
        self.cause = ap.Cause(group, value)


def ran_function_description(model: ServiceModel, gnb: GnbSpec) -> KpmRanFunctionDescription:
    """What this gNB advertises in E2 Setup (E2SM-KPM 8.2.2.1): trigger style 1 and its report styles."""
    p = gnb.profile
    styles = []
    for style in p.report_styles:
        names = p.cell_measurements if style == 1 else p.ue_measurements
        styles.append(ReportStyle(style, _STYLE_NAMES[style], _ACTION_FORMAT[style],
                                  tuple(ReportStyleMeasurement(n) for n in names), 1, _MESSAGE_FORMAT[style]))
    return KpmRanFunctionDescription(
        RanFunctionName(model.short_name, model.oid, f"KPM monitor ({p.vendor_name})"),
        (EventTriggerStyle(1, "Periodic Report", 1),), tuple(styles))


@dataclass(frozen=True)
class Report:
    """One RIC Indication's content: subscription, action, encoded KPM header and message, and the simulated
    time at which its reporting period ended (when a real node would have sent it)."""

    request_id: ap.RicRequestId
    action_id: int
    header: bytes
    message: bytes
    due_sim_s: float


@dataclass(frozen=True)
class Column:
    """One value of a measRecord: simulator measurement name and slice index (None: not slice-scoped)."""

    name: str
    k: int | None = None
    integer: bool = False  # reported as MeasurementRecordItem integer (counts, levels, indices)

    @classmethod
    def of(cls, name: str, k: int | None = None) -> Column:
        return cls(name, k, is_integer_measurement(name))


@dataclass
class ReportAction:
    action_id: int
    style: int
    granularity_ms: int
    periods_per_granule: int
    cells: tuple[int, ...] | int  # one simulator cell, or the node's cells (node-level report)
    infos: tuple[MeasurementInfo, ...]
    expanded: bool  # labels expanded by the node: measInfoList must travel with the data
    columns: tuple[Column, ...]
    ue_conditions: tuple[TestCondition, ...] = ()


@dataclass
class KpmSubscription:
    request_id: ap.RicRequestId
    ran_function_id: int
    report_ms: int
    periods_per_report: int
    actions: list[ReportAction]
    pending: list[Measurements] = field(default_factory=list)
    indications: int = 0


class KpmService:
    """Subscriptions and indications of one gNB's KPM RAN function."""

    def __init__(self, ctx: RanContext, gnb: GnbSpec, model: ServiceModel) -> None:
        self.ctx = ctx
        self.gnb = gnb
        self.model = model
        self.profile = gnb.profile
        self.subscriptions: dict[ap.RicRequestId, KpmSubscription] = {}

    # -- admission -----------------------------------------------------------------------------------------
    def subscribe(self, req: ap.RicSubscriptionRequest) -> tuple[KpmSubscription | None, list[ap.ActionNotAdmitted]]:
        """Admit what can be admitted; raises :class:`Rejected` when the subscription as a whole fails."""
        key = req.request_id
        if key in self.subscriptions:
            raise Rejected("duplicate-ric-request-id", f"RIC request ID {key} is already subscribed")
        try:
            trigger = self.model.decode(PayloadKind.EVENT_TRIGGER, req.details.event_trigger)
        except E2Error as exc:
            raise Rejected("eventTriggerNotSupported", f"event trigger does not decode: {exc}") from None
        report_ms = trigger.reporting_period_ms
        lo, hi = self.profile.report_period_ms
        if not lo <= report_ms <= hi:
            raise Rejected("eventTriggerNotSupported", f"reporting period {report_ms} ms outside {lo}..{hi} ms")
        if len(req.details.actions) > self.profile.max_actions:
            raise Rejected("excessive-actions", f"{len(req.details.actions)} actions > {self.profile.max_actions}")
        admitted: list[ReportAction] = []
        refused: list[ap.ActionNotAdmitted] = []
        seen: set[int] = set()
        for action in req.details.actions:
            try:
                if action.id in seen:
                    raise Rejected("duplicate-action", f"action {action.id} appears twice")
                seen.add(action.id)
                admitted.append(self._action(action, report_ms))
            except Rejected as rej:
                refused.append(ap.ActionNotAdmitted(action.id, rej.cause))
        if not admitted:
            first = refused[0].cause if refused else ap.Cause("ricRequest", "action-not-supported")
            raise Rejected(first.value, "no action admitted", first.group)
        period = self.ctx.period_ms
        sub = KpmSubscription(req.request_id, req.ran_function_id, report_ms, report_ms // period, admitted)
        self.subscriptions[key] = sub
        return sub, refused

    def _action(self, action: ap.RicAction, report_ms: int) -> ReportAction:
        if action.type != "report":
            raise Rejected("action-not-supported", f"action type {action.type} (only REPORT)")
        if action.definition is None:
            raise Rejected("action-not-supported", "REPORT action without an action definition")
        try:
            adef = self.model.decode(PayloadKind.ACTION_DEFINITION, action.definition)
        except E2Error:
            raise Rejected("invalid-information-request", "action definition does not decode") from None
        d = adef.definition
        if adef.style not in self.profile.report_styles or not isinstance(
                d, ActionDefinitionFormat1 if adef.style == 1 else ActionDefinitionFormat4):
            raise Rejected("action-not-supported", f"report style {adef.style} / {type(d).__name__}")
        fmt1 = adef.subscription
        assert fmt1 is not None
        gran = fmt1.granularity_period_ms
        glo, ghi = self.profile.granularity_period_ms
        if not glo <= gran <= ghi or gran % self.ctx.period_ms or report_ms % gran:
            raise Rejected("invalid-information-request",
                           f"granularity {gran} ms: must be {glo}..{ghi} ms, a multiple of the "
                           f"{self.ctx.period_ms} ms measurement period and divide the {report_ms} ms report period")
        cells: tuple[int, ...] | int = self.gnb.cells
        if fmt1.cell is not None:
            i = self.gnb.cell_index(fmt1.cell) if hasattr(fmt1.cell, "nci") else None
            if i is None:
                raise Rejected("requested-information-unavailable", f"cell {fmt1.cell} is not served by this gNB")
            cells = self.gnb.cells[i]
        if adef.style == 1:
            infos, columns, expanded = self._cell_columns(fmt1.measurements)
            conds: tuple[TestCondition, ...] = ()
        else:
            infos, columns, expanded = self._ue_columns(fmt1.measurements)
            conds = d.ue_conditions  # type: ignore[union-attr]
            for c in conds:
                self._check_condition(c)
        return ReportAction(action.id, adef.style, gran, gran // self.ctx.period_ms, cells, infos, expanded,
                            columns, conds)

    def _cell_columns(self, infos: tuple[MeasurementInfo, ...]) -> tuple[tuple[MeasurementInfo, ...],
                                                                          tuple[Column, ...], bool]:
        out_infos, columns, expanded = [], [], False
        supported = self.profile.cell_measurements
        for info in infos:
            name = info.meas_type
            if not isinstance(name, str):
                raise Rejected("requested-information-unavailable", f"measurement ID {name} (names only)")
            labels = []
            for label in info.labels:
                if label == NO_LABEL:
                    if name not in supported:
                        raise Rejected("requested-information-unavailable", f"measurement {name}")
                    if name in SLICE_MEASUREMENTS:
                        expanded = True
                        for k, s in enumerate(self.ctx.slices):
                            labels.append(MeasurementLabel(slice=s))
                            columns.append(Column.of(name, k))
                    else:
                        labels.append(label)
                        columns.append(Column.of(name))
                elif label.slice is not None and label == MeasurementLabel(slice=label.slice):
                    sim_name = name if name.endswith(".SNSSAI") else f"{name}.SNSSAI"
                    k = self.ctx.slice_index(label.slice)
                    if sim_name not in SLICE_MEASUREMENTS or sim_name not in supported or k is None:
                        raise Rejected("requested-information-unavailable", f"{name} for slice {label.slice}")
                    labels.append(label)
                    columns.append(Column.of(sim_name, k))
                else:
                    raise Rejected("action-not-supported", f"measurement label {label} of {name}")
            out_infos.append(MeasurementInfo(name, tuple(labels)))
        return tuple(out_infos), tuple(columns), expanded

    def _ue_columns(self, infos: tuple[MeasurementInfo, ...]) -> tuple[tuple[MeasurementInfo, ...],
                                                                        tuple[Column, ...], bool]:
        columns = []
        for info in infos:
            name = info.meas_type
            if not isinstance(name, str) or name not in self.profile.ue_measurements:
                raise Rejected("requested-information-unavailable", f"UE-level measurement {name}")
            if info.labels != (NO_LABEL,):
                raise Rejected("action-not-supported", f"labels on UE-level measurement {name}")
            columns.append(Column.of(name))
        return infos, tuple(columns), False

    def _check_condition(self, c: TestCondition) -> None:
        ok = (c.test_type == "sNSSAI" and (c.expression == "present" or
                                           (c.expression == "equal" and c.value_kind == "valueOctS"))) or \
             (c.test_type in ("rSRP", "cQI") and c.expression in ("equal", "greaterthan", "lessthan")
              and c.value_kind in ("valueInt", "valueReal"))
        if not ok:
            raise Rejected("action-not-supported", f"UE matching condition {c.test_type} {c.expression}")

    def delete(self, request_id: ap.RicRequestId) -> bool:
        return self.subscriptions.pop(request_id, None) is not None

    def clear(self) -> None:
        self.subscriptions.clear()

    # -- reporting -----------------------------------------------------------------------------------------
    def on_period(self, m: Measurements) -> list[Report]:
        """Buffer one closed measurement period; indications of every reporting period it completes."""
        out: list[Report] = []
        for sub in self.subscriptions.values():
            sub.pending.append(m)
            if len(sub.pending) < sub.periods_per_report:
                continue
            periods, sub.pending = sub.pending, []
            header = self._header(periods)  # one collection interval: the same header for every action
            for action in sub.actions:
                ind = self._indication(sub, action, periods, header)
                if ind is not None:
                    out.append(ind)
        return out

    def _header(self, periods: list[Measurements]) -> bytes:
        """Indication header format 1: collection start in simulated time, the node's names."""
        start = self.ctx.unix_time(float(periods[0].time_s[self.gnb.b]) - periods[0].period_s)
        return self.model.encode(KpmIndicationHeader(round(start, 6), vendor_name=self.profile.vendor_name,
                                                     sender_name=self.gnb.name, sender_type="gNB"))

    def _indication(self, sub: KpmSubscription, action: ReportAction, periods: list[Measurements],
                    header: bytes) -> Report | None:
        b = self.gnb.b
        n = action.periods_per_granule
        granules = [periods[i:i + n] for i in range(0, len(periods), n)]
        with_info = self.profile.include_meas_info or action.expanded
        if action.style == 1:
            data = tuple(MeasurementData(tuple(self._cell_value(col, g, action.cells) for col in action.columns))
                         for g in granules)
            message: Any = IndicationMessageFormat1(data, action.infos if with_info else None,
                                                    action.granularity_ms if with_info else None)
        else:
            ues = self.matching_ues(action, periods[-1])
            if not ues:
                return None
            reports = []
            for u in ues:
                data = tuple(MeasurementData(tuple(self._ue_value(col, g, u) for col in action.columns))
                             for g in granules)
                reports.append(UeMeasurementReport(self.ctx.ue_id(u), IndicationMessageFormat1(
                    data, action.infos if with_info else None, action.granularity_ms if with_info else None)))
            message = IndicationMessageFormat3(tuple(reports))
        sub.indications += 1
        return Report(sub.request_id, action.action_id, header, self.model.encode(message),
                      float(periods[-1].time_s[b]))

    def _cell_value(self, col: Column, granule: list[Measurements], cells: tuple[int, ...] | int) -> int | float:
        b = self.gnb.b
        if len(granule) == 1:
            v = self.ctx.cell_value(granule[0], b, col.name, cells, col.k)
        else:
            v = aggregate_time(col.name, [self.ctx.cell_value(m, b, col.name, cells, col.k) for m in granule])
        return int(round(v)) if col.integer else v

    def _ue_value(self, col: Column, granule: list[Measurements], u: int) -> int | float:
        v = aggregate_time(col.name, [float(m.ue[col.name][self.gnb.b, u]) for m in granule])
        return int(round(v)) if col.integer else v

    def matching_ues(self, action: ReportAction, m: Measurements) -> list[int]:
        """UEs served (at the period end) by the action's cell(s) that satisfy its matching conditions; conditions
        joined by ``logical_or`` (KPM v03.00) form OR groups, the groups are ANDed."""
        serving = m.ue["E2SIM.ServingCell"][self.gnb.b]
        cells = action.cells if isinstance(action.cells, tuple) else (action.cells,)
        served = np.flatnonzero(np.isin(serving, cells))
        return [int(u) for u in served if self._matches(action.ue_conditions, m, int(u))]

    def _matches(self, conds: tuple[TestCondition, ...], m: Measurements, u: int) -> bool:
        result, group = True, False
        for i, c in enumerate(conds):
            group = group or self._test(c, m, u)
            if not c.logical_or or i == len(conds) - 1:
                result, group = result and group, False
        return result

    def _test(self, c: TestCondition, m: Measurements, u: int) -> bool:
        b = self.gnb.b
        if c.test_type == "sNSSAI":
            if c.expression == "present":
                return True
            raw = bytes(c.value)
            k = int(self.ctx.sim.ue_slice[u])
            s = self.ctx.slices[k]
            return raw == s.sst.to_bytes(1, "big") + (b"" if s.sd is None else s.sd.to_bytes(3, "big"))
        value = float(m.ue["L1M.SS-RSRP" if c.test_type == "rSRP" else "E2SIM.CQI"][b, u])
        ref = float(c.value)
        return {"equal": value == ref, "greaterthan": value > ref, "lessthan": value < ref}[c.expression or "equal"]
