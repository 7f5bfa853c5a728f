"""Liveness and readiness (``/ric/v1/health/alive`` and ``/ric/v1/health/ready``, the O-RAN SC xApp paths).

Alive: the event loop answers. Ready: every registered check passes (e.g. SDL reachable, E2 server listening,
xApp started). Checks are plain callables so each component registers its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["Health"]

log = logging.getLogger("ric.health")


class Health:
    """A named set of readiness checks."""

    def __init__(self) -> None:
        self._checks: dict[str, Callable[[], bool]] = {}

    def add_check(self, name: str, check: Callable[[], bool]) -> None:
        self._checks[name] = check

    def remove_check(self, name: str) -> None:
        self._checks.pop(name, None)

    def report(self) -> dict[str, bool]:
        """Each check's result; a check that raises counts as failing (and is logged)."""
        out = {}
        for name, check in self._checks.items():
            try:
                out[name] = bool(check())
            except Exception:
                log.exception("health check %s raised", name)
                out[name] = False
        return out

    def ready(self) -> bool:
        return all(self.report().values())
