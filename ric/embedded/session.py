"""The boundary between the RIC core and the E2 termination.

The core (subscription manager, control router, R-NIB, xApp hosting) never sees bytes or sockets: it asks a
:class:`NodeSession` (one E2 association) to send procedures, and the termination reports what arrived through
:class:`E2Events`. Keeping that boundary narrow is what lets the core be exercised without a network and the
termination be swapped (SCTP, TCP framing) without touching the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ric.e2glue import KpmPlan
from ric.xapp.types import NodeInfo

__all__ = ["E2Events", "NodeSession", "RequestId"]


@dataclass(frozen=True, order=True)
class RequestId:
    """RIC Request ID (E2AP 9.2.7): requestor id + instance id, each 0..65535."""

    requestor: int
    instance: int


class NodeSession(Protocol):
    """One established E2 association, as the core uses it. The association allocates RIC Request IDs (its
    E2AP connection tracks which are pending), so each send returns the one it used."""

    node_id: str

    async def send_subscription(self, requestor: int, ran_function_id: int, plan: KpmPlan) -> RequestId:
        """RIC Subscription Request (E2AP 8.2.1) with the plan's event trigger and REPORT actions."""

    async def send_subscription_delete(self, request: RequestId) -> None:
        """RIC Subscription Delete Request (E2AP 8.2.2) of an active subscription."""

    async def send_control(self, requestor: int, ran_function_id: int, header: bytes, message: bytes,
                           ack_requested: bool, call_process_id: bytes | None) -> RequestId:
        """RIC Control Request (E2AP 8.2.4)."""

    def close(self) -> None:
        """Drop the association."""


class E2Events(Protocol):
    """What the termination reports to the core."""

    def node_setup(self, session: NodeSession, node: NodeInfo) -> None: ...

    def node_lost(self, node_id: str, session: NodeSession) -> None: ...

    def subscription_answer(self, node_id: str, request: RequestId, admitted: list[int],
                            cause: str | None) -> None: ...

    def subscription_delete_answer(self, node_id: str, request: RequestId, cause: str | None) -> None: ...

    def indication(self, node_id: str, request: RequestId, ran_function_id: int, action_id: int,
                   sequence: int | None, header: bytes, message: bytes, received_at: float) -> None: ...

    def control_answer(self, node_id: str, request: RequestId, ok: bool, cause: str | None,
                       outcome: bytes | None) -> None: ...

    def bad_pdu(self, node_id: str | None, reason: str) -> None: ...
