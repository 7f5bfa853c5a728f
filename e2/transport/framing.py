"""Length-prefixed framing of E2AP PDUs over a byte stream (the TCP fallback for SCTP).

SCTP keeps message boundaries; TCP does not, so over TCP every E2AP PDU is preceded by its length as a 4-byte
big-endian unsigned integer. The decoder is sans-I/O: feed it whatever the socket returned, get whole PDUs
back. A frame longer than ``max_pdu`` (or empty) is a :class:`TransportError` and the decoder refuses further
input: the stream is out of sync and must be closed; nothing is buffered beyond one frame.
"""

from __future__ import annotations

import struct

from e2.errors import TransportError

__all__ = ["DEFAULT_MAX_PDU", "frame", "FrameDecoder"]

DEFAULT_MAX_PDU = 4 * 1024 * 1024   # far above any E2AP PDU (a KPM report with thousands of UEs is < 1 MiB)
_LEN = struct.Struct(">I")


def frame(pdu: bytes, max_pdu: int = DEFAULT_MAX_PDU) -> bytes:
    """One framed PDU (length prefix + bytes)."""
    if not pdu:
        raise TransportError("refusing to send an empty E2AP PDU")
    if len(pdu) > max_pdu:
        raise TransportError(f"E2AP PDU of {len(pdu)} bytes exceeds the {max_pdu}-byte frame limit")
    return _LEN.pack(len(pdu)) + pdu


class FrameDecoder:
    """Incremental decoder: ``feed(chunk)`` returns the complete PDUs found so far."""

    def __init__(self, max_pdu: int = DEFAULT_MAX_PDU) -> None:
        self.max_pdu = max_pdu
        self._buf = bytearray()
        self._broken: TransportError | None = None

    def feed(self, data: bytes) -> list[bytes]:
        if self._broken is not None:
            raise self._broken
        self._buf += data
        out: list[bytes] = []
        while len(self._buf) >= 4:
            (length,) = _LEN.unpack_from(self._buf)
            if length == 0 or length > self.max_pdu:
                self._broken = TransportError(
                    f"bad frame length {length} (limit {self.max_pdu}): stream out of sync")
                self._buf.clear()
                raise self._broken
            if len(self._buf) < 4 + length:
                break
            out.append(bytes(self._buf[4:4 + length]))
            del self._buf[:4 + length]
        return out

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buf)
