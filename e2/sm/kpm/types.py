"""Typed E2SM-KPM payloads (O-RAN.WG3.E2SM-KPM v03.00 / v02.03 clause 8), shared by both versions.

Fields that only exist in v03.00 (label ``ssb_index`` / ``non_gob_bf_mode_index`` / ``mimo_mode_index``,
``logical_or`` of matching conditions) raise EncodeError when encoded with the v02.03 codec.
Measurement values are Python ``int`` (MeasurementRecordItem ``integer``), ``float`` (``real``) or ``None``
(``noValue``): MeasurementRecordItem, clause 8.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2.sm.common import Cgi, RanFunctionName, Snssai, UeId

__all__ = [
    "ActionDefinitionFormat1",
    "ActionDefinitionFormat2",
    "ActionDefinitionFormat3",
    "ActionDefinitionFormat4",
    "ActionDefinitionFormat5",
    "EventTriggerStyle",
    "IndicationMessageFormat1",
    "IndicationMessageFormat2",
    "IndicationMessageFormat3",
    "KpmActionDefinition",
    "KpmEventTrigger",
    "KpmIndicationHeader",
    "KpmRanFunctionDescription",
    "MatchingCondition",
    "MeasValue",
    "MeasurementCondition",
    "MeasurementCondUeIds",
    "MeasurementData",
    "MeasurementInfo",
    "MeasurementLabel",
    "NO_LABEL",
    "ReportStyle",
    "ReportStyleMeasurement",
    "TestCondition",
    "UeMeasurementReport",
]

MeasValue = int | float | None
MeasType = str | int  # MeasurementType CHOICE: measName (str) or measID (int), clause 8.3


@dataclass(frozen=True)
class MeasurementLabel:
    """MeasurementLabel (clause 8.3). Flags (``no_label``, ``sum``, ``min``...) are ENUMERATED {true}."""

    no_label: bool = False
    plmn: Any = None  # e2.sm.common.Plmn
    slice: Snssai | None = None
    five_qi: int | None = None
    qfi: int | None = None
    qci: int | None = None
    qci_max: int | None = None
    qci_min: int | None = None
    arp_max: int | None = None
    arp_min: int | None = None
    bitrate_range: int | None = None
    layer_mu_mimo: int | None = None
    sum: bool = False
    dist_bin_x: int | None = None
    dist_bin_y: int | None = None
    dist_bin_z: int | None = None
    pre_label_override: bool = False
    start_end_ind: str | None = None  # "start" | "end"
    min: bool = False
    max: bool = False
    avg: bool = False
    ssb_index: int | None = None  # v03.00 only
    non_gob_bf_mode_index: int | None = None  # v03.00 only
    mimo_mode_index: int | None = None  # v03.00 only


NO_LABEL = MeasurementLabel(no_label=True)


@dataclass(frozen=True)
class MeasurementInfo:
    """MeasurementInfoItem (clause 8.3: measType + labelInfoList); one value per label in each record."""

    meas_type: MeasType
    labels: tuple[MeasurementLabel, ...] = (NO_LABEL,)


@dataclass(frozen=True)
class MeasurementData:
    """MeasurementDataItem: the values of one granularity period, in measInfoList x label order."""

    values: tuple[MeasValue, ...]
    incomplete: bool = False


@dataclass(frozen=True)
class TestCondition:
    """TestCondInfo (clause 8.3): ``test_type`` e.g. "sNSSAI", "rSRP"; ``value_kind`` the TestCond-Value
    alternative ("valueInt", "valueEnum", "valueBool", "valueBitS", "valueOctS", "valuePrtS", "valueReal")."""

    test_type: str
    expression: str | None = None  # equal | greaterthan | lessthan | contains | present
    value_kind: str | None = None
    value: Any = None
    logical_or: bool = False  # v03.00 only (MatchingUeCondPerSubItem.logicalOR)


@dataclass(frozen=True)
class MatchingCondition:
    """MatchingCondItem: a label or a test condition; ``logical_or`` (v03.00) ORs it with the next one."""

    label: MeasurementLabel | None = None
    test: TestCondition | None = None
    logical_or: bool = False


@dataclass(frozen=True)
class MeasurementCondition:
    """MeasurementCondItem (action definition format 3)."""

    meas_type: MeasType
    conditions: tuple[MatchingCondition, ...]


@dataclass(frozen=True)
class MeasurementCondUeIds:
    """MeasurementCondUEidItem (indication message format 2): conditions and the UEs that matched them."""

    meas_type: MeasType
    conditions: tuple[MatchingCondition, ...]
    matching_ues: tuple[UeId, ...] = ()


# --- event trigger (8.2.1.1) ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class KpmEventTrigger:
    """Event trigger definition format 1: periodic report every ``reporting_period_ms`` milliseconds."""

    reporting_period_ms: int


# --- action definition (8.2.1.2) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionDefinitionFormat1:
    """Format 1 (report style 1, E2 node measurement): measurements, granularity period (ms), optional cell."""

    measurements: tuple[MeasurementInfo, ...]
    granularity_period_ms: int
    cell: Cgi | None = None


@dataclass(frozen=True)
class ActionDefinitionFormat2:
    """Format 2 (report style 2, one UE)."""

    ue: UeId
    subscription: ActionDefinitionFormat1


@dataclass(frozen=True)
class ActionDefinitionFormat3:
    """Format 3 (report style 3, condition-based UE-level measurements)."""

    conditions: tuple[MeasurementCondition, ...]
    granularity_period_ms: int
    cell: Cgi | None = None


@dataclass(frozen=True)
class ActionDefinitionFormat4:
    """Format 4 (report style 4, common condition-based UE-level measurements): UEs matching all conditions."""

    ue_conditions: tuple[TestCondition, ...]
    subscription: ActionDefinitionFormat1


@dataclass(frozen=True)
class ActionDefinitionFormat5:
    """Format 5 (report style 5, UE-level measurements for a list of at least two UEs)."""

    ues: tuple[UeId, ...]
    subscription: ActionDefinitionFormat1


ActionDefinitionFormat = (
    ActionDefinitionFormat1
    | ActionDefinitionFormat2
    | ActionDefinitionFormat3
    | ActionDefinitionFormat4
    | ActionDefinitionFormat5
)


@dataclass(frozen=True)
class KpmActionDefinition:
    """E2SM-KPM-ActionDefinition: RIC style type + one format."""

    style: int
    definition: ActionDefinitionFormat

    @property
    def subscription(self) -> ActionDefinitionFormat1 | None:
        """The format-1 part (measurements and granularity) every format but 3 carries."""
        d = self.definition
        if isinstance(d, ActionDefinitionFormat1):
            return d
        return getattr(d, "subscription", None)


# --- indication header / message (8.2.1.3, 8.2.1.4) ---------------------------------------------------------
@dataclass(frozen=True)
class KpmIndicationHeader:
    """Indication header format 1. ``collect_start_time`` in UNIX seconds (the wire carries the 8-octet
    TimeStamp of clause 8.3, an NTP timestamp: 32-bit seconds since 1900 + 32-bit fraction, RFC 5905)."""

    collect_start_time: float
    file_format_version: str | None = None
    sender_name: str | None = None
    sender_type: str | None = None
    vendor_name: str | None = None


@dataclass(frozen=True)
class IndicationMessageFormat1:
    """Format 1: measurement data of one E2 node / cell, one item per granularity period."""

    data: tuple[MeasurementData, ...]
    measurements: tuple[MeasurementInfo, ...] | None = None
    granularity_period_ms: int | None = None


@dataclass(frozen=True)
class IndicationMessageFormat2:
    """Format 2: measurement data with the conditions (and matched UEs) that produced each value."""

    data: tuple[MeasurementData, ...]
    conditions: tuple[MeasurementCondUeIds, ...]
    granularity_period_ms: int | None = None


@dataclass(frozen=True)
class UeMeasurementReport:
    """UEMeasurementReportItem: one UE's format-1 report."""

    ue: UeId
    report: IndicationMessageFormat1


@dataclass(frozen=True)
class IndicationMessageFormat3:
    """Format 3: several UEs' reports in one message."""

    reports: tuple[UeMeasurementReport, ...]


# --- RAN function description (8.2.2.1) ---------------------------------------------------------------------
@dataclass(frozen=True)
class EventTriggerStyle:
    style: int
    name: str
    format: int


@dataclass(frozen=True)
class ReportStyleMeasurement:
    """MeasurementInfo-Action-Item: a measurement the node supports for a report style."""

    name: str
    id: int | None = None


@dataclass(frozen=True)
class ReportStyle:
    style: int
    name: str
    action_format: int
    measurements: tuple[ReportStyleMeasurement, ...]
    header_format: int = 1
    message_format: int = 1


@dataclass(frozen=True)
class KpmRanFunctionDescription:
    """E2SM-KPM-RANfunction-Description: what the node can report."""

    name: RanFunctionName
    event_trigger_styles: tuple[EventTriggerStyle, ...] = ()
    report_styles: tuple[ReportStyle, ...] = field(default=())
