"""Normalised, PER-visible view of parsed ASN.1 modules.

``asn1tools.parse_files`` is used only as the ASN.1 *parser*: it returns nested dicts with the constraints still
symbolic (``maxnoofCells``), extension markers as ``None`` and addition groups as nested lists. This module turns
that into small :class:`Node` objects carrying exactly what X.691 needs (effective bounds, extensibility, root and
extension members), with value references resolved across imports. The APER code generator works on these nodes.

Only PER-visible constraints matter (X.691 clause 9.3): single-value and value-range constraints on INTEGER, SIZE
on strings and SEQUENCE OF; a constraint with several ranges is reduced to its bounding range, as X.691 9.3.18
effectively does for the ranges used by the O-RAN modules. Named bits of a BIT STRING are not used by any E2
module and are ignored (no trailing-zero trimming). Constructs E2 does not use (SET, permitted-alphabet
constraints, information object class fields) raise :class:`SchemaError` when a codec is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Known-multiplier character strings (X.691 clause 30): the effective alphabet of each, in canonical order.
_PRINTABLE = " '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALPHABETS: dict[str, str] = {
    "PrintableString": "".join(sorted(_PRINTABLE)),
    "IA5String": "".join(chr(c) for c in range(128)),
    "VisibleString": "".join(chr(c) for c in range(32, 127)),
    "NumericString": " 0123456789",
}
# Character strings that are not known-multiplier: encoded as an unconstrained octet string (X.691 clause 30.6).
OCTET_LIKE_STRINGS = {"UTF8String", "GeneralString", "GraphicString", "TeletexString", "UniversalString",
                      "ObjectDescriptor", "UTCTime", "GeneralizedTime"}
PRIMITIVES = {"INTEGER", "BOOLEAN", "NULL", "REAL", "ENUMERATED", "BIT STRING", "OCTET STRING",
              "OBJECT IDENTIFIER", *ALPHABETS, *OCTET_LIKE_STRINGS}


class SchemaError(Exception):
    """The ASN.1 modules use a construct this engine does not implement (raised at compile time only)."""


@dataclass
class Node:
    """One PER-visible type. ``kind`` is the ASN.1 built-in type name, or 'REF' for a named type."""

    kind: str
    lo: int | None = None            # INTEGER bounds / SIZE bounds (None = unbounded)
    hi: int | None = None
    ext: bool = False                # extension marker on the constraint / the type
    members: list[Member] = field(default_factory=list)           # SEQUENCE / CHOICE root
    additions: list[Member | list[Member]] | None = None           # None = no extension marker
    element: Node | None = None      # SEQUENCE OF
    names: list[str] = field(default_factory=list)                 # ENUMERATED root, in index order
    ext_names: list[str] = field(default_factory=list)             # ENUMERATED additions
    ref: str = ""                    # 'Module.Type' for REF


@dataclass
class Member:
    name: str
    node: Node
    optional: bool = False
    default: Any = None
    has_default: bool = False


class Schema:
    """All named types of a set of parsed modules, as :class:`Node` trees keyed by 'Module.Type'."""

    def __init__(self, parsed: dict[str, Any]) -> None:
        self.parsed = parsed
        self.types: dict[str, Node] = {}
        self.by_name: dict[str, str] = {}   # bare type name -> 'Module.Type' (first module wins)
        for mod, body in parsed.items():
            for tname in body.get("types", {}):
                self.by_name.setdefault(tname, f"{mod}.{tname}")
        for mod, body in parsed.items():
            for tname, desc in body.get("types", {}).items():
                self.types[f"{mod}.{tname}"] = self._node(desc, mod)

    # -- lookups ---------------------------------------------------------------------------------------------
    def _find(self, section: str, name: str, mod: str) -> tuple[Any, str]:
        body = self.parsed[mod]
        if name in body.get(section, {}):
            return body[section][name], mod
        for imp_mod, names in body.get("imports", {}).items():
            if name in names and imp_mod in self.parsed and name in self.parsed[imp_mod].get(section, {}):
                return self.parsed[imp_mod][section][name], imp_mod
        for other, obody in self.parsed.items():
            if name in obody.get(section, {}):
                return obody[section][name], other
        raise SchemaError(f"{mod}: unknown {section[:-1]} {name!r}")

    def _value(self, v: Any, mod: str) -> Any:
        if isinstance(v, str) and v not in ("MIN", "MAX"):
            try:
                return int(v)
            except ValueError:
                desc, _ = self._find("values", v, mod)
                return desc["value"]
        return v

    def resolve(self, node: Node) -> Node:
        """Follow REF nodes to the defining node."""
        seen = 0
        while node.kind == "REF":
            node = self.types[node.ref]
            seen += 1
            if seen > 100:
                raise SchemaError(f"circular type reference {node.ref}")
        return node

    # -- construction ----------------------------------------------------------------------------------------
    def _bounds(self, spec: list[Any] | None, mod: str) -> tuple[int | None, int | None, bool]:
        if not spec:
            return None, None, False
        ext = None in spec
        los, his = [], []
        for item in spec:
            if item is None:
                continue
            lo, hi = item if isinstance(item, tuple) else (item, item)
            lo, hi = self._value(lo, mod), self._value(hi, mod)
            los.append(None if lo == "MIN" else lo)
            his.append(None if hi == "MAX" else hi)
        lo = None if None in los else min(los)
        hi = None if None in his else max(his)
        if isinstance(lo, float) or isinstance(hi, float):
            return None, None, False   # REAL constraints are not PER-visible
        return lo, hi, ext

    def _node(self, desc: dict[str, Any], mod: str) -> Node:
        kind = desc["type"]
        if kind == "SEQUENCE" or kind == "CHOICE":
            root, additions, in_ext = [], None, False
            for m in desc["members"]:
                if m is None:
                    in_ext = not in_ext
                    if in_ext and additions is None:
                        additions = []
                elif in_ext:
                    if isinstance(m, list):
                        group = [self._member(x, mod) for x in m if x is not None]
                        if kind == "CHOICE":
                            additions.extend(group)   # X.691 23.8: CHOICE addition groups are flattened
                        else:
                            additions.append(group)
                    else:
                        additions.append(self._member(m, mod))
                else:
                    if isinstance(m, list):
                        raise SchemaError(f"{mod}: addition group outside the extension")
                    root.append(self._member(m, mod))
            return Node(kind, members=root, additions=additions)
        if kind == "SEQUENCE OF" or kind == "SET OF":
            lo, hi, ext = self._bounds(desc.get("size"), mod)
            return Node("SEQUENCE OF", lo=lo, hi=hi, ext=ext, element=self._node(desc["element"], mod))
        if kind == "SET":
            raise SchemaError(f"{mod}: SET is not used by E2 and not implemented")
        if kind == "INTEGER":
            lo, hi, ext = self._bounds(desc.get("restricted-to"), mod)
            return Node("INTEGER", lo=lo, hi=hi, ext=ext)
        if kind == "ENUMERATED":
            root, adds, in_ext = [], [], False
            for v in desc["values"]:
                if v is None:
                    in_ext = True
                elif in_ext:
                    adds.append(v)
                else:
                    root.append(v)
            root.sort(key=lambda nv: nv[1])   # X.691 14.1: root indices in ascending order of value
            return Node("ENUMERATED", names=[n for n, _ in root], ext_names=[n for n, _ in adds],
                        ext=any(v is None for v in desc["values"]))
        if kind in ("BIT STRING", "OCTET STRING") or kind in ALPHABETS:
            lo, hi, ext = self._bounds(desc.get("size"), mod)
            if "from" in desc:
                raise SchemaError(f"{mod}: permitted-alphabet constraints are not implemented")
            return Node(kind, lo=lo, hi=hi, ext=ext)
        if kind in ("BOOLEAN", "NULL", "REAL", "OBJECT IDENTIFIER") or kind in OCTET_LIKE_STRINGS:
            return Node(kind)
        if kind in ("ANY", "ANY DEFINED BY", "OpenType"):
            return Node("OpenType")
        if "." in kind or "&" in kind:
            raise SchemaError(f"{mod}: information object class field {kind!r}: write it de-parameterised")
        _, tmod = self._find("types", kind, mod)
        ref = Node("REF", ref=f"{tmod}.{kind}")
        if "restricted-to" in desc:   # a constrained reference, e.g. 'Foo (1..10)': re-constrain a copy
            target = self._node(self._find("types", kind, mod)[0], tmod)
            if target.kind == "INTEGER":
                target.lo, target.hi, target.ext = self._bounds(desc["restricted-to"], mod)
                return target
        return ref

    def _member(self, m: dict[str, Any], mod: str) -> Member:
        node = self._node(m, mod)
        has_default = "default" in m
        default = m.get("default")
        if has_default:
            target = self.resolve(node) if node.kind != "REF" or node.ref in self.types else node
            if target.kind == "BOOLEAN" and isinstance(default, str):
                default = default == "TRUE"
            elif target.kind == "INTEGER" and isinstance(default, str):
                default = self._value(default, mod)
        return Member(m["name"], node, optional=bool(m.get("optional")), default=default,
                      has_default=has_default)
