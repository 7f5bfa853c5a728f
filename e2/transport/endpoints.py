"""asyncio E2 endpoints: one object per association that sends and receives whole E2AP PDUs.

* :class:`SctpEndpoint` — SCTP one-to-one socket (RFC 6458), every PDU one SCTP message with payload protocol
  identifier 70 (E2AP, ORAN.WG3.E2GAP clause 5), port 36421.
* :class:`StreamEndpoint` — TCP (or any asyncio stream) with 4-byte length framing (:mod:`e2.transport.framing`).
* :class:`MemoryEndpoint` — an in-process pair for tests and single-process demos.

All share ``send(pdu)``, ``recv() -> bytes`` (raises :class:`TransportError` once closed / broken),
``close()`` and ``closed``. They only move bytes: the protocol lives in :mod:`e2.ap.connection`.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import socket
import struct

from e2.errors import TransportError
from e2.transport.framing import DEFAULT_MAX_PDU, FrameDecoder, frame

__all__ = ["Endpoint", "MemoryEndpoint", "StreamEndpoint", "SctpEndpoint", "E2AP_PPID", "E2AP_PORT",
           "memory_pair"]

E2AP_PPID = 70
E2AP_PORT = 36421

# linux/sctp.h: ancillary data of sendmsg/recvmsg (SCTP_SNDRCV carries struct sctp_sndrcvinfo)
_SCTP_SNDRCV = 1
_IPPROTO_SCTP = getattr(socket, "IPPROTO_SCTP", 132)
_SNDRCVINFO = struct.Struct("=HHHxxIIIIIi")   # stream, ssn, flags, pad, ppid, context, ttl, tsn, cumtsn, assoc


class Endpoint(abc.ABC):
    """Common interface of the PDU endpoints."""

    kind = "abstract"

    @abc.abstractmethod
    async def send(self, pdu: bytes) -> None:
        """Send one whole E2AP PDU (framed as the transport requires)."""

    @abc.abstractmethod
    async def recv(self) -> bytes:
        """The next whole E2AP PDU; TransportError when the association is gone."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the association (idempotent)."""

    @property
    @abc.abstractmethod
    def closed(self) -> bool:
        """Whether the association is closed."""

    def __aiter__(self) -> Endpoint:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self.recv()
        except TransportError:
            raise StopAsyncIteration from None


class MemoryEndpoint(Endpoint):
    """One end of an in-memory association (see :func:`memory_pair`)."""

    kind = "memory"

    def __init__(self, inbox: asyncio.Queue[bytes | None], outbox: asyncio.Queue[bytes | None]) -> None:
        self._inbox, self._outbox = inbox, outbox
        self._closed = False

    async def send(self, pdu: bytes) -> None:
        if self._closed:
            raise TransportError("association closed")
        await self._outbox.put(bytes(pdu))

    async def recv(self) -> bytes:
        if self._closed:
            raise TransportError("association closed")
        item = await self._inbox.get()
        if item is None:
            self._closed = True
            raise TransportError("peer closed the association")
        return item

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._outbox.put(None)

    @property
    def closed(self) -> bool:
        return self._closed


def memory_pair() -> tuple[MemoryEndpoint, MemoryEndpoint]:
    """Two connected in-memory endpoints (E2 node end, RIC end)."""
    a: asyncio.Queue[bytes | None] = asyncio.Queue()
    b: asyncio.Queue[bytes | None] = asyncio.Queue()
    return MemoryEndpoint(a, b), MemoryEndpoint(b, a)


class StreamEndpoint(Endpoint):
    """Length-framed E2AP over an asyncio stream (TCP)."""

    kind = "tcp"

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 max_pdu: int = DEFAULT_MAX_PDU) -> None:
        self._reader, self._writer = reader, writer
        self._decoder = FrameDecoder(max_pdu)
        self._ready: list[bytes] = []
        self._max_pdu = max_pdu
        self._closed = False

    @property
    def peer(self) -> tuple[str, int] | None:
        return self._writer.get_extra_info("peername")

    async def send(self, pdu: bytes) -> None:
        if self._closed:
            raise TransportError("association closed")
        try:
            self._writer.write(frame(pdu, self._max_pdu))
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            await self.close()
            raise TransportError(f"send failed: {exc}") from None

    async def recv(self) -> bytes:
        while not self._ready:
            if self._closed:
                raise TransportError("association closed")
            try:
                chunk = await self._reader.read(65536)
            except (ConnectionError, OSError) as exc:
                await self.close()
                raise TransportError(f"receive failed: {exc}") from None
            if not chunk:
                await self.close()
                raise TransportError("peer closed the association")
            try:
                self._ready.extend(self._decoder.feed(chunk))
            except TransportError:
                await self.close()
                raise
        return self._ready.pop(0)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
            await self._writer.wait_closed()

    @property
    def closed(self) -> bool:
        return self._closed


class SctpEndpoint(Endpoint):
    """E2AP over a connected SCTP one-to-one socket; each PDU is one SCTP message with PPID 70."""

    kind = "sctp"

    def __init__(self, sock: socket.socket, max_pdu: int = DEFAULT_MAX_PDU) -> None:
        sock.setblocking(False)
        self._sock = sock
        self._max_pdu = max_pdu
        self._closed = False

    async def send(self, pdu: bytes) -> None:
        if self._closed:
            raise TransportError("association closed")
        if len(pdu) > self._max_pdu:
            raise TransportError(f"E2AP PDU of {len(pdu)} bytes exceeds the {self._max_pdu}-byte limit")
        info = _SNDRCVINFO.pack(0, 0, 0, socket.htonl(E2AP_PPID), 0, 0, 0, 0, 0)
        loop = asyncio.get_running_loop()
        try:
            await _sendmsg(loop, self._sock, pdu, [(_IPPROTO_SCTP, _SCTP_SNDRCV, info)])
        except OSError as exc:
            await self.close()
            raise TransportError(f"SCTP send failed: {exc}") from None

    async def recv(self) -> bytes:
        if self._closed:
            raise TransportError("association closed")
        loop = asyncio.get_running_loop()
        try:
            data = await loop.sock_recv(self._sock, self._max_pdu + 1)
        except OSError as exc:
            await self.close()
            raise TransportError(f"SCTP receive failed: {exc}") from None
        if not data:
            await self.close()
            raise TransportError("peer closed the association")
        if len(data) > self._max_pdu:
            await self.close()
            raise TransportError(f"SCTP message larger than {self._max_pdu} bytes")
        return data

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._sock.close()

    @property
    def closed(self) -> bool:
        return self._closed


async def _sendmsg(loop: asyncio.AbstractEventLoop, sock: socket.socket, data: bytes,
                   ancillary: list[tuple[int, int, bytes]]) -> None:
    """sendmsg on a non-blocking socket, waiting for writability (asyncio has no sock_sendmsg)."""
    while True:
        try:
            sock.sendmsg([data], ancillary)
            return
        except BlockingIOError:
            fut = loop.create_future()
            loop.add_writer(sock.fileno(), fut.set_result, None)
            try:
                await fut
            finally:
                loop.remove_writer(sock.fileno())
