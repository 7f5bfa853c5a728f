"""The thin adapter between an endpoint (bytes) and a sans-I/O connection (events).

:func:`pump` reads PDUs from the endpoint, gives them to ``connection.receive(pdu, now)`` with the time from
``clock`` and hands every event to ``on_event``; it also wakes up for procedure deadlines and reports
timeouts. Replies the connection prepared for rejected PDUs (Error Indications) are sent back. It returns when
the association closes. Nothing here knows E2AP beyond "bytes in, events out".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from e2.ap.connection import Event, PduRejected
from e2.errors import TransportError
from e2.transport.endpoints import Endpoint

__all__ = ["pump"]


async def pump(endpoint: Endpoint, connection: Any, on_event: Callable[[Event], Awaitable[None] | None],
               clock: Callable[[], float] = time.monotonic, send_error_replies: bool = True) -> None:
    """Run one association until the peer closes it (or the endpoint breaks)."""

    async def deliver(events: list[Event]) -> None:
        for event in events:
            if send_error_replies and isinstance(event, PduRejected) and event.reply is not None:
                try:
                    await endpoint.send(event.reply)
                except TransportError:
                    pass
            result = on_event(event)
            if asyncio.iscoroutine(result):
                await result

    while not endpoint.closed:
        deadline = connection.next_deadline()
        timeout = None if deadline is None else max(0.0, deadline - clock())
        try:
            pdu = await asyncio.wait_for(endpoint.recv(), timeout)
        except TimeoutError:
            await deliver(connection.poll(clock()))
            continue
        except TransportError:
            break
        await deliver(connection.receive(pdu, clock()))
        await deliver(connection.poll(clock()))
