"""The one interface every E2 service model implements (plug-ins in the FlexRIC sense).

A service model turns the E2SM payloads that E2AP carries as opaque OCTET STRINGs (RAN function definition,
event trigger, action definition, indication header/message, control header/message/outcome, call process ID;
E2AP v03.01 clause 9.2) into typed dataclasses and back. ASN.1 service models (KPM, RC) share
:class:`Asn1ServiceModel`; E2SM-CCC carries JSON and implements the same methods itself.

Every decode failure is a :class:`~e2.errors.DecodeError` whose ``where`` reads
``"<SM name> v<version> <payload kind>: <field path>"``.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from e2.errors import DecodeError, E2Error, EncodeError

__all__ = ["Asn1ServiceModel", "PayloadKind", "ServiceModel"]


class PayloadKind(StrEnum):
    """The E2SM payload kinds (E2AP OCTET STRING IEs), named as on the ``ranpilot e2 decode --type`` line."""

    RAN_FUNCTION_DESCRIPTION = "ran-function-description"
    EVENT_TRIGGER = "event-trigger"
    ACTION_DEFINITION = "action-definition"
    INDICATION_HEADER = "indication-header"
    INDICATION_MESSAGE = "indication-message"
    CONTROL_HEADER = "control-header"
    CONTROL_MESSAGE = "control-message"
    CONTROL_OUTCOME = "control-outcome"
    CALL_PROCESS_ID = "call-process-id"


class ServiceModel(abc.ABC):
    """A service-model codec of one version. Instances are cheap; codecs compile on first use."""

    #: E2SM name as in the specs, e.g. ``"E2SM-KPM"``.
    name: str
    #: RAN function OID (E2SM-x clause 6.x / 7.x, "RAN function OID"), e.g. ``"1.3.6.1.4.1.53148.1.3.2.2"``.
    oid: str
    #: RAN function short name, e.g. ``"ORAN-E2SM-KPM"``.
    short_name: str
    #: Spec version, e.g. ``"3.00"``.
    version: str
    #: The ``--sm`` name on the command line: ``"kpm"``, ``"rc"``, ``"ccc"``.
    cli_name: str
    #: The payload kinds this service model defines.
    kinds: tuple[PayloadKind, ...]
    #: Typed class -> payload kind, so :meth:`encode` needs only the object.
    typed_kinds: Mapping[type, PayloadKind]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label} oid={self.oid}>"

    @functools.cached_property
    def _kind_set(self) -> frozenset[PayloadKind]:
        return frozenset(self.kinds)

    def kind(self, kind: PayloadKind | str) -> PayloadKind:
        """Validate ``kind`` (a PayloadKind or its string) against what this model defines."""
        if kind.__class__ is PayloadKind and kind in self._kind_set:  # the hot path: every indication, twice
            return kind  # type: ignore[return-value]
        try:
            parsed = PayloadKind(kind)
        except ValueError:
            raise DecodeError(f"unknown payload kind {kind!r}", where=self.label) from None
        if parsed not in self.kinds:
            raise DecodeError(f"{self.label} has no {parsed.value} payload", where=self.label)
        return parsed

    def kind_of(self, obj: Any) -> PayloadKind:
        """The payload kind of a typed object (one of ``typed_kinds``)."""
        for cls, kind in self.typed_kinds.items():
            if isinstance(obj, cls):
                return kind
        raise EncodeError(f"{type(obj).__name__} is not a {self.label} payload", where=self.label)

    @abc.abstractmethod
    def decode_raw(self, kind: PayloadKind | str, data: bytes) -> Any:
        """The payload as the raw structure (asn1tools conventions for ASN.1 models, parsed JSON for CCC)."""

    @abc.abstractmethod
    def encode_raw(self, kind: PayloadKind | str, value: Any) -> bytes:
        """Encode a raw structure (strict)."""

    @abc.abstractmethod
    def to_jsonable(self, kind: PayloadKind | str, data: bytes) -> Any:
        """The payload as JSON-ready data using the spec's field names."""

    @abc.abstractmethod
    def _to_typed(self, kind: PayloadKind, raw: Any) -> Any:
        """Raw structure -> typed dataclass (may raise KeyError/ValueError... on unexpected shapes)."""

    @abc.abstractmethod
    def _from_typed(self, obj: Any) -> Any:
        """Typed dataclass -> raw structure."""

    def decode(self, kind: PayloadKind | str, data: bytes) -> Any:
        """Decode ``data`` as ``kind`` into this model's typed dataclass."""
        parsed = self.kind(kind)
        raw = self.decode_raw(parsed, data)
        try:
            return self._to_typed(parsed, raw)
        except E2Error:
            raise
        except Exception as exc:  # typed view of a structure the spec allows but we cannot map
            raise DecodeError(
                f"cannot build the typed view: {type(exc).__name__}: {exc}",
                where=f"{self.label} {parsed.value}",
                data=bytes(data),
            ) from None

    def encode(self, obj: Any) -> bytes:
        """Encode a typed payload (canonical, strict: out-of-range values raise EncodeError/ValidationError)."""
        kind = self.kind_of(obj)
        try:
            raw = self._from_typed(obj)
        except E2Error:
            raise
        except (ValueError, TypeError, OverflowError, KeyError) as exc:
            raise EncodeError(str(exc), where=f"{self.label} {kind.value}") from None
        except RecursionError:
            raise EncodeError("nesting too deep", where=f"{self.label} {kind.value}") from None
        return self.encode_raw(kind, raw)

    def reencode(self, kind: PayloadKind | str, data: bytes) -> bytes:
        """Decode and encode again (canonical form of ``data``)."""
        parsed = self.kind(kind)
        return self.encode_raw(parsed, self.decode_raw(parsed, data))


class Asn1ServiceModel(ServiceModel):
    """A service model whose payloads are aligned-PER encoded ASN.1 types."""

    #: ASN.1 module files (compiled together, lazily, once per process).
    asn1_files: Sequence[Path]
    #: Payload kind -> top-level ASN.1 type name.
    asn1_types: Mapping[PayloadKind, str]

    @functools.cached_property
    def codec(self) -> Any:
        """The compiled codec, built on first use (xApp start-up must not pay for it at import) and kept:
        decoding sits on the per-indication hot path."""
        from e2.asn1 import load_codec

        return load_codec(self.asn1_files)

    @property
    def kinds(self) -> tuple[PayloadKind, ...]:  # type: ignore[override]
        return tuple(self.asn1_types)

    def _type(self, kind: PayloadKind | str) -> tuple[PayloadKind, str]:
        parsed = self.kind(kind)
        return parsed, self.asn1_types[parsed]

    def decode_raw(self, kind: PayloadKind | str, data: bytes) -> Any:
        parsed, type_name = self._type(kind)
        codec = self.codec
        try:
            return codec.decode(type_name, data)
        except DecodeError as exc:
            path, reason = self._failure_path(codec, type_name, exc, data)
            raise DecodeError(
                reason, where=f"{self.label} {parsed.value} at {path}", data=bytes(data)
            ) from None

    def _failure_path(self, codec: Any, type_name: str, exc: DecodeError, data: bytes) -> tuple[str, str]:
        """(field path, reason) of a decode failure.

        The fast engine reports the type it failed in; when that is only the top-level type, the asn1tools
        reference engine (compiled on this first failure only) is asked for the field path: malformed payloads
        are rare and an operator needs to know *where* a node's bytes go wrong.
        """
        path = exc.where[len(codec.name) + 1 :] if exc.where.startswith(codec.name + ".") else exc.where
        reason = exc.reason
        if "." not in path and getattr(codec, "engine", "asn1tools") != "asn1tools":
            try:
                from e2.asn1 import load_codec

                load_codec(self.asn1_files, engine="asn1tools").decode(type_name, data)
            except DecodeError as ref:
                head, sep, tail = ref.reason.partition(": ")
                if sep and head.startswith(type_name):
                    path = head
            except Exception:  # the reference engine is only a diagnostic aid here
                pass
        return path or type_name, reason

    def encode_raw(self, kind: PayloadKind | str, value: Any) -> bytes:
        parsed, type_name = self._type(kind)
        try:
            return self.codec.encode(type_name, value)
        except EncodeError as exc:
            raise EncodeError(exc.reason, where=f"{self.label} {parsed.value}") from None

    def to_jsonable(self, kind: PayloadKind | str, data: bytes) -> Any:
        parsed, type_name = self._type(kind)
        value = self.decode_raw(parsed, data)
        try:
            return self.codec.to_jsonable(type_name, value)
        except EncodeError as exc:
            raise DecodeError(exc.reason, where=f"{self.label} {parsed.value}", data=bytes(data)) from None
