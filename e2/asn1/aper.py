"""Fast aligned-PER (X.691 ALIGNED variant) engine: specialised Python code generated per ASN.1 type.

Why: asn1tools interprets a type tree bit by bit (about 2,000 RIC Indication + KPM decodes/s here); the RIC
needs >= 10,000 per core (benchmarks/e2_codec.py measures both). For every named type this module writes one straight-line decode and one
encode function (constraints, bit widths and alignments folded into constants), compiles them once per process
with ``exec`` and keeps them. Named primitive types and small non-recursive constructed types are inlined; the
others get their own functions (so recursive types work).

Decoder state is ``(d, p)``: the input bytes padded with zero octets and the bit position. Reads never check
bounds one by one: reading past the real end only sees the padding, and the position (which only grows) is
checked against the real length after the whole value, and in every SEQUENCE OF loop, so a malicious length can
neither allocate nor loop beyond the data. Any failure becomes :class:`e2.errors.DecodeError`.

Encoder state is ``(buf, a, n)``: whole octets already written in ``buf`` and ``n`` pending bits in the integer
``a``. Alignment flushes the pending bits, so octet-aligned fields are appended to ``buf`` directly.

Rules (X.691 clause numbers): constrained whole numbers 11.5.7 (bit-field up to range 255, one octet for 256,
two octets up to 64K, length + octets beyond), semi-constrained 11.7, unconstrained 11.8, normally small numbers
11.6, length determinants 11.9 (with 16K fragmentation), SEQUENCE 19 (bitmap, extension additions as open types),
SEQUENCE OF 20, CHOICE 23, ENUMERATED 14, BIT STRING 16, OCTET STRING 17, known-multiplier strings 30, REAL 15,
OBJECT IDENTIFIER 24, open types 11.2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from math import ldexp as _ldexp
from typing import Any

from e2.asn1 import x690
from e2.asn1.schema import ALPHABETS, OCTET_LIKE_STRINGS, Member, Node, Schema, SchemaError
from e2.errors import DecodeError, EncodeError

PAD = bytes(16)          # zero octets appended to every input (reads past the end see zeros, then fail the check)
PAD_BITS = 8 * len(PAD)
K64 = 65536


class _Truncated(Exception):
    pass


# ----------------------------------------------------------------------------------------------------------------
# Runtime helpers for the rare paths (the hot paths are inlined by the generator)
# ----------------------------------------------------------------------------------------------------------------
def _rb(d: bytes, p: int, nb: int) -> int:
    """Read ``nb`` bits at bit ``p`` (any alignment, any width)."""
    if nb == 0:
        return 0
    b0 = p >> 3
    b1 = (p + nb + 7) >> 3
    return (int.from_bytes(d[b0:b1], "big") >> ((b1 << 3) - p - nb)) & ((1 << nb) - 1)


def _ld(d: bytes, p: int) -> tuple[int, int, bool]:
    """Aligned general length determinant (11.9.3.5-8) at aligned ``p``: (length, new p, more fragments)."""
    b = p >> 3
    first = d[b]
    if first < 128:
        return first, p + 8, False
    if first < 192:
        return ((first & 63) << 8) | d[b + 1], p + 16, False
    m = first & 63
    if not 1 <= m <= 4:
        raise DecodeError(f"bad length fragment 0x{first:02x}")
    return m * 16384, p + 8, True


def _octets(d: bytes, p: int, unit: int = 8) -> tuple[bytes, int]:
    """Fragmented or not: aligned length determinant counting ``unit``-bit items, then the items (aligned)."""
    p = (p + 7) & -8
    parts = []
    nbits = (len(d) << 3) - PAD_BITS
    while True:
        count, p, more = _ld(d, p)
        size = count * unit
        if p + size > nbits:
            raise _Truncated
        parts.append(d[p >> 3:(p + size + 7) >> 3])
        p += size
        if not more:
            break
    return b"".join(parts), p


def _bitstr_frag(d: bytes, p: int) -> tuple[tuple[bytes, int], int]:
    p = (p + 7) & -8
    nbits = (len(d) << 3) - PAD_BITS
    acc, total = 0, 0
    while True:
        count, p, more = _ld(d, p)
        if p + count > nbits:
            raise _Truncated
        acc = (acc << count) | _rb(d, p, count)
        total += count
        p += count
        if not more:
            break
    return _bits_value(acc, total), p


def _bits_value(x: int, nb: int) -> tuple[bytes, int]:
    k = (nb + 7) >> 3
    return (x << ((k << 3) - nb)).to_bytes(k, "big"), nb


def _nsn(d: bytes, p: int) -> tuple[int, int]:
    """Normally small non-negative whole number (11.6)."""
    if not (d[p >> 3] >> (7 - (p & 7))) & 1:
        return _rb(d, p + 1, 6), p + 7
    p = (p + 8) & -8
    length, p, more = _ld(d, p)
    if more or length == 0:
        raise DecodeError("bad normally small number")
    return _rb(d, p, 8 * length), p + 8 * length


def _ext_bitmap(d: bytes, p: int) -> tuple[int, int, int]:
    """Number of extension additions (normally small length, 11.9.3.4) and their presence bitmap."""
    if not (d[p >> 3] >> (7 - (p & 7))) & 1:
        count = _rb(d, p + 1, 6) + 1
        p += 7
    else:
        p = (p + 8) & -8
        count, p, more = _ld(d, p)
        if more or count == 0:
            raise DecodeError("bad extension bitmap length")
    return count, _rb(d, p, count), p + count


def _open(d: bytes, p: int) -> tuple[bytes, int, int]:
    """Open type (11.2) at ``p``: (buffer, start bit, end bit) for in-place decoding; reassembles fragments."""
    p = (p + 7) & -8
    b = p >> 3
    first = d[b]
    if first < 128:
        return d, p + 8, p + 8 + 8 * first
    if first < 192:
        return d, p + 16, p + 16 + 8 * (((first & 63) << 8) | d[b + 1])
    data, p = _octets(d, p)
    return data + PAD, 0, len(data) * 8, p  # type: ignore[return-value]


def _sint(d: bytes, p: int) -> tuple[int, int]:
    """Unconstrained whole number (11.8): aligned length + two's-complement octets."""
    p = (p + 7) & -8
    length, p, more = _ld(d, p)
    if more or length == 0:
        raise DecodeError("bad integer length")
    return int.from_bytes(d[p >> 3:(p >> 3) + length], "big", signed=True), p + 8 * length


def _uint(d: bytes, p: int, lo: int) -> tuple[int, int]:
    """Semi-constrained whole number (11.7): aligned length + non-negative binary integer, offset by ``lo``."""
    p = (p + 7) & -8
    length, p, more = _ld(d, p)
    if more or length == 0:
        raise DecodeError("bad integer length")
    return lo + int.from_bytes(d[p >> 3:(p >> 3) + length], "big"), p + 8 * length


def _align(buf: bytearray, a: int, n: int) -> None:
    if n & 7:
        a <<= 8 - (n & 7)
        n = (n + 7) & -8
    buf += a.to_bytes(n >> 3, "big")


def _put_len(buf: bytearray, length: int) -> None:
    """Aligned unconstrained length determinant, non-fragmented (< 16K)."""
    if length < 128:
        buf.append(length)
    else:
        buf += (0x8000 | length).to_bytes(2, "big")


def _put_octets(buf: bytearray, data: bytes) -> None:
    """Length determinant + octets at an aligned position, fragmented in 64K/48K/32K/16K chunks (11.9.3.8)."""
    length = len(data)
    if length < 16384:
        _put_len(buf, length)
        buf += data
        return
    off = 0
    while True:
        rest = length - off
        if rest < 16384:
            _put_len(buf, rest)
            buf += data[off:]
            return
        m = min(rest // 16384, 4)
        buf.append(0xC0 | m)
        buf += data[off:off + m * 16384]
        off += m * 16384


def _put_bits_frag(buf: bytearray, value: tuple[bytes, int]) -> tuple[int, int]:
    """Length determinant + bits at an aligned, flushed position. Whole 16K-bit fragments go to ``buf``; the
    last (partial) fragment is returned as pending ``(a, n)`` bits: a BIT STRING does not end aligned."""
    x, nb = _bits_of(value)
    off = 0
    while True:
        rest = nb - off
        if rest < 16384:
            _put_len(buf, rest)
            return (x & ((1 << rest) - 1)) if rest else 0, rest
        m = min(rest // 16384, 4)
        buf.append(0xC0 | m)
        chunk = m * 16384
        buf += ((x >> (rest - chunk)) & ((1 << chunk) - 1)).to_bytes(chunk // 8, "big")
        off += chunk


def _put_sint(buf: bytearray, v: int) -> None:
    length = (v + (v < 0)).bit_length() // 8 + 1
    _put_len(buf, length)
    buf += v.to_bytes(length, "big", signed=True)


def _put_uint(buf: bytearray, v: int) -> None:
    length = max(1, (v.bit_length() + 7) // 8)
    _put_len(buf, length)
    buf += v.to_bytes(length, "big")


def _finish(buf: bytearray, a: int, n: int) -> bytes:
    if n:
        _align(buf, a, n)
    return bytes(buf) if buf else b"\x00"


finish = _finish  # public name for callers of raw encoders (Asn1Codec.raw_encoder)


def _real(d: bytes, p: int) -> tuple[float, int]:
    p = (p + 7) & -8
    b = p >> 3
    length = d[b]
    if length < 128:
        data = d[b + 1:b + 1 + length]
        p += 8 + 8 * length
        # Fast path: the DER form nodes send (binary, base 2, scale 0, one exponent octet: 0x80 / 0xC0).
        if length >= 3 and (data[0] & 0xBF) == 0x80:
            e = data[1] - ((data[1] & 0x80) << 1)
            value = _ldexp(int.from_bytes(data[2:], "big"), e)
            return (-value if data[0] & 0x40 else value), p
    else:
        data, p = _octets(d, p)
    try:
        return x690.decode_real(data), p
    except (ValueError, UnicodeDecodeError) as exc:
        raise DecodeError(f"bad REAL: {exc}") from None


def _oid(d: bytes, p: int) -> tuple[str, int]:
    data, p = _octets(d, p)
    try:
        return x690.decode_oid(data), p
    except ValueError as exc:
        raise DecodeError(str(exc)) from None


def _bits_of(value: Any) -> tuple[int, int]:
    data, nb = value
    if len(data) * 8 < nb:
        raise EncodeError(f"BIT STRING value has {len(data)} octets for {nb} bits")
    return (int.from_bytes(data, "big") >> (len(data) * 8 - nb)) if nb else 0, nb


def _enc_err(where: str, reason: str) -> EncodeError:
    return EncodeError(reason, where=where)


def _dec_err(where: str, reason: str) -> DecodeError:
    return DecodeError(reason, where=where)


_RUNTIME = {name: obj for name, obj in globals().items() if name.startswith("_") and callable(obj)}
_RUNTIME.update(_ldexp=_ldexp, x690=x690, DecodeError=DecodeError, EncodeError=EncodeError, PAD=PAD, PAD_BITS=PAD_BITS)


# ----------------------------------------------------------------------------------------------------------------
# Code generator
# ----------------------------------------------------------------------------------------------------------------
def _width(n: int) -> int:
    return n.bit_length() if n > 0 else 0


class _Gen:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.out: list[str] = []
        self.consts: dict[str, Any] = {}
        self.counter = 0
        self.fn: dict[str, str] = {}
        for i, ref in enumerate(schema.types):
            self.fn[ref] = f"{re.sub(r'[^0-9A-Za-z_]', '_', ref)}_{i}"
        self.inlinable = self._inlinable()

    # -- inlining: small, non-recursive named constructed types are expanded in place (fewer calls) --------------
    INLINE_WEIGHT = 16   # measured: more inlining does not decode faster, only compiles slower

    def _refs(self, node: Node) -> list[str]:
        out: list[str] = []
        stack = [node]
        while stack:
            n = stack.pop()
            if n.kind == "REF":
                out.append(n.ref)
                continue
            stack.extend(m.node for m in n.members)
            for add in n.additions or []:
                stack.extend(m.node for m in (add if isinstance(add, list) else [add]))
            if n.element is not None:
                stack.append(n.element)
        return out

    def _inlinable(self) -> set[str]:
        direct = {ref: self._refs(node) for ref, node in self.schema.types.items()}
        recursive = set()
        for ref in direct:
            seen, stack = set(), list(direct[ref])
            while stack:
                r = stack.pop()
                if r == ref:
                    recursive.add(ref)
                    break
                if r not in seen:
                    seen.add(r)
                    stack.extend(direct.get(r, []))
        weights: dict[str, int] = {}

        def weight(ref: str, depth: int = 0) -> int:
            if ref in weights:
                return weights[ref]
            if ref in recursive or depth > 50:
                return 1
            total, stack = 1, [self.schema.types[ref]]
            while stack:
                n = stack.pop()
                total += 1
                if n.kind == "REF":
                    target = self.schema.types[n.ref]
                    if target.kind in ("SEQUENCE", "CHOICE", "SEQUENCE OF") and n.ref not in recursive:
                        w = weight(n.ref, depth + 1)
                        total += w if w <= self.INLINE_WEIGHT else 1
                    continue
                stack.extend(m.node for m in n.members)
                for add in n.additions or []:
                    stack.extend(m.node for m in (add if isinstance(add, list) else [add]))
                if n.element is not None:
                    stack.append(n.element)
            weights[ref] = total
            return total

        return {ref for ref in direct if ref not in recursive and weight(ref) <= self.INLINE_WEIGHT}

    def tmp(self, stem: str = "t") -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    def const(self, value: Any) -> str:
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    def emit(self, ind: int, line: str) -> None:
        self.out.append("    " * ind + line)

    def target(self, node: Node) -> tuple[Node, str | None]:
        """Resolve REFs; return (node, function suffix) when it is a named constructed type (called, not inlined)."""
        ref = None
        while node.kind == "REF":
            ref = node.ref
            node = self.schema.types[ref]
            if node.kind in ("SEQUENCE", "CHOICE", "SEQUENCE OF") and ref not in self.inlinable:
                return node, self.fn[ref]
        return node, None

    # -- top level -------------------------------------------------------------------------------------------
    def generate(self) -> str:
        for ref, node in self.schema.types.items():
            name = self.fn[ref]
            self.emit(0, f"def D_{name}(d, p):")
            self.dec(node, "v", 1, ref, top=True)
            self.emit(1, "return v, p")
            self.emit(0, f"def E_{name}(v, buf, a, n):")
            self.enc(node, "v", 1, ref, ("buf", "a", "n"), top=True)
            self.emit(1, "return a, n")
        return "\n".join(self.out) + "\n"

    # -- decoding --------------------------------------------------------------------------------------------
    def read(self, var: str, nb: int, ind: int, dp: tuple[str, str] = ("d", "p")) -> None:
        d, p = dp
        if nb == 0:
            self.emit(ind, f"{var} = 0")
        elif nb == 1:
            self.emit(ind, f"{var} = ({d}[{p} >> 3] >> (7 - ({p} & 7))) & 1; {p} += 1")
        elif nb <= 9:
            self.emit(ind, f"{var} = ((({d}[{p} >> 3] << 8) | {d}[({p} >> 3) + 1]) >> ({16 - nb} - ({p} & 7))) "
                           f"& {(1 << nb) - 1}; {p} += {nb}")
        else:
            k = (nb + 14) // 8
            self.emit(ind, f"{var} = (int.from_bytes({d}[{p} >> 3:({p} >> 3) + {k}], 'big') >> "
                           f"({8 * k - nb} - ({p} & 7))) & {(1 << nb) - 1}; {p} += {nb}")

    def align(self, ind: int, p: str = "p") -> None:
        self.emit(ind, f"{p} = ({p} + 7) & -8")

    def read_aligned(self, var: str, octets: int, ind: int, dp: tuple[str, str] = ("d", "p")) -> None:
        d, p = dp
        if octets == 1:
            self.emit(ind, f"{var} = {d}[{p} >> 3]; {p} += 8")
        elif octets == 2:
            self.emit(ind, f"{var} = ({d}[{p} >> 3] << 8) | {d}[({p} >> 3) + 1]; {p} += 16")
        else:
            self.emit(ind, f"{var} = int.from_bytes({d}[{p} >> 3:({p} >> 3) + {octets}], 'big'); {p} += {8 * octets}")

    def dec_cwn(self, var: str, lo: int, hi: int, ind: int, dp: tuple[str, str], where: str = "") -> None:
        """Constrained whole number (11.5.7); result includes ``lo``."""
        rng = hi - lo + 1
        if rng == 1:
            self.emit(ind, f"{var} = {lo}")
            return
        if rng <= 255:
            self.read(var, _width(rng - 1), ind, dp)
        elif rng == 256:
            self.align(ind, dp[1])
            self.read_aligned(var, 1, ind, dp)
        elif rng <= K64:
            self.align(ind, dp[1])
            self.read_aligned(var, 2, ind, dp)
        else:
            octets = (_width(rng - 1) + 7) // 8
            lb = self.tmp("k")
            self.read(lb, _width(octets - 1), ind, dp)
            self.align(ind, dp[1])
            d_, p_ = dp
            self.emit(ind, f"{var} = int.from_bytes({d_}[{p_} >> 3:({p_} >> 3) + {lb} + 1], 'big'); "
                           f"{p_} += 8 * ({lb} + 1)")
        # The field can hold more than the range (e.g. 0..4095 in 16 bits): a larger value is not a valid
        # encoding of this type. Reject it rather than hand the application a value its type forbids.
        field_max = (1 << _width(rng - 1)) - 1 if rng <= 255 else 255 if rng == 256 else 65535 if rng <= K64 else -1
        if field_max != rng - 1:
            self.emit(ind, f"if {var} > {rng - 1}: raise _dec_err({where!r}, 'value ' + str({var} + {lo}) + "
                           f"' outside {lo}..{hi}')")
        if lo:
            self.emit(ind, f"{var} += {lo}")

    def dec_len(self, var: str, lo: int | None, hi: int | None, ind: int, dp: tuple[str, str],
                where: str = "") -> bool:
        """Emit a length for SIZE(lo..hi). Returns False when the length is unbounded (caller uses helpers)."""
        if hi is not None and hi < K64:
            self.dec_cwn(var, lo or 0, hi, ind, dp, where)
            return True
        return False

    def dec(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str] = ("d", "p"),
            top: bool = False) -> None:
        d, p = dp
        node, fn = self.target(node) if not top or node.kind == "REF" else (node, None)
        if fn is not None:
            self.emit(ind, f"{var}, {p} = D_{fn}({d}, {p})")
            return
        kind = node.kind
        if kind == "INTEGER":
            self.dec_int(node, var, ind, dp, where)
        elif kind == "BOOLEAN":
            self.read(var, 1, ind, dp)
            self.emit(ind, f"{var} = {var} == 1")
        elif kind == "NULL":
            self.emit(ind, f"{var} = None")
        elif kind == "ENUMERATED":
            names = self.const(tuple(node.names))
            x = self.tmp("x")
            if node.ext:
                e = self.tmp("e")
                self.read(e, 1, ind, dp)
                self.emit(ind, f"if {e}:")
                adds = self.const(tuple(node.ext_names))
                self.emit(ind + 1, f"{x}, {p} = _nsn({d}, {p})")
                self.emit(ind + 1, f"{var} = {adds}[{x}] if {x} < len({adds}) else None")
                self.emit(ind, "else:")
                ind += 1
            if len(node.names) == 1:
                self.emit(ind, f"{var} = {node.names[0]!r}")
            else:
                self.read(x, _width(len(node.names) - 1), ind, dp)
                self.emit(ind, f"if {x} >= {len(node.names)}: "
                               f"raise _dec_err({where!r}, 'enumeration index ' + str({x}))")
                self.emit(ind, f"{var} = {names}[{x}]")
        elif kind == "BIT STRING":
            self.dec_bits(node, var, ind, where, dp)
        elif kind == "OCTET STRING":
            self.dec_octets(node, var, ind, where, dp)
        elif kind in ALPHABETS:
            self.dec_kmstring(node, var, ind, where, dp)
        elif kind in OCTET_LIKE_STRINGS:
            self.emit(ind, f"{var}, {p} = _octets({d}, {p}); {var} = {var}.decode('utf-8')")
        elif kind == "OpenType":
            self.emit(ind, f"{var}, {p} = _octets({d}, {p})")
        elif kind == "REAL":
            # inline fast path for the DER binary base-2 form with a one-octet exponent (what nodes send)
            b, n_ = self.tmp("b"), self.tmp("n")
            self.align(ind, p)
            self.emit(ind, f"{b} = {p} >> 3; {n_} = {d}[{b}]")
            self.emit(ind, f"if 3 <= {n_} < 128 and ({d}[{b} + 1] & 0xBF) == 0x80:")
            self.emit(ind + 1, f"{var} = _ldexp(int.from_bytes({d}[{b} + 3:{b} + 1 + {n_}], 'big'), "
                               f"{d}[{b} + 2] - (({d}[{b} + 2] & 128) << 1))")
            self.emit(ind + 1, f"if {d}[{b} + 1] & 64: {var} = -{var}")
            self.emit(ind + 1, f"{p} += 8 + 8 * {n_}")
            self.emit(ind, f"else: {var}, {p} = _real({d}, {p})")
        elif kind == "OBJECT IDENTIFIER":
            self.emit(ind, f"{var}, {p} = _oid({d}, {p})")
        elif kind == "SEQUENCE":
            self.dec_seq(node, var, ind, where, dp)
        elif kind == "SEQUENCE OF":
            self.dec_seqof(node, var, ind, where, dp)
        elif kind == "CHOICE":
            self.dec_choice(node, var, ind, where, dp)
        else:
            raise SchemaError(f"{where}: no APER decoder for {kind}")

    def dec_int(self, node: Node, var: str, ind: int, dp: tuple[str, str], where: str = "") -> None:
        d, p = dp
        if node.ext:
            e = self.tmp("e")
            self.read(e, 1, ind, dp)
            self.emit(ind, f"if {e}:")
            self.emit(ind + 1, f"{var}, {p} = _sint({d}, {p})")
            self.emit(ind, "else:")
            ind += 1
        if node.lo is not None and node.hi is not None:
            self.dec_cwn(var, node.lo, node.hi, ind, dp, where)
        elif node.lo is not None:
            self.emit(ind, f"{var}, {p} = _uint({d}, {p}, {node.lo})")
        else:
            self.emit(ind, f"{var}, {p} = _sint({d}, {p})")

    def dec_size_ext(self, node: Node, ind: int, dp: tuple[str, str], outside: Callable[[int], None]) -> int:
        """Extensible SIZE: one bit; when set, the length is unconstrained (``outside`` emits that branch)."""
        if not node.ext:
            return ind
        e = self.tmp("e")
        self.read(e, 1, ind, dp)
        self.emit(ind, f"if {e}:")
        outside(ind + 1)
        self.emit(ind, "else:")
        return ind + 1

    def dec_octets(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str]) -> None:
        d, p = dp
        ind = self.dec_size_ext(node, ind, dp, lambda i: self.emit(i, f"{var}, {p} = _octets({d}, {p})"))
        lo, hi = node.lo, node.hi
        if hi is not None and lo == hi and hi < K64:
            if hi == 0:
                self.emit(ind, f"{var} = b''")
                return
            if hi > 2:
                self.align(ind, p)
            if hi <= 2:
                x = self.tmp("x")
                self.read(x, 8 * hi, ind, dp)
                self.emit(ind, f"{var} = {x}.to_bytes({hi}, 'big')")
            else:
                self.emit(ind, f"{var} = {d}[{p} >> 3:({p} >> 3) + {hi}]; {p} += {8 * hi}")
            return
        ln = self.tmp("n")
        if self.dec_len(ln, lo, hi, ind, dp, where):
            self.align(ind, p)
            self.emit(ind, f"{var} = {d}[{p} >> 3:({p} >> 3) + {ln}]; {p} += 8 * {ln}")
            return
        # Unbounded: inline the common one- and two-octet length forms, fragments via the helper.
        self.align(ind, p)
        b = self.tmp("b")
        self.emit(ind, f"{b} = {p} >> 3; {ln} = {d}[{b}]")
        self.emit(ind, f"if {ln} < 128: {var} = {d}[{b} + 1:{b} + 1 + {ln}]; {p} += 8 + 8 * {ln}")
        self.emit(ind, f"elif {ln} < 192: {ln} = (({ln} & 63) << 8) | {d}[{b} + 1]; "
                       f"{var} = {d}[{b} + 2:{b} + 2 + {ln}]; {p} += 16 + 8 * {ln}")
        self.emit(ind, f"else: {var}, {p} = _octets({d}, {p})")

    def dec_bits(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str]) -> None:
        d, p = dp
        ind = self.dec_size_ext(node, ind, dp, lambda i: self.emit(i, f"{var}, {p} = _bitstr_frag({d}, {p})"))
        lo, hi = node.lo, node.hi
        x = self.tmp("x")
        if hi is not None and lo == hi and hi < K64:
            if hi > 16:
                self.align(ind, p)
            self.emit(ind, f"{x} = _rb({d}, {p}, {hi}); {p} += {hi}")
            self.emit(ind, f"{var} = _bits_value({x}, {hi})")
            return
        ln = self.tmp("n")
        if self.dec_len(ln, lo, hi, ind, dp, where):
            self.align(ind, p)
            self.emit(ind, f"{x} = _rb({d}, {p}, {ln}); {p} += {ln}")
            self.emit(ind, f"{var} = _bits_value({x}, {ln})")
            return
        self.emit(ind, f"{var}, {p} = _bitstr_frag({d}, {p})")

    def dec_kmstring(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str]) -> None:
        d, p = dp
        alphabet = ALPHABETS[node.kind]
        bits = _width(len(alphabet) - 1)
        b = 1
        while b < bits:
            b *= 2          # aligned variant: 1, 2, 4, 8, 16 bits per character (30.5.2)
        direct = max(ord(c) for c in alphabet) < (1 << b)   # 30.5.4: keep the codes when they fit
        table = None if direct else self.const(alphabet)
        ok = self.const(frozenset(alphabet))

        def chars(count: str, i: int, aligned: bool = True) -> None:
            if direct and b == 8 and aligned:
                self.emit(i, f"{var} = {d}[{p} >> 3:({p} >> 3) + {count}].decode('latin-1'); {p} += 8 * {count}")
            else:
                c = self.tmp("c")
                self.emit(i, f"{var} = []")
                self.emit(i, f"for _ in range({count}):")
                self.read(c, b, i + 1, dp)
                self.emit(i + 1, f"{var}.append(chr({c}))" if table is None else f"{var}.append({table}[{c}])")
                self.emit(i, f"{var} = ''.join({var})")
            self.emit(i, f"if not {ok}.issuperset({var}): "
                         f"raise _dec_err({where!r}, 'character outside the {node.kind} alphabet')")

        def unbounded(i: int) -> None:
            if direct and b == 8:      # octet characters: fragments (>= 16K) reassembled like an OCTET STRING
                self.emit(i, f"{var}, {p} = _octets({d}, {p}); {var} = {var}.decode('latin-1')")
                self.emit(i, f"if not {ok}.issuperset({var}): "
                             f"raise _dec_err({where!r}, 'character outside the {node.kind} alphabet')")
                return
            self.align(i, p)
            cnt = self.tmp("n")
            self.emit(i, f"{cnt}, {p}, _more = _ld({d}, {p})")
            self.emit(i, f"if _more: raise _dec_err({where!r}, 'fragmented character string')")
            chars(cnt, i)

        ind = self.dec_size_ext(node, ind, dp, unbounded)
        lo, hi = node.lo, node.hi
        if hi is not None and lo == hi and hi < K64:
            if hi * b > 16:
                self.align(ind, p)
            chars(str(hi), ind, hi * b > 16)
            return
        ln = self.tmp("n")
        if self.dec_len(ln, lo, hi, ind, dp, where):
            if hi * b > 16:
                self.emit(ind, f"if {ln}: {p} = ({p} + 7) & -8")
            chars(ln, ind, hi * b > 16)
            return
        unbounded(ind)

    def dec_members(self, members: list[Member], r: str, ind: int, where: str, dp: tuple[str, str],
                    bitmap: str | None = None) -> None:
        opts = [m for m in members if m.optional or m.has_default]
        bm = bitmap or self.tmp("m")
        if opts and bitmap is None:
            self.read(bm, len(opts), ind, dp)
        # Long runs of OPTIONAL members (MeasurementLabel has 20) are guarded in chunks: one test skips
        # a chunk whose presence bits are all zero.
        chunk_of: dict[int, tuple[int, int]] = {}
        run: list[int] = []
        for i, m in enumerate([*members, None]):
            if m is not None and m.optional and not m.has_default:
                run.append(i)
                continue
            if len(run) >= 6:
                for c0 in range(0, len(run), 5):
                    part = run[c0:c0 + 5]
                    mask = 0
                    for j in part:
                        mask |= 1 << (len(opts) - 1 - opts.index(members[j]))
                    chunk_of[part[0]] = (len(part), mask)
            run = []
        left = 0
        base = ind
        for i, m in enumerate(members):
            if i in chunk_of:
                left, mask = chunk_of[i]
                self.emit(base, f"if {bm} & {mask}:")
            cur = base + 1 if left > 0 else base
            x = self.tmp("x")
            if m.optional or m.has_default:
                bit = len(opts) - 1 - opts.index(m)
                self.emit(cur, f"if {bm} >> {bit} & 1:")
                self.dec(m.node, x, cur + 1, f"{where}.{m.name}", dp)
                self.emit(cur + 1, f"{r}[{m.name!r}] = {x}")
                if m.has_default:
                    self.emit(cur, f"else: {r}[{m.name!r}] = {self.const(m.default)}")
            else:
                self.dec(m.node, x, cur, f"{where}.{m.name}", dp)
                self.emit(cur, f"{r}[{m.name!r}] = {x}")
            left -= 1

    def dec_seq(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str]) -> None:
        d, p = dp
        e = self.tmp("e")
        nopt = sum(1 for m in node.members if m.optional or m.has_default)
        pre = None
        if node.additions is not None:
            if nopt:   # extension bit and the presence bitmap in one read
                pre = self.tmp("m")
                self.read(e, 1 + nopt, ind, dp)
                self.emit(ind, f"{pre} = {e} & {(1 << nopt) - 1}; {e} >>= {nopt}")
            else:
                self.read(e, 1, ind, dp)
        self.emit(ind, f"{var} = {{}}")
        self.dec_members(node.members, var, ind, where, dp, bitmap=pre)
        if node.additions is None:
            return
        self.emit(ind, f"if {e}:")
        ind += 1
        cnt, ebm, i = self.tmp("c"), self.tmp("m"), self.tmp("i")
        self.emit(ind, f"{cnt}, {ebm}, {p} = _ext_bitmap({d}, {p})")
        self.align(ind, p)
        self.emit(ind, f"for {i} in range({cnt}):")
        self.emit(ind + 1, f"if not ({ebm} >> ({cnt} - 1 - {i})) & 1: continue")
        od, op, oe = self.tmp("od"), self.tmp("op"), self.tmp("oe")
        self.emit(ind + 1, f"_o = _open({d}, {p})")
        self.emit(ind + 1, f"if len(_o) == 4: {od}, {op}, {oe}, {p} = _o")
        self.emit(ind + 1, f"else: {od}, {op}, {oe} = _o; {p} = {oe}")
        for k, add in enumerate(node.additions):
            self.emit(ind + 1, f"{'if' if k == 0 else 'elif'} {i} == {k}:")
            if isinstance(add, list):
                self.dec_members(add, var, ind + 2, where, (od, op))
            else:
                x = self.tmp("x")
                self.dec(add.node, x, ind + 2, f"{where}.{add.name}", (od, op))
                self.emit(ind + 2, f"{var}[{add.name!r}] = {x}")
            self.emit(ind + 2, f"if {op} > {oe}: raise _dec_err({where!r}, 'extension addition overruns its "
                               f"open type')")

    def dec_seqof(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str]) -> None:
        d, p = dp
        ln = self.tmp("n")
        elem = node.element
        assert elem is not None

        def loop(count: str, i: int) -> None:
            x, lim = self.tmp("x"), self.tmp("l")
            self.emit(i, f"{lim} = len({d}) << 3")
            self.emit(i, f"for _ in range({count}):")
            self.emit(i + 1, f"if {p} > {lim}: raise _Truncated")
            self.dec(elem, x, i + 1, f"{where}[]", dp)
            self.emit(i + 1, f"{var}.append({x})")

        def unbounded(i: int) -> None:
            self.emit(i, "while True:")          # 16K fragments: every length determinant is octet-aligned
            self.align(i + 1, p)
            self.emit(i + 1, f"{ln} = {d}[{p} >> 3]")
            self.emit(i + 1, f"if {ln} < 128: {p} += 8; _more = False")
            self.emit(i + 1, f"else: {ln}, {p}, _more = _ld({d}, {p})")
            loop(ln, i + 1)
            self.emit(i + 1, "if not _more: break")

        self.emit(ind, f"{var} = []")
        ind = self.dec_size_ext(node, ind, dp, unbounded)
        if node.hi is not None and node.lo == node.hi and node.hi < K64:
            loop(str(node.hi), ind)
        elif self.dec_len(ln, node.lo, node.hi, ind, dp, where):
            loop(ln, ind)
        else:
            unbounded(ind)

    def dec_choice(self, node: Node, var: str, ind: int, where: str, dp: tuple[str, str]) -> None:
        d, p = dp
        idx = self.tmp("i")
        n = len(node.members)
        combined = node.additions is not None and n <= 255   # extension bit + bit-field index in one read
        if node.additions is not None:
            e = self.tmp("e")
            nb = _width(n - 1)
            if combined:
                self.read(e, 1 + nb, ind, dp)
                self.emit(ind, f"if {e} >> {nb}:")
                if nb:
                    self.emit(ind + 1, f"{p} -= {nb}")
            else:
                self.read(e, 1, ind, dp)
                self.emit(ind, f"if {e}:")
            i2 = ind + 1
            od, op, oe = self.tmp("od"), self.tmp("op"), self.tmp("oe")
            self.emit(i2, f"{idx}, {p} = _nsn({d}, {p})")
            self.emit(i2, f"_o = _open({d}, {p})")
            self.emit(i2, f"if len(_o) == 4: {od}, {op}, {oe}, {p} = _o")
            self.emit(i2, f"else: {od}, {op}, {oe} = _o; {p} = {oe}")
            self.emit(i2, f"{var} = (None, None)")   # unknown addition: skipped (lenient, like asn1tools)
            for k, add in enumerate(node.additions):
                assert isinstance(add, Member)
                x = self.tmp("x")
                self.emit(i2, f"{'if' if k == 0 else 'elif'} {idx} == {k}:")
                self.dec(add.node, x, i2 + 1, f"{where}.{add.name}", (od, op))
                self.emit(i2 + 1, f"if {op} > {oe}: raise _dec_err({where!r}, 'alternative overruns its open type')")
                self.emit(i2 + 1, f"{var} = ({add.name!r}, {x})")
            self.emit(ind, "else:")
            ind += 1
        if combined:
            self.emit(ind, f"{idx} = {e} & {(1 << _width(n - 1)) - 1}")
        else:
            self.dec_cwn(idx, 0, n - 1, ind, dp, where)
        for k, m in enumerate(node.members):
            x = self.tmp("x")
            self.emit(ind, f"{'if' if k == 0 else 'elif'} {idx} == {k}:")
            self.dec(m.node, x, ind + 1, f"{where}.{m.name}", dp)
            self.emit(ind + 1, f"{var} = ({m.name!r}, {x})")
        self.emit(ind, f"else: raise _dec_err({where!r}, 'choice index ' + str({idx}))")

    # -- encoding --------------------------------------------------------------------------------------------
    def put(self, expr: str, nb: int, ind: int, st: tuple[str, str, str]) -> None:
        _, a, n = st
        if nb:
            self.emit(ind, f"{a} = ({a} << {nb}) | ({expr}); {n} += {nb}")

    def ealign(self, ind: int, st: tuple[str, str, str]) -> None:
        buf, a, n = st
        self.emit(ind, f"if {n}: _align({buf}, {a}, {n}); {a} = 0; {n} = 0")

    def enc_cwn(self, expr: str, lo: int, hi: int, ind: int, st: tuple[str, str, str], where: str) -> None:
        buf = st[0]
        rng = hi - lo + 1
        val = f"({expr}) - {lo}" if lo else expr
        if rng == 1:
            return
        if rng <= 255:
            self.put(val, _width(rng - 1), ind, st)
        elif rng == 256:
            self.ealign(ind, st)
            self.emit(ind, f"{buf}.append({val})")
        elif rng <= K64:
            self.ealign(ind, st)
            self.emit(ind, f"{buf} += ({val}).to_bytes(2, 'big')")
        else:
            octets = (_width(rng - 1) + 7) // 8
            u, k = self.tmp("u"), self.tmp("k")
            self.emit(ind, f"{u} = {val}; {k} = max(1, ({u}.bit_length() + 7) >> 3)")
            self.put(f"{k} - 1", _width(octets - 1), ind, st)
            self.ealign(ind, st)
            self.emit(ind, f"{buf} += {u}.to_bytes({k}, 'big')")

    def check_range(self, expr: str, lo: int | None, hi: int | None, ind: int, where: str, what: str) -> None:
        conds = []
        if lo is not None:
            conds.append(f"{expr} < {lo}")
        if hi is not None:
            conds.append(f"{expr} > {hi}")
        if conds:
            self.emit(ind, f"if {' or '.join(conds)}: raise _enc_err({where!r}, '{what} ' + str({expr}) + "
                           f"' outside {lo}..{hi}')")

    def enc_size_ext(self, node: Node, count: str, ind: int, st: tuple[str, str, str],
                     outside: Callable[[int], None]) -> int:
        if not node.ext:
            return ind
        cond = []
        if node.lo is not None:
            cond.append(f"{count} < {node.lo}")
        if node.hi is not None:
            cond.append(f"{count} > {node.hi}")
        cond_s = " or ".join(cond) or "False"
        self.emit(ind, f"if {cond_s}:")
        self.put("1", 1, ind + 1, st)
        outside(ind + 1)
        self.emit(ind, "else:")
        self.put("0", 1, ind + 1, st)
        return ind + 1

    def enc_len(self, count: str, node: Node, ind: int, st: tuple[str, str, str], where: str) -> bool:
        lo, hi = node.lo, node.hi
        if hi is not None and hi < K64:
            self.check_range(count, lo or 0, hi, ind, where, "size")
            if lo != hi:
                self.enc_cwn(count, lo or 0, hi, ind, st, where)
            return True
        if lo is not None:
            self.check_range(count, lo, None, ind, where, "size")
        return False

    def enc(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str], top: bool = False) -> None:
        buf, a, n = st
        node, fn = self.target(node) if not top or node.kind == "REF" else (node, None)
        if fn is not None:
            self.emit(ind, f"{a}, {n} = E_{fn}({v}, {buf}, {a}, {n})")
            return
        kind = node.kind
        if kind == "INTEGER":
            self.enc_int(node, v, ind, where, st)
        elif kind == "BOOLEAN":
            self.put(f"1 if {v} else 0", 1, ind, st)
        elif kind == "NULL":
            pass
        elif kind == "ENUMERATED":
            idx = self.const({name: i for i, name in enumerate(node.names)})
            x = self.tmp("x")
            if node.ext:
                if len(node.ext_names) > 64:
                    raise SchemaError(f"{where}: more than 64 ENUMERATED extension items")
                adds = self.const({name: i for i, name in enumerate(node.ext_names)})
                self.emit(ind, f"{x} = {idx}.get({v})")
                self.emit(ind, f"if {x} is None:")
                self.emit(ind + 1, f"if {v} not in {adds}: raise _enc_err({where!r}, 'unknown enumeration ' + "
                                   f"repr({v}))")
                self.put(f"128 | {adds}[{v}]", 8, ind + 1, st)   # extension bit + normally small index
                self.emit(ind, "else:")
                self.put("0", 1, ind + 1, st)
                self.put(x, _width(len(node.names) - 1), ind + 1, st)
            else:
                self.emit(ind, f"{x} = {idx}.get({v})")
                self.emit(ind, f"if {x} is None: raise _enc_err({where!r}, 'unknown enumeration ' + repr({v}))")
                self.put(x, _width(len(node.names) - 1), ind, st)
        elif kind == "BIT STRING":
            self.enc_bits(node, v, ind, where, st)
        elif kind == "OCTET STRING":
            self.enc_octets(node, v, ind, where, st)
        elif kind in ALPHABETS:
            self.enc_kmstring(node, v, ind, where, st)
        elif kind in OCTET_LIKE_STRINGS:
            self.ealign(ind, st)
            self.emit(ind, f"_put_octets({buf}, {v}.encode('utf-8'))")
        elif kind == "OpenType":
            self.ealign(ind, st)
            self.emit(ind, f"_put_octets({buf}, bytes({v}))")
        elif kind == "REAL":
            self.ealign(ind, st)
            self.emit(ind, f"_put_octets({buf}, x690.encode_real({v}))")
        elif kind == "OBJECT IDENTIFIER":
            self.ealign(ind, st)
            self.emit(ind, f"_put_octets({buf}, x690.encode_oid({v}))")
        elif kind == "SEQUENCE":
            self.enc_seq(node, v, ind, where, st)
        elif kind == "SEQUENCE OF":
            self.enc_seqof(node, v, ind, where, st)
        elif kind == "CHOICE":
            self.enc_choice(node, v, ind, where, st)
        else:
            raise SchemaError(f"{where}: no APER encoder for {kind}")

    def enc_int(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        self.emit(ind, f"if {v}.__class__ is not int and not isinstance({v}, int): "
                       f"raise _enc_err({where!r}, 'INTEGER expected, got ' + type({v}).__name__)")
        if node.ext and (node.lo is not None or node.hi is not None):
            conds = []
            if node.lo is not None:
                conds.append(f"{v} < {node.lo}")
            if node.hi is not None:
                conds.append(f"{v} > {node.hi}")
            self.emit(ind, f"if {' or '.join(conds)}:")
            self.put("1", 1, ind + 1, st)
            self.ealign(ind + 1, st)
            self.emit(ind + 1, f"_put_sint({buf}, {v})")
            self.emit(ind, "else:")
            ind += 1
            self.put("0", 1, ind, st)
        elif node.ext:
            self.put("0", 1, ind, st)
        if node.lo is not None and node.hi is not None:
            self.check_range(v, node.lo, node.hi, ind, where, "value")
            self.enc_cwn(v, node.lo, node.hi, ind, st, where)
        elif node.lo is not None:
            self.check_range(v, node.lo, None, ind, where, "value")
            self.ealign(ind, st)
            self.emit(ind, f"_put_uint({buf}, {v} - {node.lo})")
        else:
            self.ealign(ind, st)
            self.emit(ind, f"_put_sint({buf}, {v})")

    def enc_octets(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        ln = self.tmp("n")
        self.emit(ind, f"{ln} = len({v})")

        def outside(i: int) -> None:
            self.ealign(i, st)
            self.emit(i, f"_put_octets({buf}, bytes({v}))")

        ind = self.enc_size_ext(node, ln, ind, st, outside)
        lo, hi = node.lo, node.hi
        if hi is not None and lo == hi and hi < K64:
            self.check_range(ln, lo, hi, ind, where, "size")
            if hi == 0:
                return
            if hi <= 2:
                self.put(f"int.from_bytes({v}, 'big')", 8 * hi, ind, st)
            else:
                self.ealign(ind, st)
                self.emit(ind, f"{buf} += {v}")
            return
        if self.enc_len(ln, node, ind, st, where):
            self.ealign(ind, st)
            self.emit(ind, f"{buf} += {v}")
            return
        outside(ind)

    def enc_bits(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        x, ln = self.tmp("x"), self.tmp("n")
        self.emit(ind, f"{x}, {ln} = _bits_of({v})")

        def outside(i: int) -> None:
            self.ealign(i, st)
            self.emit(i, f"{st[1]}, {st[2]} = _put_bits_frag({buf}, {v})")

        ind = self.enc_size_ext(node, ln, ind, st, outside)
        lo, hi = node.lo, node.hi
        if hi is not None and lo == hi and hi < K64:
            self.check_range(ln, lo, hi, ind, where, "size")
            if hi > 16:
                self.ealign(ind, st)
            self.put(x, hi, ind, st)
            return
        if self.enc_len(ln, node, ind, st, where):
            self.ealign(ind, st)
            _, a, n = st
            self.emit(ind, f"{a} = ({a} << {ln}) | {x}; {n} += {ln}")
            return
        outside(ind)

    def enc_kmstring(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        alphabet = ALPHABETS[node.kind]
        bits = _width(len(alphabet) - 1)
        b = 1
        while b < bits:
            b *= 2
        direct = max(ord(c) for c in alphabet) < (1 << b)
        index = self.const({c: i for i, c in enumerate(alphabet)})
        ok = self.const(frozenset(alphabet))
        ln = self.tmp("n")
        self.emit(ind, f"{ln} = len({v})")
        self.emit(ind, f"if not {ok}.issuperset({v}): raise _enc_err({where!r}, 'character outside the "
                       f"{node.kind} alphabet')")

        def chars(i: int) -> None:
            if direct and b == 8:
                c = self.tmp("c")
                self.emit(i, f"for {c} in {v}.encode('latin-1'):")
                self.put(c, 8, i + 1, st)
            else:
                c = self.tmp("c")
                self.emit(i, f"for {c} in {v}:")
                self.put(f"ord({c})" if direct else f"{index}[{c}]", b, i + 1, st)

        def aligned_chars(i: int) -> None:
            if direct and b == 8:
                self.ealign(i, st)
                self.emit(i, f"{buf} += {v}.encode('latin-1')")
            else:
                self.ealign(i, st)
                chars(i)

        def unbounded(i: int) -> None:
            self.ealign(i, st)
            if direct and b == 8:
                self.emit(i, f"_put_octets({buf}, {v}.encode('latin-1'))")
                return
            self.emit(i, f"if {ln} >= 16384: raise _enc_err({where!r}, 'character string too long')")
            self.emit(i, f"_put_len({buf}, {ln})")
            aligned_chars(i)

        ind = self.enc_size_ext(node, ln, ind, st, unbounded)
        lo, hi = node.lo, node.hi
        if hi is not None and lo == hi and hi < K64:
            self.check_range(ln, lo, hi, ind, where, "size")
            if hi * b > 16:
                aligned_chars(ind)
            else:
                chars(ind)
            return
        if self.enc_len(ln, node, ind, st, where):
            if hi is not None and hi * b > 16:
                self.emit(ind, f"if {ln}:")
                aligned_chars(ind + 1)
            else:
                chars(ind)
            return
        unbounded(ind)

    def enc_members(self, members: list[Member], v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        opts = [m for m in members if m.optional or m.has_default]
        if opts:
            parts = []
            for k, m in enumerate(opts):
                bit = len(opts) - 1 - k
                if m.has_default:
                    cond = f"({m.name!r} in {v} and {v}[{m.name!r}] != {self.const(m.default)})"
                else:
                    cond = f"({m.name!r} in {v})"
                parts.append(f"({cond} << {bit})")
            self.put(" | ".join(parts), len(opts), ind, st)
        for m in members:
            x = self.tmp("x")
            if m.has_default:
                self.emit(ind, f"if {m.name!r} in {v} and {v}[{m.name!r}] != {self.const(m.default)}:")
                self.emit(ind + 1, f"{x} = {v}[{m.name!r}]")
                self.enc(m.node, x, ind + 1, f"{where}.{m.name}", st)
            elif m.optional:
                self.emit(ind, f"if {m.name!r} in {v}:")
                self.emit(ind + 1, f"{x} = {v}[{m.name!r}]")
                self.enc(m.node, x, ind + 1, f"{where}.{m.name}", st)
            else:
                self.emit(ind, f"if {m.name!r} not in {v}: raise _enc_err({where!r}, 'missing member {m.name}')")
                self.emit(ind, f"{x} = {v}[{m.name!r}]")
                self.enc(m.node, x, ind, f"{where}.{m.name}", st)

    def enc_seq(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        self.emit(ind, f"if not isinstance({v}, dict): raise _enc_err({where!r}, 'dict expected for SEQUENCE')")
        adds = node.additions
        if adds is None:
            self.enc_members(node.members, v, ind, where, st)
            return
        flags = []
        for add in adds:
            names = [m.name for m in add] if isinstance(add, list) else [add.name]
            flags.append("(" + " or ".join(f"{nm!r} in {v}" for nm in names) + ")" if names else "False")
        e = self.tmp("e")
        self.emit(ind, f"{e} = {' or '.join(flags) if flags else 'False'}")
        self.put(f"1 if {e} else 0", 1, ind, st)
        self.enc_members(node.members, v, ind, where, st)
        if not adds:
            return
        self.emit(ind, f"if {e}:")
        i = ind + 1
        count = len(adds)
        if count > 64:
            raise SchemaError(f"{where}: more than 64 extension additions")
        bitmap = " | ".join(f"((1 if {f} else 0) << {count - 1 - k})" for k, f in enumerate(flags))
        self.put(str(count - 1), 7, i, st)
        self.put(bitmap, count, i, st)
        self.ealign(i, st)
        for k, add in enumerate(adds):
            self.emit(i, f"if {flags[k]}:")
            sub = (self.tmp("sb"), self.tmp("sa"), self.tmp("sn"))
            self.emit(i + 1, f"{sub[0]} = bytearray(); {sub[1]} = 0; {sub[2]} = 0")
            if isinstance(add, list):
                self.enc_members(add, v, i + 1, where, sub)
            else:
                x = self.tmp("x")
                self.emit(i + 1, f"{x} = {v}[{add.name!r}]")
                self.enc(add.node, x, i + 1, f"{where}.{add.name}", sub)
            self.emit(i + 1, f"_put_octets({buf}, _finish({', '.join(sub)}))")

    def enc_seqof(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        ln = self.tmp("n")
        elem = node.element
        assert elem is not None
        self.emit(ind, f"if not isinstance({v}, (list, tuple)): raise _enc_err({where!r}, 'list expected')")
        self.emit(ind, f"{ln} = len({v})")

        def items(i: int) -> None:
            x = self.tmp("x")
            self.emit(i, f"for {x} in {v}:")
            self.enc(elem, x, i + 1, f"{where}[]", st)

        def outside(i: int) -> None:
            # unconstrained count (X.691 20.6 -> 11.9.3.8): up to 16383 items after one length determinant,
            # more in fragments of 16K..64K items, each fragment's determinant octet-aligned
            off, cnt, x = self.tmp("o"), self.tmp("c"), self.tmp("x")
            self.emit(i, f"{off} = 0")
            self.emit(i, "while True:")
            self.ealign(i + 1, st)
            self.emit(i + 1, f"{cnt} = {ln} - {off}")
            self.emit(i + 1, f"if {cnt} >= 16384: {cnt} = min({cnt} >> 14, 4) << 14; "
                             f"{buf}.append(0xC0 | ({cnt} >> 14))")
            self.emit(i + 1, f"else: _put_len({buf}, {cnt})")
            self.emit(i + 1, f"for {x} in ({v} if {cnt} == {ln} else {v}[{off}:{off} + {cnt}]):")
            self.enc(elem, x, i + 2, f"{where}[]", st)
            self.emit(i + 1, f"{off} += {cnt}")
            self.emit(i + 1, f"if {cnt} < 16384: break")

        ind = self.enc_size_ext(node, ln, ind, st, outside)
        if self.enc_len(ln, node, ind, st, where):
            items(ind)
        else:
            outside(ind)

    def enc_choice(self, node: Node, v: str, ind: int, where: str, st: tuple[str, str, str]) -> None:
        buf = st[0]
        c, cv = self.tmp("c"), self.tmp("x")
        self.emit(ind, f"{c}, {cv} = {v}")
        n = len(node.members)
        for k, m in enumerate(node.members):
            self.emit(ind, f"{'if' if k == 0 else 'elif'} {c} == {m.name!r}:")
            if node.additions is not None:
                self.put("0", 1, ind + 1, st)
            self.enc_cwn(str(k), 0, n - 1, ind + 1, st, where)
            self.enc(m.node, cv, ind + 1, f"{where}.{m.name}", st)
        if len(node.additions or []) > 64:
            raise SchemaError(f"{where}: more than 64 CHOICE extension alternatives (normally small index >= 64)")
        for k, add in enumerate(node.additions or []):
            assert isinstance(add, Member)
            self.emit(ind, f"elif {c} == {add.name!r}:")
            self.put(f"{128 | k}", 8, ind + 1, st)   # extension bit + normally small index (< 64)
            sub = (self.tmp("sb"), self.tmp("sa"), self.tmp("sn"))
            self.emit(ind + 1, f"{sub[0]} = bytearray(); {sub[1]} = 0; {sub[2]} = 0")
            self.enc(add.node, cv, ind + 1, f"{where}.{add.name}", sub)
            self.ealign(ind + 1, st)
            self.emit(ind + 1, f"_put_octets({buf}, _finish({', '.join(sub)}))")
        self.emit(ind, f"else: raise _enc_err({where!r}, 'unknown alternative ' + repr({c}))")


# ----------------------------------------------------------------------------------------------------------------
# Public engine object
# ----------------------------------------------------------------------------------------------------------------
class AperEngine:
    """Generated aligned-PER encoders/decoders for every named type of a :class:`Schema`."""

    def __init__(self, schema: Schema) -> None:
        gen = _Gen(schema)
        source = gen.generate()
        namespace: dict[str, Any] = dict(_RUNTIME)
        namespace.update(gen.consts)
        exec(compile(source, "<aper-generated>", "exec"), namespace)
        self.source = source
        self._dec: dict[str, Callable[..., Any]] = {}
        self._enc: dict[str, Callable[..., Any]] = {}
        for ref, fn in gen.fn.items():
            self._dec[ref] = namespace[f"D_{fn}"]
            self._enc[ref] = namespace[f"E_{fn}"]
        for bare, ref in schema.by_name.items():
            self._dec.setdefault(bare, self._dec[ref])
            self._enc.setdefault(bare, self._enc[ref])

    @property
    def type_names(self) -> list[str]:
        return sorted(self._dec)

    def decode(self, type_name: str, data: bytes) -> Any:
        fn = self._dec.get(type_name)
        if fn is None:
            raise DecodeError(f"unknown type {type_name!r}", where=type_name)
        nbits = len(data) << 3
        try:
            value, p = fn(bytes(data) + PAD, 0)
        except DecodeError as exc:
            raise DecodeError(exc.reason, where=exc.where or type_name, data=bytes(data)) from None
        except RecursionError:
            raise DecodeError("nesting too deep", where=type_name, data=bytes(data)) from None
        except (_Truncated, IndexError):
            raise DecodeError("truncated: the encoding runs past the end of the data", where=type_name,
                              data=bytes(data)) from None
        except Exception as exc:
            raise DecodeError(f"malformed ({type(exc).__name__}: {exc})", where=type_name, data=bytes(data)) from None
        if p > nbits:
            raise DecodeError(f"truncated: needs {p} bits, {nbits} available", where=type_name, data=bytes(data))
        return value

    def decoder(self, type_name: str) -> Callable[[bytes], Any]:
        """A one-argument decoder of ``type_name`` (the hot path of the E2AP second pass: no name lookup)."""
        fn = self._dec.get(type_name)
        if fn is None:
            raise DecodeError(f"unknown type {type_name!r}", where=type_name)
        decode = self.decode

        def run(data: bytes) -> Any:
            try:
                value, p = fn(data + PAD, 0)
            except Exception:
                return decode(type_name, data)
            if p > len(data) << 3:
                return decode(type_name, data)
            return value

        return run

    def encode(self, type_name: str, value: Any) -> bytes:
        fn = self._enc.get(type_name)
        if fn is None:
            raise EncodeError(f"unknown type {type_name!r}", where=type_name)
        buf = bytearray()
        try:
            a, n = fn(value, buf, 0, 0)
        except EncodeError:
            raise
        except RecursionError:
            raise EncodeError("nesting too deep", where=type_name) from None
        except Exception as exc:
            raise EncodeError(f"invalid value ({type(exc).__name__}: {exc})", where=type_name) from None
        return _finish(buf, a, n)
