"""The fast APER engine on hostile and unusual input: one error type, bounded work, lenient where nodes deviate."""

from __future__ import annotations

import time

import pytest

from e2.ap.codec import codec
from e2.asn1 import load_codec
from e2.asn1.x690 import decode_oid, decode_real, encode_oid, encode_real
from e2.errors import DecodeError, EncodeError

MODULE_V1 = """
Evo DEFINITIONS AUTOMATIC TAGS ::= BEGIN
Item ::= SEQUENCE { a INTEGER (0..7), ... }
List ::= SEQUENCE (SIZE (1..65535)) OF Item
Blob ::= OCTET STRING
Pick ::= CHOICE { x INTEGER (0..3), ... }
Colour ::= ENUMERATED { red, green, ... }
Sized ::= OCTET STRING (SIZE (1..4, ...))
Tree ::= SEQUENCE { v INTEGER (0..9), kids SEQUENCE (SIZE (0..4)) OF Tree }
END
"""
MODULE_V2 = """
Evo DEFINITIONS AUTOMATIC TAGS ::= BEGIN
Item ::= SEQUENCE { a INTEGER (0..7), ..., b PrintableString (SIZE (1..20)) OPTIONAL, c INTEGER OPTIONAL }
Pick ::= CHOICE { x INTEGER (0..3), ..., y OCTET STRING }
Colour ::= ENUMERATED { red, green, ..., blue }
END
"""


@pytest.fixture(scope="module")
def v1(tmp_path_factory):
    p = tmp_path_factory.mktemp("v1") / "evo.asn"
    p.write_text(MODULE_V1)
    return load_codec([p])


@pytest.fixture(scope="module")
def v2(tmp_path_factory):
    p = tmp_path_factory.mktemp("v2") / "evo.asn"
    p.write_text(MODULE_V2)
    return load_codec([p])


def test_unknown_extension_additions_are_skipped(v1, v2) -> None:
    newer = v2.encode("Item", {"a": 5, "b": "hello", "c": -3})
    assert v1.decode("Item", newer) == {"a": 5}  # an older decoder ignores what it does not know
    assert v2.decode("Item", newer) == {"a": 5, "b": "hello", "c": -3}
    assert v1.decode("Pick", v2.encode("Pick", ("y", b"zz"))) == (None, None)
    assert v1.decode("Colour", v2.encode("Colour", "blue")) is None


def test_size_extension_outside_the_root(v1) -> None:
    enc = v1.encode("Sized", b"123456789")  # outside SIZE(1..4): ext bit + unconstrained length
    assert enc[0] & 0x80
    assert v1.decode("Sized", enc) == b"123456789"


@pytest.mark.parametrize("cut", [0, 1, 2, 5, 10])
def test_truncation_is_a_decode_error(cut: int) -> None:
    c = codec()
    full = c.encode("RICrequestID", {"ricRequestorID": 7, "ricInstanceID": 9})
    data = full[:cut]
    if len(data) < len(full):
        with pytest.raises(DecodeError) as info:
            c.decode("RICrequestID", data)
        assert "RICrequestID" in info.value.where


def test_malicious_lengths_do_not_allocate_or_loop(v1) -> None:
    # a list claiming 65535 items, an octet string claiming 16383 octets, both with 3 octets of data
    for type_name, data in (("List", b"\xff\xfe\x00"), ("Blob", b"\xbf\xff\x00"), ("Blob", b"\xc4\x00\x00")):
        t0 = time.perf_counter()
        with pytest.raises(DecodeError):
            v1.decode(type_name, data)
        assert time.perf_counter() - t0 < 1.0


def test_deep_recursion_is_a_decode_error(v1) -> None:
    # Tree nesting: each level '0000' (v=0) + '001' (one kid) -> far deeper than the interpreter allows
    bits = "0000001" * 5000 + "0000000"
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    with pytest.raises(DecodeError, match="nesting too deep"):
        v1.decode("Tree", data)
    shallow = v1.encode("Tree", {"v": 1, "kids": [{"v": 2, "kids": []}]})
    assert v1.decode("Tree", shallow) == {"v": 1, "kids": [{"v": 2, "kids": []}]}


def test_encode_is_strict() -> None:
    c = codec()
    with pytest.raises(EncodeError, match="outside 0..4095"):
        c.encode("RANfunctionID", 4096)
    with pytest.raises(EncodeError, match="missing member ricInstanceID"):
        c.encode("RICrequestID", {"ricRequestorID": 1})
    with pytest.raises(EncodeError, match="unknown enumeration"):
        c.encode("Criticality", "maybe")
    with pytest.raises(EncodeError, match="size"):
        c.encode("PLMN-Identity", b"\x00\x01")
    with pytest.raises(EncodeError, match="alphabet"):
        c.encode("RANfunctionOID", "kpm\u00e9")
    with pytest.raises(EncodeError, match="unknown type"):
        c.encode("NoSuchType", 1)
    with pytest.raises(DecodeError, match="unknown type"):
        c.decode("NoSuchType", b"\x00")


def test_bad_enumeration_and_choice_indices() -> None:
    c = codec()
    with pytest.raises(DecodeError, match="enumeration index 3"):
        c.decode("Criticality", b"\xc0")
    with pytest.raises(DecodeError):
        c.decode("E2AP-PDU", b"\x60\x00")  # root index 3 of a 3-alternative CHOICE


@pytest.mark.parametrize(
    "value", [0.0, 1.0, -1.0, 0.1, 1e300, -1e-300, 5e-324, 123456.789, float("inf"), float("-inf")]
)
def test_real_round_trip(value: float) -> None:
    assert decode_real(encode_real(value)) == value


def test_real_decodes_other_x690_forms() -> None:
    assert decode_real(bytes([0x90, 0x01, 0x03])) == 3 * 8.0  # base 8, exponent 1
    assert decode_real(bytes([0xA4, 0xFF, 0x01])) == 1 * 2 / 16  # base 16, scale factor F=1, exponent -1
    assert decode_real(b"\x03" + b"12.5E1") == 125.0  # decimal NR3
    assert decode_real(b"\x42") != decode_real(b"\x42")  # NaN
    with pytest.raises(ValueError):
        decode_real(b"\x4f")


def test_oid_round_trip() -> None:
    for oid in ("1.3.6.1.4.1.53148.1.3.2.2", "2.999.1", "0.0"):
        assert decode_oid(encode_oid(oid)) == oid
    with pytest.raises(ValueError):
        decode_oid(b"\x81")


def test_engines_agree_on_errors_being_decode_errors() -> None:
    ref = codec("asn1tools")
    with pytest.raises(DecodeError):
        ref.decode("RICrequestID", b"\x00")


def test_parse_cache_is_plain_data_and_self_healing(tmp_path) -> None:
    import e2.asn1 as asn1

    src = tmp_path / "c.asn"
    src.write_text(MODULE_V1)
    asn1.set_cache_dir(tmp_path / "cache")
    try:
        asn1._parse.cache_clear()
        first = asn1._parse((str(src),))
        (cached,) = (tmp_path / "cache").glob("*.txt")
        assert cached.read_text().startswith("{")          # a Python literal, read with ast.literal_eval
        asn1._parse.cache_clear()
        assert asn1._parse((str(src),)) == first
        cached.write_text("__import__('os').system('false')")   # tampered / corrupt: never executed, re-parsed
        asn1._parse.cache_clear()
        assert asn1._parse((str(src),)) == first
        src.write_text(MODULE_V1.replace("0..7", "0..15"))       # a changed source has another key
        asn1._parse.cache_clear()
        assert asn1._parse((str(src),)) != first
    finally:
        asn1.set_cache_dir(None)
        asn1._parse.cache_clear()
        asn1._cache_dir = True
