"""E2 transports (thin asyncio adapters around the sans-I/O :mod:`e2.ap.connection`).

SCTP (PPID 70, port 36421) where the kernel supports it, otherwise TCP with a 4-byte big-endian length
prefix per E2AP PDU; an in-memory pair for tests. Clients reconnect with capped exponential backoff + jitter.
"""

from e2.transport.association import pump
from e2.transport.endpoints import (
    E2AP_PORT,
    E2AP_PPID,
    Endpoint,
    MemoryEndpoint,
    SctpEndpoint,
    StreamEndpoint,
    memory_pair,
)
from e2.transport.framing import DEFAULT_MAX_PDU, FrameDecoder, frame
from e2.transport.net import (
    E2Server,
    backoff_delays,
    choose_transport,
    connect,
    connect_with_retry,
    sctp_supported,
    serve,
)

__all__ = [
    "pump", "E2AP_PORT", "E2AP_PPID", "Endpoint", "MemoryEndpoint", "SctpEndpoint", "StreamEndpoint",
    "memory_pair", "DEFAULT_MAX_PDU", "FrameDecoder", "frame", "E2Server", "backoff_delays", "choose_transport",
    "connect", "connect_with_retry", "sctp_supported", "serve",
]
