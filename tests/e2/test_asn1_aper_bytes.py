"""Hand-computed aligned-PER encodings (X.691 ALIGNED), written from the rules, not from an encoder's output.

Each case shows the bit layout in the comment; the fast engine must produce exactly these bytes and decode
them back. The E2AP types come from e2/ap/asn1; the others from a small test module that exercises the rules
E2 uses (REAL, unconstrained and semi-constrained INTEGER, NULL extension addition, fragmentation).
"""

from __future__ import annotations

import pytest

from e2.ap.codec import codec
from e2.asn1 import load_codec

E2AP_CASES = [
    # RICrequestID ::= SEQUENCE { ricRequestorID INTEGER (0..65535), ricInstanceID INTEGER (0..65535), ... }
    # ext bit '0' + 7 pad bits | 2-octet aligned constrained numbers (range 65536, X.691 11.5.7.3)
    ("RICrequestID", {"ricRequestorID": 1, "ricInstanceID": 2}, "00 0001 0002"),
    # RANfunctionID ::= INTEGER (0..4095): range 4096 (>256, <=64K) -> two octets, aligned
    ("RANfunctionID", 4095, "0fff"),
    # RICactionID ::= INTEGER (0..255): range 256 -> exactly one aligned octet
    ("RICactionID", 5, "05"),
    # TransactionID ::= INTEGER (0..255, ...): ext bit '0', pad to octet, one octet
    ("TransactionID", 3, "00 03"),
    # ... outside the root: ext bit '1', pad, unconstrained: length octet 2, two's complement 01 2C
    ("TransactionID", 300, "80 02 012c"),
    # Criticality ::= ENUMERATED { reject, ignore, notify }: index 2 in 2 bits '10' + 6 pad bits
    ("Criticality", "notify", "80"),
    # RICindicationType ::= ENUMERATED { report, insert, ... }: ext '0', index '1' in 1 bit -> '01' + pad
    ("RICindicationType", "insert", "40"),
    # GlobalRIC-ID: ext '0' + pad | PLMN OCTET STRING (SIZE(3)) aligned 00 F1 10 | BIT STRING (SIZE(20)),
    # fixed > 16 bits -> aligned: 1010 1011 1100 1101 1110 + 4 pad bits
    (
        "GlobalRIC-ID",
        {"pLMN-Identity": bytes.fromhex("00f110"), "ric-ID": (bytes.fromhex("abcde0"), 20)},
        "00 00f110 abcde0",
    ),
    # GNB-ID-Choice ::= CHOICE { gnb-ID BIT STRING (SIZE(22..32)), ... }: ext '0', one root alternative (no
    # index), length 22-22=0 in 4 bits '0000', align (3 pad bits), 22 bits of 3584 + 2 pad bits = 00 38 00
    ("GNB-ID-Choice", ("gnb-ID", (bytes.fromhex("003800"), 22)), "00 003800"),
    # RANfunctionOID ::= PrintableString (SIZE(1..1000, ...)) "1.3": ext '0' + pad | length-1 = 2 as a
    # two-octet aligned number (range 1000) | 8-bit characters, aligned (1000 * 8 > 16)
    ("RANfunctionOID", "1.3", "00 0002 312e33"),
    # RICindicationHeader ::= OCTET STRING (unconstrained): length determinant 3 (one octet), then octets
    ("RICindicationHeader", b"abc", "03 616263"),
    # ProtocolIE-Field { id 29, criticality reject, value open type (2 octets) }:
    # id: 2 aligned octets 001D | criticality '00' + pad | length 02 | 00 01
    ("ProtocolIE-Field", {"id": 29, "criticality": "reject", "value": b"\x00\x01"}, "001d 00 02 0001"),
]


@pytest.mark.parametrize(
    ("type_name", "value", "hex_"), E2AP_CASES, ids=[f"{c[0]}-{c[2]}" for c in E2AP_CASES]
)
def test_e2ap_types(type_name: str, value: object, hex_: str) -> None:
    c = codec()
    want = bytes.fromhex(hex_.replace(" ", ""))
    assert c.encode(type_name, value) == want
    assert c.decode(type_name, want) == value


TEST_MODULE = """
Rules DEFINITIONS AUTOMATIC TAGS ::= BEGIN
Rec ::= CHOICE { integer INTEGER (0..4294967295), real REAL, noValue NULL, ... }
Unc ::= INTEGER
Semi ::= INTEGER (0..MAX)
Big ::= INTEGER (0..4294967295)
Flags ::= SEQUENCE { a BOOLEAN, b INTEGER (0..7) OPTIONAL, ..., c NULL OPTIONAL }
Blob ::= OCTET STRING
Small ::= OCTET STRING (SIZE(2))
Short ::= BIT STRING (SIZE(5))
Ext ::= SEQUENCE { x INTEGER (0..3), ..., y INTEGER (0..255) OPTIONAL, z BOOLEAN OPTIONAL }
Oid ::= OBJECT IDENTIFIER
Digits ::= NumericString (SIZE(3))
Name ::= IA5String (SIZE(1..2))
Label ::= VisibleString
Text ::= UTF8String
END
"""


@pytest.fixture(scope="module")
def rules_path(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("asn") / "rules.asn"
    path.write_text(TEST_MODULE)
    return path


@pytest.fixture(scope="module")
def rules(rules_path):
    return load_codec([rules_path])


RULE_CASES = [
    # CHOICE ext '0', index 1 of 3 in 2 bits '01' -> '001' + pad; REAL: length 3, 0x80 (binary, base 2,
    # 1-octet exponent), exponent -1 = FF, mantissa 3 (1.5 = 3 * 2^-1, X.690 8.5.7 with the odd mantissa)
    ("Rec", ("real", 1.5), "20 03 80ff03"),
    # -2.5 = -5 * 2^-1: sign bit 0x40 -> 0xC0
    ("Rec", ("real", -2.5), "20 03 c0ff05"),
    # 0.0 has no content octets (X.690 8.5.2): length 0
    ("Rec", ("real", 0.0), "20 00"),
    # integer 70000 in 0..4294967295 (range > 64K, X.691 11.5.7.4): '000' (ext + index 0) then the octet
    # count - 1 = 2 in 2 bits '10' -> '00010' + pad = 10 | 3 octets 01 11 70
    ("Rec", ("integer", 70000), "10 011170"),
    ("Rec", ("noValue", None), "40"),
    # unconstrained: length + minimal two's complement (X.691 11.8)
    ("Unc", -129, "02 ff7f"),
    ("Unc", 127, "01 7f"),
    ("Unc", 128, "02 0080"),
    # semi-constrained (X.691 11.7): minimal non-negative octets of (value - lb): 128 -> 01 80
    ("Semi", 128, "01 80"),
    ("Big", 0, "00 00"),
    # Flags: ext '0' | bitmap: b present '1' | a TRUE '1' | b = 5 in 3 bits '101' -> 0111 01 + pad = 74
    ("Flags", {"a": True, "b": 5}, "74"),
    # Flags with the NULL extension addition c: ext '1' | '0' (b absent) | a '1' | normally small length
    # count-1 = 0 as '0000000' | bitmap '1' -> 1010 0000 001 + pad = A0 20 | open type: length 1, the
    # complete encoding of NULL = one zero octet (X.691 11.1)
    ("Flags", {"a": True, "c": None}, "a0 20 01 00"),
    # fixed-size OCTET STRING of 2 octets is not aligned (X.691 17.6)
    ("Small", b"\xab\xcd", "abcd"),
    ("Short", (b"\xa8", 5), "a8"),
    # Ext with y: ext '1' | x=2 '10' | count-1 = 1 '0000001' | bitmap '10' -> 1100 0000 0110 + pad =
    # C0 60 | open type length 1 holding y = 7 (aligned octet)
    ("Ext", {"x": 2, "y": 7}, "c0 60 01 07"),
    # OBJECT IDENTIFIER 1.3.6.1: length 3, 2B 06 01 (X.690 8.19: 40*1+3 = 43)
    ("Oid", "1.3.6.1", "03 2b0601"),
    # NumericString: 11 characters -> 4 bits (aligned variant: power of two); '9' = 0x39 does not fit in 4
    # bits, so characters are their index in " 0123456789" (X.691 30.5.4): "123" -> 2 3 4 = 0010 0011 0100;
    # 3 * 4 = 12 bits <= 16: not aligned
    ("Digits", "123", "2340"),
    # IA5String (SIZE(1..2)): 7 bits -> 8 (power of two), codes kept; length-1 in 1 bit '1'; ub * b = 16
    # <= 16 so the characters are not aligned (X.691 30.5.7): 1 0100 0001 0100 0010 + pad = A0 A1 00
    # (asn1tools aligns here; no E2 module has such a small upper bound)
    ("Name", "AB", "a0a100"),
    # unconstrained VisibleString: aligned length, then 8-bit characters
    ("Label", "ok", "02 6f6b"),
    # UTF8String: length in octets, then the UTF-8 octets
    ("Text", "é", "02 c3a9"),
]


@pytest.mark.parametrize(
    ("type_name", "value", "hex_"), RULE_CASES, ids=[f"{c[0]}-{c[2]}" for c in RULE_CASES]
)
def test_x691_rules(rules, type_name: str, value: object, hex_: str) -> None:
    want = bytes.fromhex(hex_.replace(" ", ""))
    assert rules.encode(type_name, value) == want
    assert rules.decode(type_name, want) == value


def test_fragmented_octet_string(rules, rules_path) -> None:
    # 40000 octets: 16K-fragments (X.691 11.9.3.8): C2 (2 x 16384) + 32768 octets, then length 7232 in two
    # octets (0x9C40) + the rest
    data = bytes(range(256)) * 156 + bytes(64)
    enc = rules.encode("Blob", data)
    assert enc[0] == 0xC2 and enc[1 + 32768 : 1 + 32768 + 2] == bytes.fromhex("9c40")
    assert len(enc) == 1 + 32768 + 2 + (len(data) - 32768)
    assert rules.decode("Blob", enc) == data
    assert load_codec([rules_path], engine="asn1tools").encode("Blob", data) == enc


def test_fragmented_sequence_of(tmp_path) -> None:
    # SEQUENCE OF BOOLEAN with 40000 items: fragment C2 (32768 items = 4096 octets), then an aligned length
    # 7232 = 0x9C40 and 904 octets (X.691 20.6 / 11.9.3.8); 16384 items exactly end with a zero length
    path = tmp_path / "frag.asn"
    path.write_text("Frag DEFINITIONS AUTOMATIC TAGS ::= BEGIN Flags ::= SEQUENCE OF BOOLEAN END")
    codec = load_codec([path])
    flags = [i % 3 == 0 for i in range(40000)]
    enc = codec.encode("Flags", flags)
    assert enc[0] == 0xC2 and enc[1 + 4096:1 + 4096 + 2] == bytes.fromhex("9c40")
    assert len(enc) == 1 + 4096 + 2 + 904
    assert codec.decode("Flags", enc) == flags
    exact = codec.encode("Flags", [True] * 16384)
    assert exact[0] == 0xC1 and exact[-1] == 0x00 and len(exact) == 1 + 2048 + 1
    assert codec.decode("Flags", exact) == [True] * 16384


def test_fragmented_character_string(rules, rules_path) -> None:
    text = "ranpilot " * 3000                      # 27000 characters: one 16K fragment + 10616
    enc = rules.encode("Label", text)
    assert enc[0] == 0xC1 and enc[1 + 16384:1 + 16384 + 2] == (0x8000 | 10616).to_bytes(2, "big")
    assert rules.decode("Label", enc) == text
    assert load_codec([rules_path], engine="asn1tools").decode("Label", enc) == text
