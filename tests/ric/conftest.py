"""Fixtures for the RIC tests: a real Debian ``redis-server`` per test that needs one, on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ric_redis import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
