"""Seeded byte mutations for decoder robustness tests (only the library's own error may escape a decoder)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any


def mutations(payloads: Sequence[tuple[Any, bytes]], seed: int, count: int) -> Iterator[tuple[Any, bytes]]:
    """``count`` (key, bytes) pairs: a payload with 1-3 random bytes overwritten, truncated half of the time."""
    rng = random.Random(seed)
    for _ in range(count):
        key, data = rng.choice(payloads)
        buf = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        yield key, bytes(buf[: rng.randint(0, len(buf))]) if rng.random() < 0.5 else bytes(buf)


def assert_only(error: type[BaseException], decode: Callable[[Any, bytes], Any],
                payloads: Sequence[tuple[Any, bytes]], seed: int, count: int) -> None:
    """Decode every mutation; anything raised other than ``error`` fails the test."""
    for key, data in mutations(payloads, seed, count):
        try:
            decode(key, data)
        except error:
            pass
