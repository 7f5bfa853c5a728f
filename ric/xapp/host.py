"""The host interface: what a RIC must provide for the xApp runtime.

Two implementations: :class:`ric.embedded.ric.EmbeddedRic` (in-process, or a remote process over
:mod:`ric.xapp.link`) and :class:`ric.oran.host.OranHost` (O-RAN SC: RMR + subscription manager REST). The runtime
(:class:`ric.xapp.runtime.XAppRuntime`) is the only caller; xApps never see a host.

Events flow the other way: a host calls the runtime's ``deliver_*`` methods (indications, A1 policies, node
up/down).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ric.xapp.types import ControlOutcome, ControlRequest, KpmReportSpec, NodeInfo, Subscription

if TYPE_CHECKING:
    from ric.xapp.runtime import XAppRuntime

__all__ = ["Host"]


class Host(Protocol):
    """A RIC that can carry an xApp."""

    async def attach(self, runtime: XAppRuntime) -> None:
        """Register the xApp (name, A1 policy types) so events reach ``runtime``; its current policies follow."""

    async def detach(self, runtime: XAppRuntime) -> None:
        """The xApp leaves: its subscriptions are deleted (E2 subscriptions shared with others stay)."""

    def nodes(self) -> list[NodeInfo]:
        """The E2 nodes the RIC knows (connected or not)."""

    async def subscribe(self, runtime: XAppRuntime, node_id: str, spec: KpmReportSpec) -> Subscription:
        """Subscribe to KPM reports; raises :class:`ric.errors.SubscriptionError` when refused."""

    async def unsubscribe(self, runtime: XAppRuntime, subscription_id: str) -> None:
        """Drop one subscription of this xApp."""

    async def control(self, runtime: XAppRuntime, node_id: str, request: ControlRequest,
                      timeout_s: float) -> ControlOutcome:
        """Send a RIC Control Request and wait for its ack/failure, at most ``timeout_s``."""

    # Optional: ``sdl_namespace(name) -> Namespace | None`` - the SDL a host offers to xApps that were given none.
