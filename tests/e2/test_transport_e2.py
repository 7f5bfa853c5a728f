"""E2 transports: framing, in-memory pair, real TCP sockets on 127.0.0.1, SCTP fallback decision, backoff."""

from __future__ import annotations

import asyncio
import socket
import struct
import time

import pytest

from e2 import ap
from e2.ap import messages as m
from e2.ap.connection import E2NodeConnection, E2SetupDone, MessageReceived, RicConnection
from e2.errors import TransportError
from e2.transport import (
    FrameDecoder,
    backoff_delays,
    choose_transport,
    connect,
    connect_with_retry,
    frame,
    memory_pair,
    pump,
    sctp_supported,
    serve,
)

PLMN = ap.Plmn("001", "01")
FN = ap.RanFunction(2, b"\x00", 1, "1.3.6.1.4.1.53148.1.3.2.2")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


# -- framing ---------------------------------------------------------------------------------------------------
def test_framing_reassembles_split_and_coalesced_frames() -> None:
    pdus = [b"a", b"bc" * 1000, b"\x00\x01\x02"]
    stream = b"".join(frame(p) for p in pdus)
    dec = FrameDecoder()
    got = []
    for i in range(0, len(stream), 7):
        got.extend(dec.feed(stream[i:i + 7]))
    assert got == pdus and dec.buffered == 0
    assert frame(b"xyz")[:4] == b"\x00\x00\x00\x03"   # 4-byte big-endian length prefix


def test_framing_rejects_oversize_and_empty_frames() -> None:
    dec = FrameDecoder(max_pdu=100)
    with pytest.raises(TransportError, match="bad frame length 101"):
        dec.feed(struct.pack(">I", 101) + b"x")
    with pytest.raises(TransportError):               # the stream is out of sync: stays broken
        dec.feed(frame(b"ok"))
    with pytest.raises(TransportError):
        FrameDecoder().feed(b"\x00\x00\x00\x00")
    with pytest.raises(TransportError):
        frame(b"x" * 101, max_pdu=100)
    with pytest.raises(TransportError):
        frame(b"")


# -- SCTP decision ---------------------------------------------------------------------------------------------
def test_transport_choice() -> None:
    assert choose_transport("auto", sctp_available=False) == "tcp"
    assert choose_transport("auto", sctp_available=True) == "sctp"
    assert choose_transport("tcp", sctp_available=True) == "tcp"
    with pytest.raises(TransportError, match="not supported"):
        choose_transport("sctp", sctp_available=False)
    with pytest.raises(TransportError):
        choose_transport("quic")
    # the probe agrees with the kernel: an SCTP socket can be opened exactly when it says so
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, getattr(socket, "IPPROTO_SCTP", 132)).close()
        kernel_has_sctp = True
    except OSError:
        kernel_has_sctp = False
    assert sctp_supported() == kernel_has_sctp


# -- backoff ---------------------------------------------------------------------------------------------------
def test_backoff_is_capped_jittered_and_seeded() -> None:
    a = backoff_delays(0.5, 8.0, seed=3)
    b = backoff_delays(0.5, 8.0, seed=3)
    first = [next(a) for _ in range(12)]
    assert first == [next(b) for _ in range(12)]
    bounds = [min(8.0, 0.5 * 2**i) for i in range(12)]
    assert all(0.0 <= d <= bound for d, bound in zip(first, bounds, strict=True))
    assert max(first[6:]) > 1.0          # it does grow


# -- in-memory and TCP associations driving the sans-I/O connections ---------------------------------------------
async def _ric_handler(endpoint, events: list) -> None:
    ric = RicConnection(ap.GlobalRicId(PLMN, 1))

    async def on_event(event):
        events.append(event)
        if isinstance(event, MessageReceived) and isinstance(event.message, m.E2SetupRequest):
            await endpoint.send(ric.send_setup_response(event.message))

    await pump(endpoint, ric, on_event)


async def _node_session(endpoint) -> list:
    node = E2NodeConnection(ap.GlobalE2NodeId(PLMN, 1, 22))
    await endpoint.send(node.send_setup_request([FN], now=0.0))
    events = node.receive(await endpoint.recv(), 0.0)
    await endpoint.send(b"\x99 not an E2AP PDU")          # the RIC answers garbage with an Error Indication
    events += node.receive(await endpoint.recv(), 0.0)
    await endpoint.close()
    return events


def test_memory_pair_association() -> None:
    async def main():
        node_end, ric_end = memory_pair()
        ric_events: list = []
        ric_task = asyncio.create_task(_ric_handler(ric_end, ric_events))
        node_events = await _node_session(node_end)
        await ric_task
        return node_events, ric_events

    node_events, ric_events = run(main())
    assert isinstance(node_events[0], E2SetupDone)
    assert isinstance(node_events[1], MessageReceived) and isinstance(node_events[1].message, m.ErrorIndication)
    assert [type(e).__name__ for e in ric_events] == ["MessageReceived", "PduRejected"]


def test_tcp_association_on_localhost() -> None:
    async def main():
        ric_events: list = []
        server = await serve(lambda ep: _ric_handler(ep, ric_events), "127.0.0.1", 0, transport="tcp")
        try:
            endpoint = await connect("127.0.0.1", server.port, transport="tcp")
            node_events = await _node_session(endpoint)
            await asyncio.sleep(0.05)
        finally:
            await server.close()
        return node_events, ric_events

    node_events, ric_events = run(main())
    assert isinstance(node_events[0], E2SetupDone)
    assert node_events[0].response.accepted == (ap.RanFunctionRef(2, 1),)
    assert any(type(e).__name__ == "PduRejected" for e in ric_events)


def test_tcp_oversize_frame_closes_the_association_without_crashing() -> None:
    async def main():
        seen: list = []

        async def handler(endpoint):
            try:
                await endpoint.recv()
            except TransportError as exc:
                seen.append(str(exc))

        server = await serve(handler, "127.0.0.1", 0, transport="tcp")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(struct.pack(">I", 0x7FFFFFFF) + b"junk")
            await writer.drain()
            closed = await asyncio.wait_for(reader.read(), 5)    # the server closes its side
            writer.close()
        finally:
            await server.close()
        return seen, closed

    seen, closed = run(main())
    assert closed == b"" and seen and "bad frame length" in seen[0]


def test_client_reconnects_with_backoff_until_the_server_appears() -> None:
    async def main():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        delays: list[float] = []
        started: list = []

        async def fake_sleep(delay: float) -> None:
            delays.append(delay)
            if len(delays) == 3 and not started:
                started.append(await serve(lambda ep: ep.recv(), "127.0.0.1", port, transport="tcp"))

        endpoint = await connect_with_retry("127.0.0.1", port, transport="tcp", base_s=0.1, seed=1,
                                            sleep=fake_sleep, timeout_s=2.0)
        await endpoint.close()
        await started[0].close()
        with pytest.raises(TransportError):
            await connect_with_retry("127.0.0.1", port, transport="tcp", attempts=2, sleep=fake_sleep)
        return delays

    delays = run(main())
    assert delays[:3] == [d for d, _ in zip(backoff_delays(0.1, 30.0, seed=1), range(3), strict=False)]


def test_pump_reports_procedure_timeouts() -> None:
    async def main():
        node_end, ric_end = memory_pair()
        ric = RicConnection(ap.GlobalRicId(PLMN, 1), timeout_s=0.05)
        node = E2NodeConnection(ap.GlobalE2NodeId(PLMN, 1, 22))
        setup = ric.receive(node.send_setup_request([FN], 0.0), 0.0)[0].message
        node.receive(ric.send_setup_response(setup), 0.0)
        events: list = []
        task = asyncio.create_task(pump(ric_end, ric, events.append))
        rid, pdu = ric.send_subscription_request(9, 2, b"", [ap.RicAction(1)], now=time.monotonic())
        await ric_end.send(pdu)
        assert await node_end.recv() == pdu           # the node stays silent
        await asyncio.sleep(0.3)
        await node_end.close()
        await task
        return rid, events

    rid, events = run(main())
    assert [(type(e).__name__, getattr(e, "key", None)) for e in events] == [("ProcedureTimedOut", rid)]


class _FakeSctpSocket:
    """Stands in for a kernel SCTP socket (this kernel has none): records sendmsg, replays one message."""

    def __init__(self) -> None:
        self.sent: list = []

    def setblocking(self, flag: bool) -> None:
        pass

    def sendmsg(self, buffers, ancillary):
        self.sent.append((b"".join(buffers), ancillary))
        return sum(len(b) for b in buffers)

    def close(self) -> None:
        pass


def test_sctp_endpoint_sends_each_pdu_with_ppid_70() -> None:
    from e2.transport import E2AP_PPID, SctpEndpoint

    sock = _FakeSctpSocket()

    async def main():
        endpoint = SctpEndpoint(sock)          # type: ignore[arg-type]
        await endpoint.send(b"\x00\x01pdu")
        with pytest.raises(TransportError):
            await endpoint.send(b"x" * (endpoint._max_pdu + 1))
        await endpoint.close()
        with pytest.raises(TransportError):
            await endpoint.send(b"late")

    run(main())
    ((data, ancillary),) = sock.sent
    level, kind, info = ancillary[0]
    assert data == b"\x00\x01pdu" and level == getattr(socket, "IPPROTO_SCTP", 132) and kind == 1
    stream, ssn, flags, ppid = struct.unpack_from("=HHHxxI", info)
    assert socket.ntohl(ppid) == E2AP_PPID == 70 and len(info) == 32
