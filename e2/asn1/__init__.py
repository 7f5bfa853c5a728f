"""ASN.1 runtime shared by every E2 codec (E2AP and the E2SM service models).

One entry point, :func:`load_codec`, compiles ASN.1 modules that ranpilot ships (written from the O-RAN specs)
and returns an :class:`Asn1Codec` for aligned PER (X.691 ALIGNED variant, as E2AP clause 9 and every E2SM
require). Values follow the asn1tools conventions, so that any engine behind this API is interchangeable:

* SEQUENCE / SET -> ``dict`` (absent OPTIONAL members are missing keys), SEQUENCE OF -> ``list``
* CHOICE -> ``(alternative_name, value)``, ENUMERATED -> ``str`` (the item name)
* OCTET STRING -> ``bytes``, BIT STRING -> ``(bytes, number_of_bits)``, NULL -> ``None``
* INTEGER -> ``int``, REAL -> ``float``, character strings -> ``str``, BOOLEAN -> ``bool``

Every failure of the underlying runtime is re-raised as :class:`e2.errors.DecodeError` /
:class:`e2.errors.EncodeError` carrying the type path where it happened, so a malformed PDU from the network
can never surface as an arbitrary exception.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from e2.errors import DecodeError, EncodeError

__all__ = ["Asn1Codec", "load_codec"]


class Asn1Codec:
    """Aligned-PER encoder/decoder (plus JSON view, X.697 JER) for a set of compiled ASN.1 modules."""

    def __init__(self, per: Any, jer: Any, name: str) -> None:
        self._per = per
        self._jer = jer
        self.name = name

    def encode(self, type_name: str, value: Any) -> bytes:
        """Encode ``value`` as ``type_name`` in aligned PER. Strict: out-of-range values raise EncodeError."""
        try:
            return bytes(self._per.encode(type_name, value, check_constraints=True))
        except Exception as exc:  # the runtime raises many types; callers see one
            raise EncodeError(_reason(exc), where=f"{self.name}.{type_name}") from None

    def decode(self, type_name: str, data: bytes) -> Any:
        """Decode aligned-PER ``data`` as ``type_name``; any failure becomes DecodeError(where=type path)."""
        try:
            return self._per.decode(type_name, bytes(data))
        except RecursionError:
            raise DecodeError("nesting too deep", where=f"{self.name}.{type_name}", data=bytes(data)) from None
        except Exception as exc:
            raise DecodeError(_reason(exc), where=f"{self.name}.{type_name}", data=bytes(data)) from None

    def to_jsonable(self, type_name: str, value: Any) -> Any:
        """The value as JSON-ready data with ASN.1 field names (JER: OCTET STRING hex, CHOICE as a 1-key dict)."""
        try:
            return json.loads(self._jer.encode(type_name, value))
        except Exception as exc:
            raise EncodeError(_reason(exc), where=f"{self.name}.{type_name}") from None

    def from_jsonable(self, type_name: str, data: Any) -> Any:
        """Inverse of :meth:`to_jsonable`."""
        try:
            return self._jer.decode(type_name, json.dumps(data).encode())
        except Exception as exc:
            raise DecodeError(_reason(exc), where=f"{self.name}.{type_name}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@functools.cache
def _compile(paths: tuple[str, ...]) -> Asn1Codec:
    import asn1tools  # imported lazily: compiling is the expensive part of start-up

    parsed = asn1tools.parse_files(list(paths))
    per = asn1tools.compile_dict(parsed, "per")
    jer = asn1tools.compile_dict(parsed, "jer")
    return Asn1Codec(per, jer, name="+".join(Path(p).stem for p in paths))


def load_codec(paths: Iterable[str | Path]) -> Asn1Codec:
    """Compile (once per process) the ASN.1 modules in ``paths`` and return their aligned-PER codec."""
    return _compile(tuple(str(Path(p).resolve()) for p in paths))
