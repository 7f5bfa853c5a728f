"""Opening E2 associations: SCTP where the kernel has it, length-framed TCP otherwise; client reconnects.

:func:`sctp_supported` probes the kernel once (``socket.IPPROTO_SCTP`` exists *and* an SCTP socket can be
created: many containers lack the sctp module); :func:`choose_transport` turns a preference (``auto``,
``sctp``, ``tcp``) into the transport to use. :func:`connect` / :func:`serve` return / hand out
:class:`~e2.transport.endpoints.Endpoint` objects. :func:`backoff_delays` is the client's reconnect schedule:
exponential with full jitter from a seeded random stream (reproducible in tests), capped.
"""

from __future__ import annotations

import asyncio
import functools
import random
import socket
from collections.abc import Awaitable, Callable, Iterator

from e2.errors import TransportError
from e2.transport.endpoints import E2AP_PORT, Endpoint, SctpEndpoint, StreamEndpoint
from e2.transport.framing import DEFAULT_MAX_PDU

__all__ = ["sctp_supported", "choose_transport", "connect", "serve", "backoff_delays", "connect_with_retry",
           "E2Server"]


@functools.cache
def sctp_supported() -> bool:
    """True when this kernel can open SCTP sockets (probed once per process)."""
    proto = getattr(socket, "IPPROTO_SCTP", None)
    if proto is None:
        return False
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    except OSError:
        return False
    probe.close()
    return True


def choose_transport(prefer: str = "auto", *, sctp_available: bool | None = None) -> str:
    """``"sctp"`` or ``"tcp"`` for a preference; asking for SCTP where there is none is a TransportError."""
    available = sctp_supported() if sctp_available is None else sctp_available
    if prefer == "auto":
        return "sctp" if available else "tcp"
    if prefer == "sctp":
        if not available:
            raise TransportError("SCTP is not supported by this kernel (use transport='tcp' or 'auto')")
        return "sctp"
    if prefer == "tcp":
        return "tcp"
    raise TransportError(f"unknown transport {prefer!r} (auto | sctp | tcp)")


async def connect(host: str, port: int = E2AP_PORT, *, transport: str = "auto", timeout_s: float = 5.0,
                  max_pdu: int = DEFAULT_MAX_PDU) -> Endpoint:
    """Open one E2 association to ``host:port`` (the E2 node side connects to the RIC)."""
    kind = choose_transport(transport)
    try:
        if kind == "tcp":
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
            return StreamEndpoint(reader, writer, max_pdu)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)), timeout_s)
        except BaseException:
            sock.close()
            raise
        return SctpEndpoint(sock, max_pdu)
    except (TimeoutError, OSError) as exc:
        raise TransportError(f"cannot connect to {host}:{port} over {kind}: {exc or 'timeout'}") from None


class E2Server:
    """A listening E2 endpoint (the RIC side). Use :func:`serve` to start one."""

    def __init__(self, kind: str, server: asyncio.AbstractServer | None, sock: socket.socket | None,
                 task: asyncio.Task[None] | None) -> None:
        self.kind = kind
        self._server, self._sock, self._task = server, sock, task

    @property
    def port(self) -> int:
        if self._server is not None:
            return self._server.sockets[0].getsockname()[1]
        assert self._sock is not None
        return self._sock.getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._task is not None:
            self._task.cancel()
        if self._sock is not None:
            self._sock.close()


async def serve(handler: Callable[[Endpoint], Awaitable[None]], host: str = "127.0.0.1", port: int = E2AP_PORT,
                *, transport: str = "auto", max_pdu: int = DEFAULT_MAX_PDU) -> E2Server:
    """Listen for E2 associations; ``handler(endpoint)`` runs as a task per association (port 0: any)."""
    kind = choose_transport(transport)
    if kind == "tcp":
        async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            endpoint = StreamEndpoint(reader, writer, max_pdu)
            try:
                await handler(endpoint)
            finally:
                await endpoint.close()

        try:
            server = await asyncio.start_server(on_client, host, port)
        except OSError as exc:
            raise TransportError(f"cannot listen on {host}:{port}/tcp: {exc}") from None
        return E2Server("tcp", server, None, None)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise TransportError(f"cannot listen on {host}:{port}/sctp: {exc}") from None
    loop = asyncio.get_running_loop()

    async def accept_loop() -> None:
        while True:
            conn, _ = await loop.sock_accept(sock)
            endpoint = SctpEndpoint(conn, max_pdu)

            async def run(ep: SctpEndpoint = endpoint) -> None:
                try:
                    await handler(ep)
                finally:
                    await ep.close()

            loop.create_task(run())

    return E2Server("sctp", None, sock, loop.create_task(accept_loop()))


def backoff_delays(base_s: float = 0.5, cap_s: float = 30.0, factor: float = 2.0,
                   seed: int | None = 0) -> Iterator[float]:
    """Reconnect delays: exponential growth capped at ``cap_s``, with full jitter (uniform in [0, d])."""
    rng = random.Random(seed)
    delay = base_s
    while True:
        yield rng.uniform(0.0, delay)
        delay = min(cap_s, delay * factor)


async def connect_with_retry(host: str, port: int = E2AP_PORT, *, transport: str = "auto",
                             attempts: int | None = None, base_s: float = 0.5, cap_s: float = 30.0,
                             seed: int | None = 0, timeout_s: float = 5.0,
                             sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Endpoint:
    """:func:`connect`, retried with :func:`backoff_delays` until it works (or ``attempts`` are used up)."""
    delays = backoff_delays(base_s, cap_s, seed=seed)
    tried = 0
    while True:
        try:
            return await connect(host, port, transport=transport, timeout_s=timeout_s)
        except TransportError:
            tried += 1
            if attempts is not None and tried >= attempts:
                raise
        await sleep(next(delays))
