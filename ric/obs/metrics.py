"""Prometheus metrics of the RIC and of each xApp.

Counters rather than rates (Prometheus derives indications/s with ``rate()``). Every xApp series carries an
``xapp`` label so the embedded RIC can host many xApps in one registry; an xApp in its own process (O-RAN SC)
has its own registry and serves it at ``/ric/v1/metrics`` like the Go xApp framework does.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["CONTROL_BUCKETS", "RicMetrics", "XAppMetrics", "once_per_registry"]

T = TypeVar("T")

# Control loop latencies of interest are 0.1 ms .. 1 s (near-RT loops are 10 ms .. 1 s).
CONTROL_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class XAppMetrics:
    """The series of the xApp runtime; one instance per registry, labelled per xApp."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.indications = Counter("ranpilot_xapp_indications", "RIC indications delivered to the xApp",
                                   ["xapp"], registry=registry)
        self.decode_errors = Counter("ranpilot_xapp_decode_errors", "indications whose E2SM payload did not decode",
                                     ["xapp"], registry=registry)
        self.dropped = Counter("ranpilot_xapp_indications_dropped",
                               "indications dropped because the xApp (or its link) was too far behind",
                               ["xapp"], registry=registry)
        self.controls = Counter("ranpilot_xapp_controls", "control requests by outcome (ack, failure, timeout, error)",
                                ["xapp", "outcome"], registry=registry)
        self.control_latency = Histogram("ranpilot_xapp_control_latency_seconds",
                                         "control request -> acknowledge/failure", ["xapp"],
                                         buckets=CONTROL_BUCKETS, registry=registry)
        self.callback_latency = Histogram("ranpilot_xapp_callback_seconds", "time spent in xApp callbacks",
                                          ["xapp", "callback"], buckets=CONTROL_BUCKETS, registry=registry)
        self.callback_errors = Counter("ranpilot_xapp_callback_errors", "xApp callbacks that raised",
                                       ["xapp", "callback"], registry=registry)
        self.subscriptions = Gauge("ranpilot_xapp_active_subscriptions", "subscriptions the xApp holds",
                                   ["xapp"], registry=registry)
        self.policies = Counter("ranpilot_xapp_a1_policies", "A1 policy events delivered", ["xapp", "result"],
                                registry=registry)
        self.model_version = Gauge("ranpilot_xapp_model_version", "the model in use (value 1 on its version)",
                                   ["xapp", "version"], registry=registry)

    def set_model_version(self, xapp: str, version: str) -> None:
        """Expose ``version`` as the one current model of ``xapp`` (the previous version's series is removed)."""
        for labels in list(self.model_version._metrics):
            if labels[0] == xapp:
                self.model_version.remove(*labels)
        self.model_version.labels(xapp, version).set(1)


class RicMetrics:
    """The series of the embedded RIC (E2 termination, subscription manager, control routing)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.nodes = Gauge("ranpilot_ric_e2_nodes_connected", "E2 nodes with an established association",
                           registry=registry)
        self.indications = Counter("ranpilot_ric_indications", "RIC indications received", registry=registry)
        self.unrouted = Counter("ranpilot_ric_indications_unrouted", "indications for no known subscription",
                                registry=registry)
        self.decode_errors = Counter("ranpilot_ric_decode_errors", "E2AP PDUs that did not decode", ["node"],
                                     registry=registry)
        self.error_indications = Counter("ranpilot_ric_error_indications_sent", "Error Indications sent to nodes",
                                         registry=registry)
        self.subscriptions = Gauge("ranpilot_ric_subscriptions_active", "E2 subscriptions active at nodes",
                                   registry=registry)
        self.controls = Counter("ranpilot_ric_controls", "control requests by outcome", ["outcome"],
                                registry=registry)
        self.control_latency = Histogram("ranpilot_ric_control_latency_seconds",
                                         "RIC Control Request -> Ack/Failure on the wire",
                                         buckets=CONTROL_BUCKETS, registry=registry)
        self.rnib_sync_errors = Counter("ranpilot_ric_rnib_sync_errors", "R-NIB writes that failed (Redis down)",
                                        registry=registry)


_own_lock = threading.Lock()
_own: weakref.WeakKeyDictionary[CollectorRegistry, dict[str, Any]] = weakref.WeakKeyDictionary()


def once_per_registry(registry: CollectorRegistry, key: str, build: Callable[[CollectorRegistry], T]) -> T:
    """An xApp's own series, built by ``build(registry)`` the first time ``key`` is asked for in ``registry`` and
    reused afterwards. Use it with ``ctx.registry`` (the registry the host serves): an xApp that starts again in
    the same host, or a second xApp of the same class, then shares the series instead of failing with
    prometheus_client's "Duplicated timeseries"."""
    with _own_lock:
        mine = _own.setdefault(registry, {})
        if key not in mine:
            mine[key] = build(registry)
        return mine[key]  # type: ignore[no-any-return]
