"""The event loop the RIC and xApp processes run on.

uvloop (libuv) where it is installed - measured on ``benchmarks/ric_loop.py`` it lets one RIC process keep up
with 3,000 indications/s + 3,000 acknowledged controls/s where the stdlib loop falls behind at ~1,500/s on the
same machine; the stdlib loop otherwise (same behaviour, slower). Only process entry points call this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["loop_name", "run"]

T = TypeVar("T")


def loop_name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop when available."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
