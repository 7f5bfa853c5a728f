"""E2AP v03.01 typed messages: round trips, field-range properties, strict encode, lenient decode."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2 import ap
from e2.ap import messages as m
from e2.ap.codec import codec, decode_raw
from e2.ap.ies import converter
from e2.ap.samples import SAMPLES
from e2.errors import DecodeError, EncodeError, ValidationError

PLMN = ap.Plmn("001", "01")
RID = ap.RicRequestId(1001, 3)
CAUSE = ap.Cause("ricRequest", "action-not-supported")
KPM_OID = "1.3.6.1.4.1.53148.1.3.2.2"
CFG = ap.ComponentConfig("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 7}), b"req", b"resp")


def test_every_message_type_has_a_sample() -> None:
    assert {type(s) for s in SAMPLES} == set(m.MESSAGE_TYPES)


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda s: type(s).__name__)
def test_round_trip(msg: m.E2apMessage) -> None:
    pdu = ap.encode(msg)
    assert ap.decode(pdu) == msg
    assert ap.encode(msg, engine="asn1tools") == pdu  # the reference engine agrees byte for byte
    assert ap.decode(pdu, engine="asn1tools") == msg
    raw = decode_raw(pdu)
    assert raw.procedure_code == msg.PROCEDURE and raw.kind == msg.KIND
    assert raw.criticality == m.PROCEDURES[msg.PROCEDURE][1]  # canonical outer criticality


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda s: type(s).__name__)
def test_hot_paths_match_the_checked_codec_and_hand_truncations_to_it(msg: m.E2apMessage) -> None:
    """encode / decode_raw run the generated codecs directly (no per-call lookups or error wrapping) and fall
    back to the checked Asn1Codec calls on any problem: same bytes, same first pass, and a truncated PDU is
    still a DecodeError, never a partial message."""
    c = codec()
    pdu = ap.encode(msg)
    body = [{"id": spec.id, "criticality": spec.criticality,
             "value": c.encode(spec.type, converter(spec.type)[0](getattr(msg, spec.attr), c))}
            for spec in msg.IES if getattr(msg, spec.attr) is not None]
    value = c.encode(msg.ASN1_TYPE, {"protocolIEs": body})
    assert pdu == c.encode("E2AP-PDU", (msg.KIND, {"procedureCode": msg.PROCEDURE,
                                                   "criticality": m.PROCEDURES[msg.PROCEDURE][1], "value": value}))
    assert decode_raw(pdu) == decode_raw(pdu, engine="asn1tools")
    for cut in (1, len(pdu) // 2, len(pdu) - 1):
        with pytest.raises(DecodeError):
            ap.decode(pdu[:cut])


def test_ric_indication_known_bytes() -> None:
    # initiatingMessage (CHOICE ext '0', index '00') | procedureCode 5 | criticality ignore | open type ...
    pdu = ap.encode(m.RicIndication(ap.RicRequestId(1, 2), 3, 4, "report", b"h", b"m"))
    assert pdu[:3] == bytes.fromhex("000540")
    assert ap.decode(pdu).header == b"h"


@settings(max_examples=60, deadline=None)
@given(
    requestor=st.integers(0, 65535),
    instance=st.integers(0, 65535),
    fn=st.integers(0, 4095),
    action=st.integers(0, 255),
    sn=st.none() | st.integers(0, 65535),
    kind=st.sampled_from(["report", "insert"]),
    header=st.binary(max_size=40),
    message=st.binary(max_size=3000),
    cpid=st.none() | st.binary(max_size=8),
)
def test_indication_field_ranges(requestor, instance, fn, action, sn, kind, header, message, cpid) -> None:
    msg = m.RicIndication(ap.RicRequestId(requestor, instance), fn, action, kind, header, message, sn, cpid)
    assert ap.decode(ap.encode(msg)) == msg


@settings(max_examples=40, deadline=None)
@given(
    mcc=st.from_regex(r"\A[0-9]{3}\Z"),
    mnc=st.from_regex(r"\A[0-9]{2,3}\Z"),
    bits=st.integers(22, 32),
    data=st.data(),
    tx=st.integers(0, 255),
    rev=st.integers(0, 4095),
)
def test_setup_field_ranges(mcc, mnc, bits, data, tx, rev) -> None:
    gnb = data.draw(st.integers(0, (1 << bits) - 1))
    node = ap.GlobalE2NodeId(
        ap.Plmn(mcc, mnc), gnb, bits, cu_up_id=data.draw(st.none() | st.integers(0, 2**36 - 1))
    )
    msg = m.E2SetupRequest(tx, node, (ap.RanFunction(rev % 4096, b"x", rev, KPM_OID),), (CFG,))
    assert ap.decode(ap.encode(msg)) == msg


def test_other_node_types_round_trip() -> None:
    for node in (
        ap.GlobalE2NodeId(PLMN, 5, 22, "en-gNB", cu_up_id=1),
        ap.GlobalE2NodeId(PLMN, 0xABCDE, 20, "ng-eNB", du_id=3, id_kind="enb-ID-macro"),
        ap.GlobalE2NodeId(PLMN, 0x3FFFF, 18, "eNB", id_kind="short-Macro-eNB-ID"),
    ):
        msg = m.E2SetupRequest(1, node, (ap.RanFunction(1, b"", 1, KPM_OID),), (CFG,))
        assert ap.decode(ap.encode(msg)).global_e2_node_id == node


def test_encode_is_strict() -> None:
    with pytest.raises(EncodeError, match="id-RICrequestID"):
        ap.encode(m.RicIndication(None, 1, 1, "report", b"", b""))  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="RANfunctionID"):
        ap.encode(m.RicIndication(RID, 5000, 1, "report", b"", b""))
    with pytest.raises(EncodeError):
        ap.encode(m.RicIndication(RID, 1, 1, "sometimes", b"", b""))
    with pytest.raises(EncodeError):
        ap.encode(m.E2SetupRequest(1, ap.GlobalE2NodeId(PLMN, 1 << 22, 22), (), (CFG,)))  # gNB ID too long
    with pytest.raises(EncodeError):
        ap.encode("not a message")  # type: ignore[arg-type]


def _repack(msg: m.E2apMessage, edit) -> bytes:
    """Re-build a PDU from ``msg`` with its IE list / envelope edited (what a deviating node would send)."""
    c = codec()
    kind, env = c.decode("E2AP-PDU", ap.encode(msg))
    body = c.decode(msg.ASN1_TYPE, env["value"])
    env = dict(env)
    edit(env, body["protocolIEs"])
    env["value"] = c.encode(msg.ASN1_TYPE, body)
    return c.encode("E2AP-PDU", (kind, env))


def test_decode_is_lenient_on_criticality_unknown_and_duplicate_ies() -> None:
    msg = SAMPLES[9]

    def deviate(env, ies):
        env["criticality"] = "reject"  # table says ignore for RIC Indication
        ies[0]["criticality"] = "notify"
        ies.append({"id": 999, "criticality": "ignore", "value": b"\x01\x02"})  # unknown IE
        ies.append(dict(ies[1], value=codec().encode("RANfunctionID", 77)))  # duplicate: first one wins

    assert ap.decode(_repack(msg, deviate)) == msg


def test_missing_mandatory_ie_is_named() -> None:
    def drop_header(env, ies):
        ies[:] = [ie for ie in ies if ie["id"] != 25]

    with pytest.raises(DecodeError, match=r"id-RICindicationHeader \(25\)"):
        ap.decode(_repack(SAMPLES[9], drop_header))


def test_bad_ie_value_is_located() -> None:
    def corrupt(env, ies):
        ies[0]["value"] = b"\x00"  # a truncated RICrequestID

    with pytest.raises(DecodeError) as info:
        ap.decode(_repack(SAMPLES[9], corrupt))
    assert "id-RICrequestID" in info.value.where


def test_unimplemented_procedure_is_a_decode_error() -> None:
    c = codec()
    pdu = c.encode(
        "E2AP-PDU",
        (
            "initiatingMessage",
            {
                "procedureCode": 14,
                "criticality": "reject",
                "value": c.encode("ErrorIndication", {"protocolIEs": []}),
            },
        ),
    )
    with pytest.raises(DecodeError, match="not implemented"):
        ap.decode(pdu)
    assert decode_raw(pdu).procedure_code == 14


def test_plmn_tbcd() -> None:
    assert ap.Plmn("001", "01").to_bytes() == bytes.fromhex("00f110")
    assert ap.Plmn("310", "410").to_bytes() == bytes.fromhex("130014")
    assert ap.Plmn.from_bytes(bytes.fromhex("130014")) == ap.Plmn("310", "410")
    assert str(ap.Plmn.from_bytes(bytes.fromhex("00f110"))) == "001-01"
    with pytest.raises(ValidationError):
        ap.Plmn("1", "01")
    with pytest.raises(ValidationError):
        ap.Plmn.from_bytes(bytes.fromhex("aaf110"))


def test_nr_cell_identity() -> None:
    nci = ap.nr_cell_identity(0x19B, 22, 5)
    assert nci == (0x19B << 14) | 5
    assert ap.int_to_bits(nci, 36) == (((0x19B << 14 | 5) << 4).to_bytes(5, "big"), 36)
    assert ap.split_nr_cell_identity(nci, 22) == (0x19B, 5)
    with pytest.raises(ValidationError):
        ap.nr_cell_identity(1, 21, 0)


def test_nr_cgi_of_a_gnb_cell_round_trips_through_the_e2sm_common_type() -> None:
    from e2.asn1 import load_codec
    from e2.sm import default_registry
    from e2.sm.common import NrCgi

    cgi = NrCgi(ap.Plmn("310", "410"), ap.nr_cell_identity(0x19B, 22, 5))
    common = next(f for f in default_registry().lookup(name="kpm").asn1_files if "COMMON" in str(f))
    codec = load_codec([common])
    round_tripped = codec.decode("NR-CGI", codec.encode("NR-CGI", cgi.to_raw()))
    assert NrCgi.from_raw(round_tripped) == cgi
    assert ap.split_nr_cell_identity(cgi.nci, 22) == (0x19B, 5)


def test_messages_are_frozen_dataclasses() -> None:
    for cls in m.MESSAGE_TYPES:
        assert dataclasses.is_dataclass(cls)
        assert {f.name for f in dataclasses.fields(cls)} == {s.attr for s in cls.IES}
