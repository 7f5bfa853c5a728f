"""X.690 content octets that PER borrows: REAL (X.691 clause 15 -> X.690 8.5 with the CER/DER rules of 11.3)
and OBJECT IDENTIFIER (X.691 clause 24 -> X.690 8.19).

E2SM-KPM carries measurement values as ``REAL``; nodes encode them base 2 (DER), but decoding accepts every
X.690 form (base 2/8/16 with scale factor, decimal NR1/2/3 and the special values).
"""

from __future__ import annotations

import math

_SPECIAL = {0x40: math.inf, 0x41: -math.inf, 0x42: math.nan, 0x43: -0.0}


def encode_real(value: float) -> bytes:
    """DER content octets of a REAL: base 2, mantissa odd, two's-complement exponent in minimum octets."""
    value = float(value)
    if math.isnan(value):
        return b"\x42"
    if math.isinf(value):
        return b"\x40" if value > 0 else b"\x41"
    if value == 0.0:
        return b"" if math.copysign(1.0, value) > 0 else b"\x43"
    sign = 0x40 if value < 0 else 0x00
    mant, exp = math.frexp(abs(value))          # abs(value) = mant * 2**exp, 0.5 <= mant < 1
    m = int(mant * (1 << 53))
    shift = (m & -m).bit_length() - 1           # make the mantissa odd (X.690 11.3.1)
    m >>= shift
    e = exp - 53 + shift
    # Mantissa octets as asn1tools writes them (a leading zero octet when the bit length is a multiple of 8);
    # X.690 allows it and every decoder accepts it, and it keeps the bytes identical to the reference engine.
    mbytes = m.to_bytes(m.bit_length() // 8 + 1, "big")
    if -128 <= e <= 127:
        return bytes((0x80 | sign, e & 0xFF)) + mbytes
    if -32768 <= e <= 32767:
        return bytes((0x81 | sign, (e >> 8) & 0xFF, e & 0xFF)) + mbytes
    raise ValueError(f"REAL exponent {e} out of range")


def decode_real(data: bytes) -> float:
    """Value of X.690 REAL content octets (any base, scale factor, decimal forms)."""
    if not data:
        return 0.0
    first = data[0]
    if first & 0x80:  # binary
        base = (2, 8, 16)[(first >> 4) & 3] if (first >> 4) & 3 != 3 else None
        if base is None:
            raise ValueError("REAL base 11 is reserved")
        scale = (first >> 2) & 3
        elen = first & 3
        pos = 1
        if elen == 3:
            if len(data) < 2:
                raise ValueError("REAL exponent length missing")
            elen = data[1]
            pos = 2
        else:
            elen += 1
        if len(data) < pos + elen or elen == 0:
            raise ValueError("REAL exponent truncated")
        e = int.from_bytes(data[pos:pos + elen], "big", signed=True)
        m = int.from_bytes(data[pos + elen:], "big") << scale
        if abs(e) > 100000:
            return (math.inf if m else 0.0) if e > 0 else 0.0
        try:
            val = math.ldexp(float(m), e * {2: 1, 8: 3, 16: 4}[base])
        except OverflowError:
            val = math.inf
        return -val if first & 0x40 else val
    if first & 0x40:
        if first not in _SPECIAL:
            raise ValueError(f"unknown special REAL 0x{first:02x}")
        return _SPECIAL[first]
    text = data[1:].decode("ascii").strip().replace(",", ".")
    return float(text)


def encode_oid(dotted: str) -> bytes:
    """Content octets of an OBJECT IDENTIFIER given as '1.3.6.1...'."""
    arcs = [int(x) for x in dotted.split(".")]
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] > 39) or min(arcs) < 0:
        raise ValueError(f"invalid OBJECT IDENTIFIER {dotted!r}")
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(data: bytes) -> str:
    """Dotted form of OBJECT IDENTIFIER content octets."""
    arcs: list[int] = []
    cur = 0
    for i, byte in enumerate(data):
        cur = (cur << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(cur)
            cur = 0
        elif i == len(data) - 1:
            raise ValueError("OBJECT IDENTIFIER ends inside a sub-identifier")
    if not arcs:
        raise ValueError("empty OBJECT IDENTIFIER")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(x) for x in head + arcs[1:])
