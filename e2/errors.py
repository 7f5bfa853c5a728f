"""The one error tree of the E2 library.

Callers (the RIC, xApps, e2sim) catch :class:`E2Error` and nothing else: decoders wrap every failure of the
underlying ASN.1 runtime so that a malformed PDU from the network can never surface as an arbitrary exception.
"""

from __future__ import annotations


class E2Error(Exception):
    """Base class of every error raised by the E2 library."""


class DecodeError(E2Error):
    """Bytes that do not decode. ``where`` names the structure (and field path) that failed."""

    def __init__(self, reason: str, *, where: str = "", data: bytes | None = None) -> None:
        self.reason = reason
        self.where = where
        self.data = data
        super().__init__(f"{where}: {reason}" if where else reason)


class EncodeError(E2Error):
    """A value that cannot be encoded (out of range, missing mandatory field...)."""

    def __init__(self, reason: str, *, where: str = "") -> None:
        self.reason = reason
        self.where = where
        super().__init__(f"{where}: {reason}" if where else reason)


class ValidationError(E2Error):
    """A decoded or to-be-encoded value that breaks a rule of the spec or of a JSON schema (E2SM-CCC)."""

    def __init__(self, reason: str, *, where: str = "") -> None:
        self.reason = reason
        self.where = where
        super().__init__(f"{where}: {reason}" if where else reason)


class UnsupportedServiceModel(E2Error):
    """No codec is registered for a RAN function's OID / short name."""


class VersionMismatch(E2Error):
    """The peer's service-model revision is not one we implement; the message names both versions."""

    def __init__(self, service_model: str, offered: str, supported: list[str]) -> None:
        self.service_model = service_model
        self.offered = offered
        self.supported = supported
        super().__init__(
            f"{service_model}: peer offers version {offered}, this library implements "
            f"{', '.join(supported) or 'none'}"
        )


class ProtocolError(E2Error):
    """A well-formed message that is not allowed in the current state of an E2 procedure."""


class TransportError(E2Error):
    """The association is down, refused, or framed wrongly."""
