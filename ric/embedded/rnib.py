"""R-NIB: the RAN network information base (E2 nodes, their cells and RAN functions with versions) in Redis.

The RIC's own view (what its E2 associations tell it) is authoritative; Redis holds a copy other components and
xApps can read (namespace ``rnib``, ``node:{id}`` -> JSON). Changes are written by :meth:`RNib.sync`, which the
RIC runs periodically in a worker thread - never in the event loop, where a burst of node set-ups or newly seen
cells would otherwise stall indication handling. Why the copy is re-written rather than trusted: a Redis that
restarts without persistence comes back empty, so a marker key (``epoch``) tells the RIC whether its copy is
still there; when it is gone, or a write failed, everything is rewritten. Writes that fail while Redis is down are
counted and retried, never dropped silently.
"""

from __future__ import annotations

import logging
import uuid

from ric.errors import SdlUnavailable
from ric.obs.metrics import RicMetrics
from ric.sdl import Namespace
from ric.xapp.types import NodeInfo

__all__ = ["RNib"]

log = logging.getLogger("ric.rnib")


class RNib:
    """Nodes known to the RIC, mirrored in SDL."""

    def __init__(self, ns: Namespace, metrics: RicMetrics | None = None) -> None:
        self.ns = ns
        self.metrics = metrics
        self._nodes: dict[str, NodeInfo] = {}
        self._epoch = uuid.uuid4().hex
        self._dirty = True
        self._pending: set[str] = set()

    def load(self) -> int:
        """Read nodes a previous RIC run left in Redis (all marked disconnected until they set up again)."""
        try:
            for key in self.ns.keys("node:*"):
                data = self.ns.get_json(key)
                if data is not None:
                    node = NodeInfo.from_json(data)
                    self._nodes.setdefault(node.node_id, NodeInfo(node.node_id, node.cells, node.ran_functions,
                                                                  connected=False))
        except SdlUnavailable as exc:
            log.warning("R-NIB load skipped: %s", exc)
        self._dirty = True
        return len(self._nodes)

    def put(self, node: NodeInfo) -> None:
        """Record a node (memory now, Redis at the next :meth:`sync`)."""
        self._nodes[node.node_id] = node
        self._pending.add(node.node_id)

    def set_connected(self, node_id: str, connected: bool) -> NodeInfo | None:
        node = self._nodes.get(node_id)
        if node is None:
            return None
        node = NodeInfo(node.node_id, node.cells, node.ran_functions, connected=connected)
        self.put(node)
        return node

    def get(self, node_id: str) -> NodeInfo | None:
        return self._nodes.get(node_id)

    def all(self) -> list[NodeInfo]:
        return list(self._nodes.values())

    def connected(self) -> list[NodeInfo]:
        return [n for n in self._nodes.values() if n.connected]

    def sync(self) -> bool:
        """Rewrite the whole R-NIB when Redis lost it or a write failed; True when Redis now matches."""
        pending, self._pending = self._pending, set()
        try:
            if not self._dirty and self.ns.get("epoch") == self._epoch.encode():
                nodes = [self._nodes[n] for n in pending if n in self._nodes]
                if nodes:
                    self.ns.set_many({f"node:{n.node_id}": _json(n) for n in nodes})
                return True
            items = {f"node:{n.node_id}": _json(n) for n in list(self._nodes.values())}
            items["epoch"] = self._epoch
            self.ns.set_many(items)
            self._dirty = False
            log.info("R-NIB written to SDL", extra={"nodes": len(self._nodes)})
            return True
        except SdlUnavailable as exc:
            self._dirty = True
            if self.metrics is not None:
                self.metrics.rnib_sync_errors.inc()
            log.warning("R-NIB sync failed: %s", exc)
            return False


def _json(node: NodeInfo) -> str:
    import json

    return json.dumps(node.to_json(), separators=(",", ":"), sort_keys=True)
