"""Random *valid* values of any type of a :class:`~e2.asn1.schema.Schema` (asn1tools value conventions).

Used by the engine-vs-reference property tests and by the fuzz corpus: every value respects the PER-visible
constraints, so both engines must encode it, and encode it identically. ``within_root`` keeps sizes and values
inside the extension root (the reference engine cannot encode size extensions).
"""

from __future__ import annotations

import random
from typing import Any

from e2.asn1.schema import ALPHABETS, OCTET_LIKE_STRINGS, Member, Node, Schema

_MAX_LIST = 3
_MAX_OCTETS = 40


def _size(rng: random.Random, lo: int | None, hi: int | None, cap: int) -> int:
    lo = lo or 0
    hi = cap if hi is None else min(hi, max(lo, cap))
    return rng.randint(lo, max(lo, hi))


def _int(rng: random.Random, lo: int | None, hi: int | None) -> int:
    if lo is not None and hi is not None:
        pick = rng.random()
        if pick < 0.2:
            return lo
        if pick < 0.4:
            return hi
        return rng.randint(lo, hi)
    if lo is not None:
        return lo + rng.choice([0, 1, 127, 128, 255, 256, 65535, 65536, 2**31, rng.randint(0, 2**40)])
    return rng.choice([0, 1, -1, 127, 128, -128, -129, 255, 256, 2**31, -(2**31), rng.randint(-(2**40), 2**40)])


def random_value(schema: Schema, node: Node | str, rng: random.Random, depth: int = 0) -> Any:
    """A random value of ``node`` (a Node or a type name) that satisfies its PER-visible constraints."""
    if isinstance(node, str):
        node = schema.types[schema.by_name.get(node, node)]
    node = schema.resolve(node)
    kind = node.kind
    if kind == "INTEGER":
        return _int(rng, node.lo, node.hi)
    if kind == "BOOLEAN":
        return rng.random() < 0.5
    if kind == "NULL":
        return None
    if kind == "REAL":
        return rng.choice([0.0, 1.0, -2.5, 0.1, 1e10, 3.14159, float(rng.randint(-1000, 1000)), rng.random() * 1e6])
    if kind == "ENUMERATED":
        return rng.choice(node.names + node.ext_names)
    if kind == "OCTET STRING":
        n = _size(rng, node.lo, node.hi, _MAX_OCTETS)
        return rng.randbytes(n)
    if kind == "OpenType":
        return rng.randbytes(rng.randint(1, 10))
    if kind == "BIT STRING":
        n = _size(rng, node.lo, node.hi, 64)
        x = rng.getrandbits(n) if n else 0
        k = (n + 7) // 8
        return (x << (8 * k - n)).to_bytes(k, "big"), n
    if kind in ALPHABETS:
        n = _size(rng, node.lo, node.hi, 20)
        alphabet = ALPHABETS[kind]
        return "".join(rng.choice(alphabet) for _ in range(n))
    if kind in OCTET_LIKE_STRINGS:
        return "".join(rng.choice("abcXYZ 09-é") for _ in range(rng.randint(0, 12)))
    if kind == "OBJECT IDENTIFIER":
        return "1.3.6.1.4.1." + ".".join(str(rng.randint(0, 70000)) for _ in range(rng.randint(1, 5)))
    if kind == "SEQUENCE OF":
        hi = node.hi if depth < 6 else min(node.hi or 1, max(node.lo or 0, 1))
        n = _size(rng, node.lo, hi, _MAX_LIST if depth < 4 else 1)
        if depth > 8:
            n = node.lo or 0
        assert node.element is not None
        return [random_value(schema, node.element, rng, depth + 1) for _ in range(n)]
    if kind == "CHOICE":
        options: list[Member] = list(node.members) + [a for a in node.additions or [] if isinstance(a, Member)]
        if depth > 6:   # prefer alternatives that do not recurse
            simple = [m for m in options if schema.resolve(m.node).kind not in ("SEQUENCE", "CHOICE", "SEQUENCE OF")]
            options = simple or options
        m = rng.choice(options)
        return m.name, random_value(schema, m.node, rng, depth + 1)
    if kind == "SEQUENCE":
        out: dict[str, Any] = {}
        members: list[Member] = list(node.members)
        for add in node.additions or []:
            if isinstance(add, list):
                if rng.random() < 0.5:
                    members.extend(add)
            else:
                members.append(add)
        for m in members:
            if (m.optional or m.has_default or m in (node.additions or [])) and (depth > 6 or rng.random() < 0.4):
                continue
            out[m.name] = random_value(schema, m.node, rng, depth + 1)
        for add in node.additions or []:   # a present group needs its mandatory members
            if isinstance(add, list) and any(m.name in out for m in add):
                for m in add:
                    if not (m.optional or m.has_default) and m.name not in out:
                        out[m.name] = random_value(schema, m.node, rng, depth + 1)
        return out
    raise ValueError(f"no sampler for {kind}")
