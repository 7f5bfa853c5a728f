"""E2 transport for the termination: one E2AP PDU per frame.

Length-framed TCP (4-byte big-endian length, then the PDU) - the fallback the E2 library defines for kernels
without SCTP (this one has none). Kept to three functions so the termination does not care which transport
carries the PDUs.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from e2.errors import TransportError

__all__ = ["MAX_PDU", "frames", "listen", "send"]

MAX_PDU = 1 << 20
_LEN = struct.Struct(">I")


async def listen(transport: str, host: str, port: int,
                 serve: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
                 ) -> tuple[str, asyncio.AbstractServer]:
    """Start a server; returns the transport actually used and the server."""
    if transport == "sctp":
        raise TransportError("SCTP is not available in this build of the termination; use --transport tcp")
    server = await asyncio.start_server(serve, host, port, limit=MAX_PDU + 4)
    return "tcp", server


def send(writer: Any, pdu: bytes) -> None:
    writer.write(_LEN.pack(len(pdu)) + pdu)


async def frames(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """PDUs until the peer closes; TransportError when a frame length is impossible."""
    while True:
        try:
            head = await reader.readexactly(4)
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            return
        (size,) = _LEN.unpack(head)
        if size == 0 or size > MAX_PDU:
            raise TransportError(f"bad E2 frame length {size}")
        yield await reader.readexactly(size)
