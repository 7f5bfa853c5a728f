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

Engines: ``"fast"`` (default, :mod:`e2.asn1.aper`: code generated per type) and ``"asn1tools"`` (the reference
interpreter, used as the oracle of the property tests). asn1tools is always the ASN.1 parser; its output is
cached on disk as a plain literal (see :func:`set_cache_dir`), so warm starts do not import it at all.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from e2.errors import DecodeError, EncodeError

__all__ = ["Asn1Codec", "load_codec", "set_cache_dir"]


class Asn1Codec:
    """Aligned-PER encoder/decoder (plus JSON view, X.697 JER) for a set of compiled ASN.1 modules.

    ``engine`` is ``"fast"`` (the generated-code engine of :mod:`e2.asn1.aper`, default) or ``"asn1tools"``
    (the reference interpreter, kept as the oracle of the property tests). The JSON view always uses asn1tools'
    JER codec, compiled on first use so that start-up only pays for the engine it uses.
    """

    def __init__(self, parsed: dict[str, Any], name: str, engine: str = "fast") -> None:
        self.name = name
        self.engine = engine
        self._parsed = parsed
        self._jer: Any = None
        if engine == "fast":
            from e2.asn1.aper import AperEngine
            from e2.asn1.schema import Schema

            self._per: Any = AperEngine(Schema(parsed))
            self._fast = True
        elif engine == "asn1tools":
            import asn1tools

            self._per = asn1tools.compile_dict(copy.deepcopy(parsed), "per")
            self._fast = False
        else:
            raise ValueError(f"unknown ASN.1 engine {engine!r} (fast | asn1tools)")

    @property
    def type_names(self) -> list[str]:
        """Names of every type of the compiled modules."""
        return sorted({t for body in self._parsed.values() for t in body.get("types", {})})

    def encode(self, type_name: str, value: Any) -> bytes:
        """Encode ``value`` as ``type_name`` in aligned PER. Strict: out-of-range values raise EncodeError."""
        if self._fast:
            try:
                return self._per.encode(type_name, value)
            except EncodeError as exc:
                raise EncodeError(exc.reason, where=f"{self.name}.{exc.where or type_name}") from None
        try:
            return bytes(self._per.encode(type_name, value, check_constraints=True))
        except Exception as exc:  # the runtime raises many types; callers see one
            raise EncodeError(_reason(exc), where=f"{self.name}.{type_name}") from None

    def decode(self, type_name: str, data: bytes) -> Any:
        """Decode aligned-PER ``data`` as ``type_name``; any failure becomes DecodeError(where=type path)."""
        if self._fast:
            try:
                return self._per.decode(type_name, data)
            except DecodeError as exc:
                raise DecodeError(exc.reason, where=f"{self.name}.{exc.where or type_name}",
                                  data=bytes(data)) from None
        try:
            return self._per.decode(type_name, bytes(data))
        except RecursionError:
            raise DecodeError("nesting too deep", where=f"{self.name}.{type_name}", data=bytes(data)) from None
        except Exception as exc:
            raise DecodeError(_reason(exc), where=f"{self.name}.{type_name}", data=bytes(data)) from None

    def decoder(self, type_name: str) -> Any:
        """A fast one-argument decoder ``f(data: bytes) -> value`` for ``type_name`` (same errors as decode)."""
        if self._fast:
            run = self._per.decoder(type_name)
            name = self.name

            def fast(data: bytes) -> Any:
                try:
                    return run(data)
                except DecodeError as exc:
                    raise DecodeError(exc.reason, where=f"{name}.{exc.where or type_name}", data=data) from None

            return fast
        return lambda data: self.decode(type_name, data)

    def raw_decoder(self, type_name: str) -> Any:
        """The generated decoder ``fn(padded_data, bit_pos) -> (value, bit_pos)`` of the fast engine, or None.

        For hot loops that check bounds themselves (the E2AP second pass): the data must be followed by
        ``e2.asn1.aper.PAD`` and the returned position compared with the real length; any exception means
        "re-decode with :meth:`decode` for the precise error".
        """
        return self._per._dec.get(type_name) if self._fast else None

    def raw_encoder(self, type_name: str) -> Any:
        """The generated encoder ``fn(value, buf, 0, 0) -> (bits, nbits)`` of the fast engine, or None.

        For hot loops (the E2AP IE containers): ``e2.asn1.aper.finish(buf, bits, nbits)`` gives exactly the bytes
        :meth:`encode` returns; any exception means "encode with :meth:`encode` for the precise error".
        """
        return self._per._enc.get(type_name) if self._fast else None

    def _jer_codec(self) -> Any:
        if self._jer is None:
            import asn1tools

            self._jer = asn1tools.compile_dict(copy.deepcopy(self._parsed), "jer")
        return self._jer

    def to_jsonable(self, type_name: str, value: Any) -> Any:
        """The value as JSON-ready data with ASN.1 field names (JER: OCTET STRING hex, CHOICE as a 1-key dict)."""
        try:
            return json.loads(self._jer_codec().encode(type_name, value))
        except Exception as exc:
            raise EncodeError(_reason(exc), where=f"{self.name}.{type_name}") from None

    def from_jsonable(self, type_name: str, data: Any) -> Any:
        """Inverse of :meth:`to_jsonable`."""
        try:
            return self._jer_codec().decode(type_name, json.dumps(data).encode())
        except Exception as exc:
            raise DecodeError(_reason(exc), where=f"{self.name}.{type_name}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# Parse cache: asn1tools' parser (plus importing it) is most of a codec's start-up (~0.7 s per module set).
# Its output is plain data, so it is cached as a Python literal (read back with ast.literal_eval: no code
# is ever loaded from the cache), keyed by the sha256 of the sources and the parser version.
_CACHE_FORMAT = "1"
_cache_dir: Path | None | bool = True     # True: the default location, resolved on first use


def set_cache_dir(path: str | Path | None) -> None:
    """Where parsed ASN.1 is cached (``None`` disables the cache). Default: ``~/.cache/ranpilot/asn1``."""
    global _cache_dir
    _cache_dir = Path(path) if path is not None else None


def _cache_location() -> Path | None:
    if _cache_dir is True:
        try:
            return Path.home() / ".cache" / "ranpilot" / "asn1"
        except RuntimeError:      # no home directory
            return None
    return _cache_dir or None


@functools.cache
def _parse(paths: tuple[str, ...]) -> dict[str, Any]:
    import ast
    import hashlib
    import os
    from importlib.metadata import version

    sources = [Path(p).read_bytes() for p in paths]
    digest = hashlib.sha256(f"{_CACHE_FORMAT}|{version('asn1tools')}".encode())
    for source in sources:
        digest.update(len(source).to_bytes(8, "big") + source)
    where = _cache_location()
    cached = where / f"{digest.hexdigest()}.txt" if where is not None else None
    if cached is not None:
        try:
            return ast.literal_eval(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError, SyntaxError, MemoryError, RecursionError):
            pass                                    # absent or unreadable: parse again
    import asn1tools  # imported lazily: parsing is the expensive part of start-up

    parsed = asn1tools.parse_files(list(paths))
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(repr(parsed), encoding="utf-8")
            os.replace(tmp, cached)
        except OSError:
            pass                                    # read-only home: no cache, still correct
    return parsed


@functools.cache
def _compile(paths: tuple[str, ...], engine: str) -> Asn1Codec:
    return Asn1Codec(_parse(paths), name="+".join(Path(p).stem for p in paths), engine=engine)


def load_codec(paths: Iterable[str | Path], engine: str = "fast") -> Asn1Codec:
    """Compile (once per process) the ASN.1 modules in ``paths`` and return their aligned-PER codec.

    ``engine="fast"`` (default) generates specialised code (:mod:`e2.asn1.aper`); ``engine="asn1tools"`` uses
    the reference interpreter. Both produce identical bytes and values (checked by tests/e2/test_asn1_oracle.py).
    """
    return _compile(tuple(str(Path(p).resolve()) for p in paths), engine)
