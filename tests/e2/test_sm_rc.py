"""E2SM-RC v01.03: round trips, the slice PRB quota and handover controls, property tests, error paths."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutate import assert_only

from e2.asn1 import load_codec
from e2.errors import DecodeError, E2Error, EncodeError, ValidationError
from e2.sm import PayloadKind, default_registry
from e2.sm.common import GnbUeId, Guami, NrCgi, Plmn, RanFunctionName, RawUeId, Snssai
from e2.sm.rc import (
    BitString,
    ControlAction,
    ControlStyle,
    Element,
    OutcomeParameter,
    ParamDef,
    ParamList,
    RanParameter,
    RcCallProcessId,
    RcControlHeader,
    RcControlMessage,
    RcControlOutcome,
    RcRanFunctionDefinition,
    SlicePrbQuotaParam,
    SliceQuota,
    Structure,
    control_styles,
    handover_control,
    parse_handover,
    parse_slice_prb_quota,
    slice_prb_quota_control,
)

RC = default_registry().lookup(name="rc")
PLMN = Plmn("310", "410")
UE = GnbUeId(123456789, Guami(PLMN, 0xCA, 0x3FF, 0x3F), f1ap_ids=(1, 2), e1ap_ids=(9,))
QUOTAS = [SliceQuota(PLMN, Snssai(1, 0xABCDEF), 10, 60, 5), SliceQuota(PLMN, Snssai(2), 20, 100, 0)]


def samples() -> list[tuple[PayloadKind, object]]:
    header, message = slice_prb_quota_control(QUOTAS, UE)
    ho_header, ho_message = handover_control(UE, NrCgi(PLMN, 0xFFFFFFFFF))
    return [
        (
            PayloadKind.RAN_FUNCTION_DESCRIPTION,
            RcRanFunctionDefinition(
                RanFunctionName("ORAN-E2SM-RC", RC.oid, "RAN Control", 2), control_styles()
            ),
        ),
        (PayloadKind.CONTROL_HEADER, header),
        (
            PayloadKind.CONTROL_HEADER,
            RcControlHeader(RawUeId("ng-eNB-DU-UEID", {"ng-eNB-CU-UE-W1AP-ID": 7}), 1, 2, "reject"),
        ),
        (PayloadKind.CONTROL_MESSAGE, message),
        (PayloadKind.CONTROL_HEADER, ho_header),
        (PayloadKind.CONTROL_MESSAGE, ho_message),
        (
            PayloadKind.CONTROL_MESSAGE,
            RcControlMessage(
                (
                    RanParameter(1, Element(True, key=True)),
                    RanParameter(2, Element(None)),
                    RanParameter(3, Structure()),
                    RanParameter(4, Element(BitString(b"\xa0", 3))),
                    RanParameter(5, Element("cell-7")),
                    RanParameter(6, Element(-2.25)),
                )
            ),
        ),
        (
            PayloadKind.CONTROL_OUTCOME,
            RcControlOutcome(
                (OutcomeParameter(10, 10), OutcomeParameter(11, b"\x01"), OutcomeParameter(12, 0.5))
            ),
        ),
        (PayloadKind.CONTROL_OUTCOME, RcControlOutcome()),
        (PayloadKind.CALL_PROCESS_ID, RcCallProcessId(4294967295)),
    ]


def test_identity():
    assert (RC.oid, RC.short_name, RC.version, RC.cli_name) == (
        "1.3.6.1.4.1.53148.1.1.2.3",
        "ORAN-E2SM-RC",
        "1.03",
        "rc",
    )
    assert default_registry().negotiate("ORAN-E2SM-RC") is RC


def test_round_trip_every_payload():
    reference = load_codec(RC.asn1_files, engine="asn1tools")
    for kind, value in samples():
        data = RC.encode(value)
        assert RC.decode(kind, data) == value, kind
        assert RC.reencode(kind, data) == data
        assert reference.encode(RC.asn1_types[kind], RC.decode_raw(kind, data)) == data
        assert RC.to_jsonable(kind, data)


def test_other_definition_sections_survive_the_typed_view():
    raw = RC.decode_raw("ran-function-description", RC.encode(samples()[0][1]))
    raw["ranFunctionDefinition-Report"] = {
        "ric-ReportStyle-List": [
            {
                "ric-ReportStyle-Type": 1,
                "ric-ReportStyle-Name": "Message Copy",
                "ric-SupportedEventTriggerStyle-Type": 1,
                "ric-ReportActionFormat-Type": 1,
                "ric-IndicationHeaderFormat-Type": 1,
                "ric-IndicationMessageFormat-Type": 1,
                "ran-ReportParameters-List": [{"ranParameter-ID": 1, "ranParameter-name": "UE ID"}],
            }
        ]
    }
    data = RC.encode_raw("ran-function-description", raw)
    typed = RC.decode("ran-function-description", data)
    assert RC.encode(typed) == data
    assert typed.control_action(2, 6).name == "Slice-level PRB quota"
    assert typed.control_action(3, 1).params[0].children[0].children[0].children[0].name == "NR CGI"
    assert typed.control_action(2, 99) is None


def test_slice_quota_uses_clause_8_4_3_6_ids():
    header, message = slice_prb_quota_control(QUOTAS)
    assert (header.style, header.action) == (2, 6)
    top = message.params[0]
    assert top.id == SlicePrbQuotaParam.RRM_POLICY_RATIO_LIST == 1
    group = top.value.items[0]
    assert [p.id for p in group.params] == [3, 10, 11, 12]
    member = group.get(3).value.get(4).value.items[0]
    assert [p.id for p in member.params] == [6, 7]
    assert [p.id for p in member.get(7).value.params] == [8, 9]
    back = RC.decode("control-message", RC.encode(message))
    assert parse_slice_prb_quota(back) == QUOTAS


def test_handover_uses_clause_8_4_4_1_ids():
    target = NrCgi(Plmn("001", "001"), 0x123456789)
    header, message = handover_control(UE, target)
    assert (header.style, header.action, header.ue) == (3, 1, UE)
    ids = []
    node = message.params[0]
    while isinstance(node.value, Structure):
        ids.append(node.id)
        node = node.value.params[0]
    assert ids + [node.id] == [1, 2, 3, 4]
    assert parse_handover(RC.decode("control-message", RC.encode(message))) == target
    # 60-bit form (PLMN + NCI left-aligned in 8 octets) is accepted too
    number = int.from_bytes(target.plmn.to_bytes(), "big") << 36 | target.nci
    bits = RanParameter(4, Element(BitString((number << 4).to_bytes(8, "big"), 60)))
    alt = RcControlMessage(
        (RanParameter(1, Structure((RanParameter(2, Structure((RanParameter(3, Structure((bits,))),))),))),)
    )
    assert parse_handover(alt) == target
    octets = RanParameter(
        4, Element(BitString(target.plmn.to_bytes() + (target.nci << 4).to_bytes(5, "big"), 64))
    )
    alt = RcControlMessage(
        (RanParameter(1, Structure((RanParameter(2, Structure((RanParameter(3, Structure((octets,))),))),))),)
    )
    assert parse_handover(alt) == target


@settings(max_examples=60, deadline=None)
@given(
    ratios=st.lists(
        st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=4
    ),
    sst=st.integers(0, 255),
    sd=st.one_of(st.none(), st.integers(0, 2**24 - 1)),
)
def test_property_prb_ratios(ratios, sst, sd):
    quotas = [SliceQuota(PLMN, Snssai(sst, sd), *r) for r in ratios]
    _, message = slice_prb_quota_control(quotas)
    assert parse_slice_prb_quota(RC.decode("control-message", RC.encode(message))) == quotas


@settings(max_examples=40, deadline=None)
@given(bad=st.one_of(st.integers(max_value=-1), st.integers(min_value=101)), which=st.integers(0, 2))
def test_property_prb_ratio_out_of_range_refused(bad, which):
    ratios = [10, 50, 0]
    ratios[which] = bad
    with pytest.raises(ValidationError, match="0..100"):
        slice_prb_quota_control([SliceQuota(PLMN, Snssai(1), *ratios)])


@settings(max_examples=40, deadline=None)
@given(cio=st.integers(-24, 24), param_id=st.integers(1, 2**32 - 1))
def test_property_parameter_values(cio, param_id):
    """e.g. a cell individual offset (dB, -24..24) as a valueInt element under any RAN parameter ID."""
    msg = RcControlMessage((RanParameter(param_id, Element(cio)),))
    assert RC.decode("control-message", RC.encode(msg)) == msg


def test_encode_is_strict():
    with pytest.raises(ValidationError):
        RC.encode(RcControlMessage((RanParameter(0, Element(1)),)))  # RANParameter-ID starts at 1
    with pytest.raises(EncodeError):
        RC.encode(RcControlMessage((RanParameter(1, Element(None, key=True)),)))
    with pytest.raises(EncodeError):
        RC.encode(RcControlMessage((RanParameter(1, ParamList(())),)))
    with pytest.raises(ValidationError):
        RC.encode(RcControlHeader(UE, 2, 0))  # RIC-ControlAction-ID 1..65535
    with pytest.raises(EncodeError):
        RC.encode(
            RcRanFunctionDefinition(
                RanFunctionName("RC", RC.oid, "x"),
                (ControlStyle(1, "s", (ControlAction(1, "a", (ParamDef(1, "p", "STRUCTURE"),)),)),),
            )
        )


def test_parsers_refuse_wrong_shapes():
    with pytest.raises(ValidationError, match="RAN parameter 1"):
        parse_slice_prb_quota(RcControlMessage((RanParameter(2, Element(1)),)))
    with pytest.raises(ValidationError, match="NR CGI"):
        leaf = RanParameter(4, Element(b"\x00"))
        parse_handover(
            RcControlMessage(
                (
                    RanParameter(
                        1, Structure((RanParameter(2, Structure((RanParameter(3, Structure((leaf,))),))),))
                    ),
                )
            )
        )


def test_other_formats_decode_raw_but_have_no_typed_view():
    raw = {"ric-controlHeader-formats": ("controlHeader-Format2", {"ric-ControlDecision": "accept"})}
    data = RC.encode_raw("control-header", raw)
    assert RC.decode_raw("control-header", data) == raw
    with pytest.raises(DecodeError, match="controlHeader-Format2 has no typed view"):
        RC.decode("control-header", data)


def test_mutated_and_truncated_payloads_raise_only_e2error():
    payloads = [(kind, RC.encode(value)) for kind, value in samples()]
    assert_only(E2Error, RC.decode, payloads, seed=7, count=400)


def test_deeply_nested_structure_is_a_decode_error_not_a_crash():
    node: RanParameter = RanParameter(1, Element(1))
    for _ in range(400):
        node = RanParameter(1, Structure((node,)))
    try:
        data = RC.encode(RcControlMessage((node,)))
    except E2Error:
        return
    try:
        RC.decode("control-message", data)
    except E2Error:
        pass
