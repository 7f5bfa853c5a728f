"""Observability: Prometheus metrics, JSON logs, health endpoints and the in-loop HTTP server."""

from ric.obs.health import Health
from ric.obs.metrics import RicMetrics, XAppMetrics

__all__ = ["Health", "RicMetrics", "XAppMetrics"]
