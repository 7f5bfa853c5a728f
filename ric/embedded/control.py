"""Control routing: a RIC Control Request goes to the node's RAN function and its Acknowledge / Failure comes
back to the caller (E2AP 8.2.4), matched by RIC Request ID; no answer within the deadline -> timeout; a node that
drops its association fails what was pending with an error instead of leaving callers waiting."""

from __future__ import annotations

import asyncio
import time

from e2.errors import E2Error
from ric.embedded.session import NodeSession, RequestId
from ric.obs.metrics import RicMetrics
from ric.xapp.types import ControlOutcome, ControlStatus

__all__ = ["CONTROL_REQUESTOR", "ControlRouter"]

CONTROL_REQUESTOR = 2
EARLY_TTL_S = 1.0  # an answer that arrives before its sender registered is kept this long, no longer


class ControlRouter:
    def __init__(self, metrics: RicMetrics) -> None:
        self.metrics = metrics
        self._pending: dict[tuple[str, int], asyncio.Future[ControlOutcome]] = {}
        self._early: dict[tuple[str, int], tuple[float, ControlOutcome]] = {}
        self._m_outcome = {status: metrics.controls.labels(status.value) for status in ControlStatus}

    async def send(self, session: NodeSession, ran_function_id: int, header: bytes, message: bytes, *,
                   ack_requested: bool, call_process_id: bytes | None, timeout_s: float) -> ControlOutcome:
        fut: asyncio.Future[ControlOutcome] = asyncio.get_running_loop().create_future()
        t0 = time.perf_counter()
        key: tuple[str, int] | None = None
        try:
            request = await session.send_control(CONTROL_REQUESTOR, ran_function_id, header, message,
                                                 ack_requested, call_process_id)
        except E2Error as exc:
            out = ControlOutcome(ControlStatus.ERROR, f"not sent: {exc}")
        else:
            if not ack_requested:
                out = ControlOutcome(ControlStatus.ACK, "sent (no acknowledgement requested)")
            else:
                key = (session.node_id, request.instance)
                self._pending[key] = fut
                early = self._early.pop(key, None)  # answered while our send was still flushing
                if early is not None and time.monotonic() - early[0] < EARLY_TTL_S:
                    fut.set_result(early[1])
                timer = asyncio.get_running_loop().call_later(timeout_s, _expire, fut, session.node_id, timeout_s)
                try:
                    out = await fut
                finally:
                    timer.cancel()
                    self._pending.pop(key, None)
        latency = time.perf_counter() - t0
        if out.status in (ControlStatus.ACK, ControlStatus.FAILURE) and ack_requested:
            self.metrics.control_latency.observe(latency)
        self._m_outcome[out.status].inc()
        return ControlOutcome(out.status, out.cause, out.outcome, latency)

    def answer(self, node_id: str, request: RequestId, ok: bool, cause: str | None, outcome: bytes | None) -> bool:
        if request.requestor != CONTROL_REQUESTOR:
            return False
        out = ControlOutcome(ControlStatus.ACK if ok else ControlStatus.FAILURE, cause, outcome)
        fut = self._pending.get((node_id, request.instance))
        if fut is None:
            now = time.monotonic()
            if len(self._early) >= 1024:  # late answers to timed-out controls: drop the stale ones
                self._early = {k: v for k, v in self._early.items() if now - v[0] < EARLY_TTL_S}
            if len(self._early) < 1024:
                self._early[(node_id, request.instance)] = (now, out)
            return False
        if not fut.done():
            fut.set_result(out)
        return True

    def node_down(self, node_id: str) -> None:
        self._early = {k: v for k, v in self._early.items() if k[0] != node_id}
        for (node, _), fut in list(self._pending.items()):
            if node == node_id and not fut.done():
                fut.set_result(ControlOutcome(ControlStatus.ERROR, f"E2 node {node_id} disconnected"))


def _expire(fut: asyncio.Future[ControlOutcome], node_id: str, timeout_s: float) -> None:
    if not fut.done():
        fut.set_result(ControlOutcome(ControlStatus.TIMEOUT, f"no answer from {node_id} in {timeout_s} s"))
