"""E2SM-KPM codecs: v03.00 and v02.03 (O-RAN.WG3.E2SM-KPM), typed <-> raw conversion.

How the versions are told apart in E2 Setup: the RAN function OID (E2SM-KPM "RAN Function OID") carries the
spec's major version in its 9th arc: ``1.3.6.1.4.1.53148.1.2.2.2`` for v02.xx and ``1.3.6.1.4.1.53148.1.3.2.2``
for v03.00; the short name ``ORAN-E2SM-KPM`` is the same for both, and the RAN function description repeats the
OID in ``ranFunction-E2SM-OID``. The description has the same wire structure in both versions, so a node that
puts the short name into RANfunctionOID is recognised by that inner OID (see :mod:`e2.sm.registry`).
The payload differences are listed at the top of ``asn1/E2SM-KPM-v02.03.asn`` and ``asn1/E2SM-KPM-v03.00.asn``.
"""

from __future__ import annotations

import calendar
import functools
from pathlib import Path
from typing import Any

from e2.errors import EncodeError
from e2.sm.base import Asn1ServiceModel, PayloadKind
from e2.sm.common import (
    Plmn,
    RanFunctionName,
    Snssai,
    cgi_from_raw,
    ue_id_from_raw,
)
from e2.sm.common import cgi_to_raw as _cgi_to_raw
from e2.sm.kpm.types import (
    NO_LABEL,
    ActionDefinitionFormat1,
    ActionDefinitionFormat2,
    ActionDefinitionFormat3,
    ActionDefinitionFormat4,
    ActionDefinitionFormat5,
    EventTriggerStyle,
    IndicationMessageFormat1,
    IndicationMessageFormat2,
    IndicationMessageFormat3,
    KpmActionDefinition,
    KpmEventTrigger,
    KpmIndicationHeader,
    KpmRanFunctionDescription,
    MatchingCondition,
    MeasurementCondition,
    MeasurementCondUeIds,
    MeasurementData,
    MeasurementInfo,
    MeasurementLabel,
    ReportStyle,
    ReportStyleMeasurement,
    TestCondition,
    UeMeasurementReport,
)

__all__ = ["KPM_SHORT_NAME", "KpmV2_03", "KpmV3_00", "ntp_to_unix", "unix_to_ntp"]

KPM_SHORT_NAME = "ORAN-E2SM-KPM"
_ASN1 = Path(__file__).resolve().parent / "asn1"
_COMMON = Path(__file__).resolve().parents[1] / "asn1" / "E2SM-COMMON-IEs.asn"

# NTP era 0 starts 1900-01-01; UNIX time starts 1970-01-01.
_NTP_UNIX_OFFSET = calendar.timegm((1970, 1, 1, 0, 0, 0)) - calendar.timegm((1900, 1, 1, 0, 0, 0))


def unix_to_ntp(t: float) -> bytes:
    """UNIX seconds -> 8-octet NTP timestamp (RFC 5905: 32-bit seconds since 1900, 32-bit fraction)."""
    seconds = int(t // 1)
    fraction = round((t - seconds) * (1 << 32))
    if fraction == 1 << 32:
        seconds, fraction = seconds + 1, 0
    return ((seconds + _NTP_UNIX_OFFSET) % (1 << 32)).to_bytes(4, "big") + fraction.to_bytes(4, "big")


def ntp_to_unix(data: bytes) -> float:
    """Inverse of :func:`unix_to_ntp`.

    Lenient: some nodes fill TimeStamp with a 64-bit UNIX time count instead of NTP. An NTP time before 1970
    cannot be a collection start, so such values are read as UNIX nanoseconds / microseconds / milliseconds /
    seconds by magnitude.
    """
    value = int.from_bytes(data[:8], "big")
    seconds = value >> 32
    if seconds >= _NTP_UNIX_OFFSET:
        return seconds - _NTP_UNIX_OFFSET + (value & 0xFFFFFFFF) / (1 << 32)
    for scale in (10**9, 10**6, 10**3):
        if value >= 10**8 * scale:  # i.e. at least 10^8 s = 1973 in that unit
            return value / scale
    return float(value)


# MeasurementLabel: typed attribute -> (ASN.1 name, kind). Kinds: flag (ENUMERATED {true}), int, enum, plmn, slice.
_LABEL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("no_label", "noLabel", "flag"),
    ("plmn", "plmnID", "plmn"),
    ("slice", "sliceID", "slice"),
    ("five_qi", "fiveQI", "int"),
    ("qfi", "qFI", "int"),
    ("qci", "qCI", "int"),
    ("qci_max", "qCImax", "int"),
    ("qci_min", "qCImin", "int"),
    ("arp_max", "aRPmax", "int"),
    ("arp_min", "aRPmin", "int"),
    ("bitrate_range", "bitrateRange", "int"),
    ("layer_mu_mimo", "layerMU-MIMO", "int"),
    ("sum", "sUM", "flag"),
    ("dist_bin_x", "distBinX", "int"),
    ("dist_bin_y", "distBinY", "int"),
    ("dist_bin_z", "distBinZ", "int"),
    ("pre_label_override", "preLabelOverride", "flag"),
    ("start_end_ind", "startEndInd", "enum"),
    ("min", "min", "flag"),
    ("max", "max", "flag"),
    ("avg", "avg", "flag"),
    ("ssb_index", "ssbIndex", "int"),
    ("non_gob_bf_mode_index", "nonGoB-BFmode-Index", "int"),
    ("mimo_mode_index", "mIMO-mode-Index", "int"),
)
_LABEL_BY_ASN = {asn: (attr, kind) for attr, asn, kind in _LABEL_FIELDS}
_NO_LABEL_RAW = {"noLabel": "true"}
_V3_ONLY_LABEL = {"ssb_index", "non_gob_bf_mode_index", "mimo_mode_index"}


class _Kpm(Asn1ServiceModel):
    """Shared conversion code; subclasses fix the version and its ASN.1 module."""

    name = "E2SM-KPM"
    short_name = KPM_SHORT_NAME
    cli_name = "kpm"
    v3 = True
    asn1_types = {
        PayloadKind.RAN_FUNCTION_DESCRIPTION: "E2SM-KPM-RANfunction-Description",
        PayloadKind.EVENT_TRIGGER: "E2SM-KPM-EventTriggerDefinition",
        PayloadKind.ACTION_DEFINITION: "E2SM-KPM-ActionDefinition",
        PayloadKind.INDICATION_HEADER: "E2SM-KPM-IndicationHeader",
        PayloadKind.INDICATION_MESSAGE: "E2SM-KPM-IndicationMessage",
    }
    typed_kinds = {
        KpmRanFunctionDescription: PayloadKind.RAN_FUNCTION_DESCRIPTION,
        KpmEventTrigger: PayloadKind.EVENT_TRIGGER,
        KpmActionDefinition: PayloadKind.ACTION_DEFINITION,
        KpmIndicationHeader: PayloadKind.INDICATION_HEADER,
        IndicationMessageFormat1: PayloadKind.INDICATION_MESSAGE,
        IndicationMessageFormat2: PayloadKind.INDICATION_MESSAGE,
        IndicationMessageFormat3: PayloadKind.INDICATION_MESSAGE,
    }

    # ---- dispatch ------------------------------------------------------------------------------------------
    @functools.cached_property
    def _typed_in(self) -> dict[PayloadKind, Any]:
        return {
            PayloadKind.RAN_FUNCTION_DESCRIPTION: self._description_in,
            PayloadKind.EVENT_TRIGGER: self._trigger_in,
            PayloadKind.ACTION_DEFINITION: self._action_in,
            PayloadKind.INDICATION_HEADER: self._header_in,
            PayloadKind.INDICATION_MESSAGE: self._message_in,
        }

    def _to_typed(self, kind: PayloadKind, raw: Any) -> Any:
        return self._typed_in[kind](raw)

    def _from_typed(self, obj: Any) -> Any:
        if isinstance(obj, KpmRanFunctionDescription):
            return self._description_out(obj)
        if isinstance(obj, KpmEventTrigger):
            return {
                "eventDefinition-formats": (
                    "eventDefinition-Format1",
                    {"reportingPeriod": obj.reporting_period_ms},
                )
            }
        if isinstance(obj, KpmActionDefinition):
            return self._action_out(obj)
        if isinstance(obj, KpmIndicationHeader):
            return self._header_out(obj)
        return self._message_out(obj)

    # ---- labels and measurement info -----------------------------------------------------------------------
    def _label_in(self, raw: dict[str, Any]) -> MeasurementLabel:
        if raw == _NO_LABEL_RAW:  # by far the most common label: reuse one instance
            return NO_LABEL
        kw: dict[str, Any] = {}
        for asn, value in raw.items():
            attr, kind = _LABEL_BY_ASN[asn]
            if kind == "flag":
                kw[attr] = True
            elif kind == "plmn":
                kw[attr] = Plmn.from_bytes(value)
            elif kind == "slice":
                kw[attr] = Snssai.from_raw(value)
            else:
                kw[attr] = value
        return MeasurementLabel(**kw)

    def _label_out(self, label: MeasurementLabel) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for attr, asn, kind in _LABEL_FIELDS:
            value = getattr(label, attr)
            if value is None or value is False:
                continue
            if attr in _V3_ONLY_LABEL and not self.v3:
                raise EncodeError(f"label {attr} does not exist in {self.label}", where=self.label)
            if kind == "flag":
                raw[asn] = "true"
            elif kind == "plmn":
                raw[asn] = value.to_bytes()
            elif kind == "slice":
                raw[asn] = value.to_raw()
            else:
                raw[asn] = value
        return raw

    @staticmethod
    def _meas_type_in(raw: tuple[str, Any]) -> str | int:
        return raw[1]

    @staticmethod
    def _meas_type_out(value: str | int) -> tuple[str, Any]:
        if isinstance(value, str):
            return ("measName", value)
        return ("measID", value)

    def _info_in(self, raw: list[dict[str, Any]]) -> tuple[MeasurementInfo, ...]:
        return tuple(
            MeasurementInfo(
                self._meas_type_in(item["measType"]),
                tuple(self._label_in(li["measLabel"]) for li in item["labelInfoList"]),
            )
            for item in raw
        )

    def _info_out(self, infos: tuple[MeasurementInfo, ...]) -> list[dict[str, Any]]:
        return [
            {
                "measType": self._meas_type_out(m.meas_type),
                "labelInfoList": [{"measLabel": self._label_out(lb)} for lb in m.labels],
            }
            for m in infos
        ]

    # ---- conditions ------------------------------------------------------------------------------------------
    def _test_in(self, raw: dict[str, Any], logical_or: bool = False) -> TestCondition:
        value_kind, value = raw["testValue"] if "testValue" in raw else (None, None)
        return TestCondition(raw["testType"][0], raw.get("testExpr"), value_kind, value, logical_or)

    def _test_out(self, test: TestCondition) -> dict[str, Any]:
        raw: dict[str, Any] = {"testType": (test.test_type, "true")}
        if test.expression is not None:
            raw["testExpr"] = test.expression
        if test.value_kind is not None:
            raw["testValue"] = (test.value_kind, test.value)
        return raw

    def _cond_in(self, raw: Any) -> MatchingCondition:
        if self.v3:
            choice, logical_or = raw["matchingCondChoice"], "logicalOR" in raw
        else:
            choice, logical_or = raw, False
        name, value = choice
        if name == "measLabel":
            return MatchingCondition(label=self._label_in(value), logical_or=logical_or)
        return MatchingCondition(test=self._test_in(value), logical_or=logical_or)

    def _cond_out(self, cond: MatchingCondition) -> Any:
        if (cond.label is None) == (cond.test is None):
            raise EncodeError("a matching condition needs exactly one of label / test", where=self.label)
        choice = (
            ("measLabel", self._label_out(cond.label))
            if cond.label is not None
            else ("testCondInfo", self._test_out(cond.test))  # type: ignore[arg-type]
        )
        if not self.v3:
            if cond.logical_or:
                raise EncodeError(f"logicalOR does not exist in {self.label}", where=self.label)
            return choice
        raw: dict[str, Any] = {"matchingCondChoice": choice}
        if cond.logical_or:
            raw["logicalOR"] = "true"
        return raw

    # ---- records ---------------------------------------------------------------------------------------------
    @staticmethod
    def _data_in(raw: list[dict[str, Any]]) -> tuple[MeasurementData, ...]:
        return tuple(
            MeasurementData(tuple(v for _, v in item["measRecord"]), "incompleteFlag" in item) for item in raw
        )

    @staticmethod
    def _data_out(data: tuple[MeasurementData, ...]) -> list[dict[str, Any]]:
        out = []
        for item in data:
            record = []
            for v in item.values:
                if v is None:
                    record.append(("noValue", None))
                elif isinstance(v, bool) or not isinstance(v, int | float):
                    raise EncodeError(f"measurement value {v!r} is not int, float or None")
                elif isinstance(v, int):
                    record.append(("integer", v))
                else:
                    record.append(("real", float(v)))
            raw: dict[str, Any] = {"measRecord": record}
            if item.incomplete:
                raw["incompleteFlag"] = "true"
            out.append(raw)
        return out

    # ---- payloads --------------------------------------------------------------------------------------------
    def _description_in(self, raw: dict[str, Any]) -> KpmRanFunctionDescription:
        return KpmRanFunctionDescription(
            RanFunctionName.from_raw(raw["ranFunction-Name"]),
            tuple(
                EventTriggerStyle(
                    s["ric-EventTriggerStyle-Type"],
                    s["ric-EventTriggerStyle-Name"],
                    s["ric-EventTriggerFormat-Type"],
                )
                for s in raw.get("ric-EventTriggerStyle-List", ())
            ),
            tuple(
                ReportStyle(
                    s["ric-ReportStyle-Type"],
                    s["ric-ReportStyle-Name"],
                    s["ric-ActionFormat-Type"],
                    tuple(
                        ReportStyleMeasurement(m["measName"], m.get("measID"))
                        for m in s["measInfo-Action-List"]
                    ),
                    s["ric-IndicationHeaderFormat-Type"],
                    s["ric-IndicationMessageFormat-Type"],
                )
                for s in raw.get("ric-ReportStyle-List", ())
            ),
        )

    def _description_out(self, obj: KpmRanFunctionDescription) -> dict[str, Any]:
        raw: dict[str, Any] = {"ranFunction-Name": obj.name.to_raw()}
        if obj.event_trigger_styles:
            raw["ric-EventTriggerStyle-List"] = [
                {
                    "ric-EventTriggerStyle-Type": s.style,
                    "ric-EventTriggerStyle-Name": s.name,
                    "ric-EventTriggerFormat-Type": s.format,
                }
                for s in obj.event_trigger_styles
            ]
        if obj.report_styles:
            styles = []
            for s in obj.report_styles:
                measurements = []
                for m in s.measurements:
                    item: dict[str, Any] = {"measName": m.name}
                    if m.id is not None:
                        item["measID"] = m.id
                    measurements.append(item)
                styles.append(
                    {
                        "ric-ReportStyle-Type": s.style,
                        "ric-ReportStyle-Name": s.name,
                        "ric-ActionFormat-Type": s.action_format,
                        "measInfo-Action-List": measurements,
                        "ric-IndicationHeaderFormat-Type": s.header_format,
                        "ric-IndicationMessageFormat-Type": s.message_format,
                    }
                )
            raw["ric-ReportStyle-List"] = styles
        return raw

    def _trigger_in(self, raw: dict[str, Any]) -> KpmEventTrigger:
        return KpmEventTrigger(raw["eventDefinition-formats"][1]["reportingPeriod"])

    def _format1_in(self, raw: dict[str, Any]) -> ActionDefinitionFormat1:
        cell = cgi_from_raw(raw["cellGlobalID"]) if "cellGlobalID" in raw else None
        return ActionDefinitionFormat1(self._info_in(raw["measInfoList"]), raw["granulPeriod"], cell)

    def _format1_out(self, obj: ActionDefinitionFormat1) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "measInfoList": self._info_out(obj.measurements),
            "granulPeriod": obj.granularity_period_ms,
        }
        if obj.cell is not None:
            raw["cellGlobalID"] = _cgi_to_raw(obj.cell)
        return raw

    def _action_in(self, raw: dict[str, Any]) -> KpmActionDefinition:
        name, value = raw["actionDefinition-formats"]
        definition: Any
        if name == "actionDefinition-Format1":
            definition = self._format1_in(value)
        elif name == "actionDefinition-Format2":
            definition = ActionDefinitionFormat2(
                ue_id_from_raw(value["ueID"]), self._format1_in(value["subscriptInfo"])
            )
        elif name == "actionDefinition-Format3":
            definition = ActionDefinitionFormat3(
                tuple(
                    MeasurementCondition(
                        self._meas_type_in(c["measType"]), tuple(self._cond_in(m) for m in c["matchingCond"])
                    )
                    for c in value["measCondList"]
                ),
                value["granulPeriod"],
                cgi_from_raw(value["cellGlobalID"]) if "cellGlobalID" in value else None,
            )
        elif name == "actionDefinition-Format4":
            definition = ActionDefinitionFormat4(
                tuple(
                    self._test_in(c["testCondInfo"], "logicalOR" in c) for c in value["matchingUeCondList"]
                ),
                self._format1_in(value["subscriptionInfo"]),
            )
        else:
            definition = ActionDefinitionFormat5(
                tuple(ue_id_from_raw(u["ueID"]) for u in value["matchingUEidList"]),
                self._format1_in(value["subscriptionInfo"]),
            )
        return KpmActionDefinition(raw["ric-Style-Type"], definition)

    def _action_out(self, obj: KpmActionDefinition) -> dict[str, Any]:
        d = obj.definition
        formats: tuple[str, Any]
        if isinstance(d, ActionDefinitionFormat1):
            formats = ("actionDefinition-Format1", self._format1_out(d))
        elif isinstance(d, ActionDefinitionFormat2):
            formats = (
                "actionDefinition-Format2",
                {"ueID": d.ue.to_raw(), "subscriptInfo": self._format1_out(d.subscription)},
            )
        elif isinstance(d, ActionDefinitionFormat3):
            f3: dict[str, Any] = {
                "measCondList": [
                    {
                        "measType": self._meas_type_out(c.meas_type),
                        "matchingCond": [self._cond_out(m) for m in c.conditions],
                    }
                    for c in d.conditions
                ],
                "granulPeriod": d.granularity_period_ms,
            }
            if d.cell is not None:
                f3["cellGlobalID"] = _cgi_to_raw(d.cell)
            formats = ("actionDefinition-Format3", f3)
        elif isinstance(d, ActionDefinitionFormat4):
            conds = []
            for t in d.ue_conditions:
                item: dict[str, Any] = {"testCondInfo": self._test_out(t)}
                if t.logical_or:
                    if not self.v3:
                        raise EncodeError(f"logicalOR does not exist in {self.label}", where=self.label)
                    item["logicalOR"] = "true"
                conds.append(item)
            formats = (
                "actionDefinition-Format4",
                {"matchingUeCondList": conds, "subscriptionInfo": self._format1_out(d.subscription)},
            )
        elif isinstance(d, ActionDefinitionFormat5):
            formats = (
                "actionDefinition-Format5",
                {
                    "matchingUEidList": [{"ueID": u.to_raw()} for u in d.ues],
                    "subscriptionInfo": self._format1_out(d.subscription),
                },
            )
        else:
            raise EncodeError(f"unknown action definition {type(d).__name__}", where=self.label)
        return {"ric-Style-Type": obj.style, "actionDefinition-formats": formats}

    def _header_in(self, raw: dict[str, Any]) -> KpmIndicationHeader:
        h = raw["indicationHeader-formats"][1]
        return KpmIndicationHeader(
            ntp_to_unix(h["colletStartTime"]),
            h.get("fileFormatversion"),
            h.get("senderName"),
            h.get("senderType"),
            h.get("vendorName"),
        )

    def _header_out(self, obj: KpmIndicationHeader) -> dict[str, Any]:
        h: dict[str, Any] = {"colletStartTime": unix_to_ntp(obj.collect_start_time)}
        for asn, value in (
            ("fileFormatversion", obj.file_format_version),
            ("senderName", obj.sender_name),
            ("senderType", obj.sender_type),
            ("vendorName", obj.vendor_name),
        ):
            if value is not None:
                h[asn] = value
        return {"indicationHeader-formats": ("indicationHeader-Format1", h)}

    def _msg1_in(self, raw: dict[str, Any]) -> IndicationMessageFormat1:
        return IndicationMessageFormat1(
            self._data_in(raw["measData"]),
            self._info_in(raw["measInfoList"]) if "measInfoList" in raw else None,
            raw.get("granulPeriod"),
        )

    def _msg1_out(self, obj: IndicationMessageFormat1) -> dict[str, Any]:
        raw: dict[str, Any] = {"measData": self._data_out(obj.data)}
        if obj.measurements is not None:
            raw["measInfoList"] = self._info_out(obj.measurements)
        if obj.granularity_period_ms is not None:
            raw["granulPeriod"] = obj.granularity_period_ms
        return raw

    def _message_in(self, raw: dict[str, Any]) -> Any:
        name, value = raw["indicationMessage-formats"]
        if name == "indicationMessage-Format1":
            return self._msg1_in(value)
        if name == "indicationMessage-Format2":
            return IndicationMessageFormat2(
                self._data_in(value["measData"]),
                tuple(
                    MeasurementCondUeIds(
                        self._meas_type_in(c["measType"]),
                        tuple(self._cond_in(m) for m in c["matchingCond"]),
                        tuple(ue_id_from_raw(u["ueID"]) for u in c.get("matchingUEidList", ())),
                    )
                    for c in value["measCondUEidList"]
                ),
                value.get("granulPeriod"),
            )
        return IndicationMessageFormat3(
            tuple(
                UeMeasurementReport(ue_id_from_raw(r["ueID"]), self._msg1_in(r["measReport"]))
                for r in value["ueMeasReportList"]
            )
        )

    def _message_out(self, obj: Any) -> dict[str, Any]:
        if isinstance(obj, IndicationMessageFormat1):
            return {"indicationMessage-formats": ("indicationMessage-Format1", self._msg1_out(obj))}
        if isinstance(obj, IndicationMessageFormat2):
            conds = []
            for c in obj.conditions:
                item: dict[str, Any] = {
                    "measType": self._meas_type_out(c.meas_type),
                    "matchingCond": [self._cond_out(m) for m in c.conditions],
                }
                if c.matching_ues:
                    item["matchingUEidList"] = [{"ueID": u.to_raw()} for u in c.matching_ues]
                conds.append(item)
            f2: dict[str, Any] = {"measData": self._data_out(obj.data), "measCondUEidList": conds}
            if obj.granularity_period_ms is not None:
                f2["granulPeriod"] = obj.granularity_period_ms
            return {"indicationMessage-formats": ("indicationMessage-Format2", f2)}
        return {
            "indicationMessage-formats": (
                "indicationMessage-Format3",
                {
                    "ueMeasReportList": [
                        {"ueID": r.ue.to_raw(), "measReport": self._msg1_out(r.report)} for r in obj.reports
                    ]
                },
            )
        }


class KpmV3_00(_Kpm):
    """E2SM-KPM v03.00 (O-RAN.WG3.E2SM-KPM-R003-v03.00)."""

    oid = "1.3.6.1.4.1.53148.1.3.2.2"
    version = "3.00"
    v3 = True
    asn1_files = (_COMMON, _ASN1 / "E2SM-KPM-v03.00.asn")


class KpmV2_03(_Kpm):
    """E2SM-KPM v02.03 (O-RAN.WG3.E2SM-KPM-v02.03)."""

    oid = "1.3.6.1.4.1.53148.1.2.2.2"
    version = "2.03"
    v3 = False
    asn1_files = (_COMMON, _ASN1 / "E2SM-KPM-v02.03.asn")
