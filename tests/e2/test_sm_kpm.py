"""E2SM-KPM v03.00 / v02.03: round trips of every payload kind, property tests, tidy rows, error paths."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutate import assert_only

from e2.asn1 import load_codec
from e2.errors import DecodeError, E2Error, EncodeError
from e2.sm import PayloadKind, default_registry
from e2.sm.common import GnbDuUeId, GnbUeId, Guami, NrCgi, Plmn, RanFunctionName, Snssai
from e2.sm.kpm import (
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
    KpmRow,
    MatchingCondition,
    MeasurementCondition,
    MeasurementCondUeIds,
    MeasurementData,
    MeasurementInfo,
    MeasurementLabel,
    ReportStyle,
    ReportStyleMeasurement,
    UeMeasurementReport,
    kpm_rows,
    ntp_to_unix,
    unix_to_ntp,
)
from e2.sm.kpm import (
    TestCondition as KpmTestCondition,
)

REG = default_registry()
KPM3 = REG.lookup(name="kpm", version="3.00")
KPM2 = REG.lookup(name="kpm", version="2.03")
BOTH = pytest.mark.parametrize("sm", [KPM3, KPM2], ids=["v3.00", "v2.03"])

PLMN = Plmn("001", "01")
CELL = NrCgi(PLMN, 0x00000A001)
UE = GnbUeId(4711, Guami(PLMN, 1, 2, 3), f1ap_ids=(7,), ran_ue_id=b"\x00" * 7 + b"\x01")
UE2 = GnbDuUeId(99)
SLICE_A = Snssai(1, 0x000001)
SLICE_B = Snssai(2)
INFOS = (
    MeasurementInfo("DRB.UEThpDl", (MeasurementLabel(slice=SLICE_A), MeasurementLabel(slice=SLICE_B))),
    MeasurementInfo("RRU.PrbUsedDl"),
    MeasurementInfo(17),
)
F1 = ActionDefinitionFormat1(INFOS, 1000, CELL)
TEST = KpmTestCondition("sNSSAI", "equal", "valueOctS", b"\x01")


def samples(v3: bool) -> list[tuple[PayloadKind, object]]:
    """One typed value per payload kind and format (v3-only features only for v3)."""
    return [
        (
            PayloadKind.RAN_FUNCTION_DESCRIPTION,
            KpmRanFunctionDescription(
                RanFunctionName("ORAN-E2SM-KPM", KPM3.oid if v3 else KPM2.oid, "KPM Monitor", 1),
                (EventTriggerStyle(1, "Periodic Report", 1),),
                (
                    ReportStyle(
                        1, "E2 Node Measurement", 1, (ReportStyleMeasurement("DRB.UEThpDl", 1),), 1, 1
                    ),
                    ReportStyle(
                        4,
                        "Common Condition-based, UE-level",
                        4,
                        (ReportStyleMeasurement("RRU.PrbUsedDl"),),
                        1,
                        2,
                    ),
                ),
            ),
        ),
        (PayloadKind.EVENT_TRIGGER, KpmEventTrigger(1000)),
        (PayloadKind.ACTION_DEFINITION, KpmActionDefinition(1, F1)),
        (PayloadKind.ACTION_DEFINITION, KpmActionDefinition(2, ActionDefinitionFormat2(UE, F1))),
        (
            PayloadKind.ACTION_DEFINITION,
            KpmActionDefinition(
                3,
                ActionDefinitionFormat3(
                    (
                        MeasurementCondition(
                            "DRB.UEThpDl",
                            (
                                MatchingCondition(label=MeasurementLabel(slice=SLICE_A), logical_or=v3),
                                MatchingCondition(test=TEST),
                            ),
                        ),
                    ),
                    500,
                ),
            ),
        ),
        (
            PayloadKind.ACTION_DEFINITION,
            KpmActionDefinition(
                4,
                ActionDefinitionFormat4(
                    (TEST, KpmTestCondition("rSRP", "greaterthan", "valueInt", -110, logical_or=v3)), F1
                ),
            ),
        ),
        (PayloadKind.ACTION_DEFINITION, KpmActionDefinition(5, ActionDefinitionFormat5((UE, UE2), F1))),
        (
            PayloadKind.INDICATION_HEADER,
            KpmIndicationHeader(1_700_000_000.5, "1.0", "gnb-1", "gNB", "ranpilot"),
        ),
        (PayloadKind.INDICATION_HEADER, KpmIndicationHeader(1_700_000_000.0)),
        (
            PayloadKind.INDICATION_MESSAGE,
            IndicationMessageFormat1(
                (MeasurementData((10, 2.5, 40, None)), MeasurementData((11, 3.5, 41, 0), incomplete=True)),
                INFOS,
                1000,
            ),
        ),
        (
            PayloadKind.INDICATION_MESSAGE,
            IndicationMessageFormat2(
                (MeasurementData((1, 2)),),
                (MeasurementCondUeIds("DRB.UEThpDl", (MatchingCondition(test=TEST),), (UE, UE2)),),
                100,
            ),
        ),
        (
            PayloadKind.INDICATION_MESSAGE,
            IndicationMessageFormat3(
                (
                    UeMeasurementReport(
                        UE, IndicationMessageFormat1((MeasurementData((1, 2.0, 3, 4)),), INFOS)
                    ),
                    UeMeasurementReport(UE2, IndicationMessageFormat1((MeasurementData((5, 6.0, 7, 8)),))),
                )
            ),
        ),
    ]


@BOTH
def test_round_trip_every_payload(sm):
    v3 = sm is KPM3
    for kind, value in samples(v3):
        data = sm.encode(value)
        assert sm.kind_of(value) == kind
        assert sm.decode(kind, data) == value, kind
        assert sm.reencode(kind, data) == data
        assert isinstance(sm.to_jsonable(kind, data), dict)


@BOTH
def test_fast_engine_matches_asn1tools(sm):
    reference = load_codec(sm.asn1_files, engine="asn1tools")
    for kind, value in samples(sm is KPM3):
        data = sm.encode(value)
        assert reference.encode(sm.asn1_types[kind], sm.decode_raw(kind, data)) == data


def test_v3_only_features_refused_by_v2():
    label = KpmActionDefinition(
        1, ActionDefinitionFormat1((MeasurementInfo("X", (MeasurementLabel(ssb_index=3),)),), 10)
    )
    with pytest.raises(EncodeError, match="ssb_index"):
        KPM2.encode(label)
    assert KPM3.decode("action-definition", KPM3.encode(label)) == label
    cond = KpmActionDefinition(
        3,
        ActionDefinitionFormat3(
            (MeasurementCondition("X", (MatchingCondition(test=TEST, logical_or=True),)),), 10
        ),
    )
    with pytest.raises(EncodeError, match="logicalOR"):
        KPM2.encode(cond)


def test_matching_condition_differs_on_the_wire():
    """v02.03 MatchingCondItem is a CHOICE, v03.00 a SEQUENCE: the same condition encodes differently."""
    value = KpmActionDefinition(
        3, ActionDefinitionFormat3((MeasurementCondition("X", (MatchingCondition(test=TEST),)),), 10)
    )
    assert KPM2.encode(value) != KPM3.encode(value)
    assert KPM2.decode("action-definition", KPM2.encode(value)) == value


def test_hand_computed_event_trigger_bytes():
    # SEQUENCE{ext=0} CHOICE{ext=0, 1 alternative -> no index} SEQUENCE{ext=0} INTEGER(1..2^32-1):
    # 3 bits 000, then constrained whole number of range 2^32 -> length in 2 bits (bytes-1) + aligned octets.
    # 1000 - 1 = 999 = 0x03E7 in 2 octets: bits 000 + 01 -> 0x08, then 0x03 0xE7.
    assert KPM3.encode(KpmEventTrigger(1000)) == bytes.fromhex("0803e7")


def test_ntp_timestamp():
    assert unix_to_ntp(0.0) == (2208988800).to_bytes(4, "big") + bytes(4)
    assert ntp_to_unix(unix_to_ntp(1_700_000_000.5)) == 1_700_000_000.5
    # lenient: nodes that put a UNIX time count into TimeStamp
    assert ntp_to_unix((1_700_000_000_123_456).to_bytes(8, "big")) == pytest.approx(1_700_000_000.123456)
    assert ntp_to_unix((1_700_000_000_123).to_bytes(8, "big")) == pytest.approx(1_700_000_000.123)
    assert ntp_to_unix((1_700_000_000).to_bytes(8, "big")) == 1_700_000_000.0


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(0, 2**32 - 1),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.none(),
        ),
        min_size=1,
        max_size=12,
    ),
    period=st.integers(1, 2**32 - 1),
)
def test_property_measurement_values(values, period):
    msg = IndicationMessageFormat1((MeasurementData(tuple(values)),), None, period)
    back = KPM3.decode("indication-message", KPM3.encode(msg))
    assert back.granularity_period_ms == period
    for a, b in zip(back.data[0].values, values, strict=True):
        assert a == b and type(a) is type(b)


@settings(max_examples=30, deadline=None)
@given(value=st.one_of(st.integers(max_value=-1), st.integers(min_value=2**32)))
def test_property_out_of_range_integer_refused(value):
    with pytest.raises(EncodeError):
        KPM3.encode(IndicationMessageFormat1((MeasurementData((value,)),)))


@settings(max_examples=30, deadline=None)
@given(period=st.one_of(st.just(0), st.integers(min_value=2**32, max_value=2**40)))
def test_property_granularity_period_range(period):
    with pytest.raises(EncodeError):
        KPM3.encode(KpmActionDefinition(1, ActionDefinitionFormat1(INFOS, period)))


def test_rows_format1_from_action_definition():
    header = KpmIndicationHeader(1000.0)
    msg = IndicationMessageFormat1((MeasurementData((1.5, 2.5, 30, 7)), MeasurementData((None, 3, 31, 8))))
    rows = kpm_rows(
        header, msg, node="gnb-1", action=KpmActionDefinition(1, F1), meas_names={17: "RRC.ConnMean"}
    )
    cell = "001-01/00000a001"
    assert rows[:4] == [
        KpmRow("gnb-1", cell, None, "1-000001", "DRB.UEThpDl", 1.5, 1000.0),
        KpmRow("gnb-1", cell, None, "2", "DRB.UEThpDl", 2.5, 1000.0),
        KpmRow("gnb-1", cell, None, None, "RRU.PrbUsedDl", 30, 1000.0),
        KpmRow("gnb-1", cell, None, None, "RRC.ConnMean", 7, 1000.0),
    ]
    assert [r.time for r in rows[4:]] == [1001.0] * 4
    assert rows[4].value is None


def test_rows_format1_after_wire_round_trip_uses_message_info():
    header = KpmIndicationHeader(50.0)
    msg = IndicationMessageFormat1((MeasurementData((5, 6, 7, 8)),), INFOS, 200)
    data_h, data_m = KPM3.encode(header), KPM3.encode(msg)
    rows = kpm_rows(
        KPM3.decode("indication-header", data_h),
        KPM3.decode("indication-message", data_m),
        node="n",
        cell="c1",
    )
    assert [(r.cell, r.slice, r.measurement, r.value) for r in rows] == [
        ("c1", "1-000001", "DRB.UEThpDl", 5),
        ("c1", "2", "DRB.UEThpDl", 6),
        ("c1", None, "RRU.PrbUsedDl", 7),
        ("c1", None, "17", 8),
    ]


def test_rows_from_a_bare_meas_info_list():
    msg = IndicationMessageFormat1((MeasurementData((1, 2, 3, 4)),), granularity_period_ms=100)
    rows = kpm_rows(KpmIndicationHeader(5.0), msg, node="n", action=INFOS)
    assert [(r.slice, r.measurement, r.value) for r in rows] == [
        ("1-000001", "DRB.UEThpDl", 1),
        ("2", "DRB.UEThpDl", 2),
        (None, "RRU.PrbUsedDl", 3),
        (None, "17", 4),
    ]


def test_rows_format3_per_ue():
    header = KpmIndicationHeader(10.0)
    sub = ActionDefinitionFormat1(
        (MeasurementInfo("DRB.UEThpDl"), MeasurementInfo("DRB.UEThpUl")), 1000, CELL
    )
    msg = IndicationMessageFormat3(
        (
            UeMeasurementReport(UE, IndicationMessageFormat1((MeasurementData((100, 10)),))),
            UeMeasurementReport(
                UE2, IndicationMessageFormat1((MeasurementData((200, 20)), MeasurementData((201, 21))))
            ),
        )
    )
    rows = kpm_rows(
        header, msg, node="gnb-2", action=KpmActionDefinition(4, ActionDefinitionFormat4((TEST,), sub))
    )
    assert [(r.ue, r.measurement, r.value, r.time) for r in rows] == [
        ("gnb-ue:4711", "DRB.UEThpDl", 100, 10.0),
        ("gnb-ue:4711", "DRB.UEThpUl", 10, 10.0),
        ("du-ue:99", "DRB.UEThpDl", 200, 10.0),
        ("du-ue:99", "DRB.UEThpUl", 20, 10.0),
        ("du-ue:99", "DRB.UEThpDl", 201, 11.0),
        ("du-ue:99", "DRB.UEThpUl", 21, 11.0),
    ]
    assert {r.cell for r in rows} == {"001-01/00000a001"}


def test_rows_refuse_mismatched_record():
    with pytest.raises(DecodeError, match="values for 4"):
        kpm_rows(
            KpmIndicationHeader(0.0), IndicationMessageFormat1((MeasurementData((1,)),), INFOS), node="n"
        )
    with pytest.raises(DecodeError, match="measInfoList"):
        kpm_rows(KpmIndicationHeader(0.0), IndicationMessageFormat1((MeasurementData((1,)),)), node="n")


def test_decode_error_names_model_kind_and_field():
    data = KPM3.encode(samples(True)[9][1])
    with pytest.raises(DecodeError) as err:
        KPM3.decode("indication-message", data[:6])
    assert err.value.where.startswith("E2SM-KPM v3.00 indication-message at ")
    assert "." in err.value.where.split(" at ", 1)[1]  # a field path, not just the top-level type
    with pytest.raises(DecodeError) as err:
        KPM3.decode("indication-message", bytes.fromhex("040000000300052003"))  # truncated inside measRecord
    assert "measRecord" in err.value.where
    with pytest.raises(DecodeError, match="no control-header"):
        KPM3.decode("control-header", data)


@BOTH
def test_mutated_and_truncated_payloads_raise_only_e2error(sm):
    payloads = [(kind, sm.encode(value)) for kind, value in samples(sm is KPM3)]
    assert_only(E2Error, sm.decode, payloads, seed=4, count=300)


def test_real_value_special_cases():
    msg = IndicationMessageFormat1((MeasurementData((math.inf, -0.0, 1e-300)),))
    back = KPM3.decode("indication-message", KPM3.encode(msg))
    assert back.data[0].values[0] == math.inf and back.data[0].values[2] == 1e-300
