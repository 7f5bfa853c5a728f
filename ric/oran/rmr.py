"""RMR (RIC Message Router) as the O-RAN SC host sees it: message types and a port interface.

The host routes by message type only, so it needs four operations from RMR: receive, send, reply to sender
(return-to-sender) and a stop. :class:`RmrPort` is that interface; :class:`RicXappFramePort` implements it over
``ricxappframe``'s RMRXapp in a RIC, and the tests implement it in memory. Message type numbers are those of the
O-RAN SC ``RIC_message_types.h`` table.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["RmrMessage", "RmrPort", "RmrType", "RicXappFramePort"]

log = logging.getLogger("ric.oran.rmr")


class RmrType:
    """RMR message types used by the xApp host."""

    HEALTH_CHECK_REQ = 100
    HEALTH_CHECK_RESP = 101
    RIC_SUB_REQ = 12010
    RIC_SUB_RESP = 12011
    RIC_SUB_FAILURE = 12012
    RIC_SUB_DEL_REQ = 12020
    RIC_SUB_DEL_RESP = 12021
    RIC_SUB_DEL_FAILURE = 12022
    RIC_CONTROL_REQ = 12040
    RIC_CONTROL_ACK = 12041
    RIC_CONTROL_FAILURE = 12042
    RIC_INDICATION = 12050
    A1_POLICY_REQ = 20010
    A1_POLICY_RESP = 20011
    A1_POLICY_QUERY = 20012


@dataclass(frozen=True)
class RmrMessage:
    """One RMR message: type, payload, subscription id (-1: none) and managed-entity id (the E2 node name)."""

    mtype: int
    payload: bytes
    sub_id: int = -1
    meid: str | None = None
    token: Any = None  # the port's handle for replying (an sbuf in ricxappframe)


class RmrPort(Protocol):
    """What the host needs from RMR."""

    def start(self, on_message: Callable[[RmrMessage], None]) -> None:
        """Begin receiving; ``on_message`` is called in the host's event loop for every message."""

    def send(self, mtype: int, payload: bytes, *, sub_id: int = -1, meid: str | None = None) -> bool:
        """Send by routing table (type, sub id); False when RMR could not send."""

    def reply(self, to: RmrMessage, mtype: int, payload: bytes) -> bool:
        """Return to sender (the A1 mediator, health checker...)."""

    def stop(self) -> None:
        """Stop receiving and release RMR."""


class RicXappFramePort:
    """:class:`RmrPort` over ``ricxappframe.xapp_frame.RMRXapp`` (only importable inside an O-RAN SC image).

    RMRXapp runs its receive loop in a thread; messages are handed to the asyncio loop with
    ``call_soon_threadsafe`` so the host itself stays single-threaded.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, *, rmr_port: int = 4560) -> None:
        try:
            from ricxappframe.rmr import rmr
            from ricxappframe.xapp_frame import RMRXapp
        except (ImportError, OSError) as exc:  # OSError: librmr_si.so missing
            raise RuntimeError(
                "the O-RAN SC host needs ricxappframe and librmr_si.so (pip install 'ranpilot[oran]' in an "
                f"O-RAN SC xApp image): {exc}") from exc
        self._rmr = rmr
        self._loop = loop
        self._on_message: Callable[[RmrMessage], None] | None = None
        self._xapp = RMRXapp(self._default_handler, rmr_port=rmr_port, use_fake_sdl=False)

    def _default_handler(self, xapp: Any, summary: dict[str, Any], sbuf: Any) -> None:
        rmr = self._rmr
        meid = summary.get(rmr.RMR_MS_MEID)
        msg = RmrMessage(
            mtype=int(summary[rmr.RMR_MS_MSG_TYPE]),
            payload=bytes(summary[rmr.RMR_MS_PAYLOAD]),
            sub_id=int(summary.get(rmr.RMR_MS_SUB_ID, -1)),
            meid=meid.decode() if isinstance(meid, bytes) else meid,
            token=sbuf,
        )
        if self._on_message is not None:
            self._loop.call_soon_threadsafe(self._on_message, msg)

    def start(self, on_message: Callable[[RmrMessage], None]) -> None:
        self._on_message = on_message
        self._xapp.run(thread=True)

    def send(self, mtype: int, payload: bytes, *, sub_id: int = -1, meid: str | None = None) -> bool:
        rmr = self._rmr
        sbuf = rmr.rmr_alloc_msg(self._xapp._mrc, len(payload), payload=payload, gen_transaction_id=True,
                                 mtype=mtype, meid=meid.encode() if meid else None, sub_id=sub_id)
        try:
            for _ in range(100):
                sbuf = rmr.rmr_send_msg(self._xapp._mrc, sbuf)
                state = rmr.message_summary(sbuf)[rmr.RMR_MS_MSG_STATE]
                if state == rmr.RMR_OK:
                    return True
                if state != rmr.RMR_ERR_RETRY:
                    return False
            return False
        finally:
            rmr.rmr_free_msg(sbuf)

    def reply(self, to: RmrMessage, mtype: int, payload: bytes) -> bool:
        try:
            return bool(self._xapp.rmr_rts(to.token, new_payload=payload, new_mtype=mtype))
        finally:
            self._xapp.rmr_free(to.token)

    def stop(self) -> None:
        self._xapp.stop()
