"""Fuzz: >= 10,000 mutated and truncated E2AP PDUs (seeded) -- only the library's error may escape.

Mutations of valid PDUs of every message type: bit flips, truncations, corrupted length fields (the octets
that carry lengths set to 0x7F / 0xFF / 0xBF 0xFF / fragment markers 0xC1..0xC4), insertions and deletions.
Each input goes through ap.decode and through the RIC and E2 node connection objects; on a sample the fast
engine is also compared with the reference engine (when both decode, they must agree).
"""

from __future__ import annotations

import random
import time

from e2 import ap
from e2.ap.connection import E2NodeConnection, PduRejected, RicConnection
from e2.ap.samples import SAMPLES
from e2.errors import E2Error

N_CASES = 12_000
SEED = 20260


def _mutate(rng: random.Random, pdu: bytes) -> bytes:
    data = bytearray(pdu)
    op = rng.randrange(6)
    if op == 0:                                   # 1-3 bit flips
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(data) * 8)
            data[i // 8] ^= 0x80 >> (i % 8)
    elif op == 1:                                 # truncation
        del data[rng.randrange(len(data)):]
    elif op == 2:                                 # length-field corruption
        i = rng.randrange(len(data))
        data[i:i + 1] = rng.choice([b"\x7f", b"\xff", b"\x80", b"\xbf\xff", b"\xc1", b"\xc4", b"\x00"])
    elif op == 3:                                 # insertion
        i = rng.randrange(len(data) + 1)
        data[i:i] = rng.randbytes(rng.randint(1, 8))
    elif op == 4:                                 # deletion
        i = rng.randrange(len(data))
        del data[i:i + rng.randint(1, 4)]
    else:                                         # random octet overwrite of the open-type area
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def test_fuzz_only_e2error_escapes() -> None:
    rng = random.Random(SEED)
    corpus = [ap.encode(s) for s in SAMPLES]
    ric = RicConnection(ap.GlobalRicId(ap.Plmn("001", "01"), 1))
    node = E2NodeConnection(ap.GlobalE2NodeId(ap.Plmn("001", "01"), 1, 22))
    decoded = rejected = agreed = 0
    t0 = time.perf_counter()
    for case in range(N_CASES):
        data = _mutate(rng, rng.choice(corpus))
        try:
            msg = ap.decode(data)
            decoded += 1
        except E2Error:
            msg = None
            rejected += 1
        for conn in (ric, node):
            events = conn.receive(data, float(case))      # never raises
            assert all(isinstance(e, PduRejected) or e is not None for e in events)
        if case % 12 == 0:                                # differential check against the reference engine
            try:
                ref = ap.decode(data, engine="asn1tools")
            except E2Error:
                ref = None
            if msg is not None and ref is not None:
                assert msg == ref, data.hex()
                agreed += 1
    assert decoded + rejected == N_CASES
    assert rejected > N_CASES // 4 and decoded > 100    # the mutations exercise both paths
    assert agreed > 20
    assert time.perf_counter() - t0 < 120               # generous bound on a loaded machine (no timing target)


def test_fuzz_engine_on_service_model_types() -> None:
    """The same mutations on E2SM payloads (KPM indication messages with REAL, strings, labels, extensions)."""
    from e2.asn1 import load_codec
    from e2.sm import default_registry

    kpm = default_registry().lookup(name="kpm", version="3.00")
    codec = load_codec(kpm.asn1_files)
    msg = {"indicationMessage-formats": ("indicationMessage-Format1", {
        "measData": [{"measRecord": [("integer", 7 * i), ("real", i / 3), ("noValue", None)]} for i in range(3)],
        "measInfoList": [{"measType": ("measName", f"DRB.Meas{i}"),
                          "labelInfoList": [{"measLabel": {"noLabel": "true", "fiveQI": i}}]} for i in range(3)],
        "granulPeriod": 100})}
    base = codec.encode("E2SM-KPM-IndicationMessage", msg)
    rng = random.Random(SEED + 1)
    ok = 0
    for _ in range(6_000):
        data = _mutate(rng, base)
        try:
            codec.decode("E2SM-KPM-IndicationMessage", data)
            ok += 1
        except E2Error:
            pass
    assert ok > 50
