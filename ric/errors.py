"""The one error tree of the RIC runtime (``ric``).

Callers catch :class:`RicError`. E2 codec failures stay :class:`e2.errors.E2Error` (their own tree) and are
translated where the RIC decides what to do about them (count, answer with Error Indication, go on).
"""

from __future__ import annotations


class RicError(Exception):
    """Base class of every error raised by ``ric``."""


class SdlUnavailable(RicError):
    """Redis cannot be reached (down, restarting, refused). The operation did not happen: nothing was written."""


class PolicyError(RicError):
    """An A1 policy type or instance that is refused (bad schema, unknown type, instances still present)."""

    def __init__(self, reason: str, *, status: int = 400) -> None:
        self.reason = reason
        self.status = status
        super().__init__(reason)


class SubscriptionError(RicError):
    """A subscription the RIC or the E2 node refused (unknown node, no such RAN function, failure cause)."""


class ControlError(RicError):
    """A control request that could not be sent (unknown node, RAN function, encoding failure)."""


class LinkError(RicError):
    """The local xApp link (remote xApp process <-> embedded RIC) broke or was framed wrongly."""
