"""Prometheus series of policy serving (one set per registry, labelled per xApp).

``ranpilot_policy_decisions{xapp, source}`` (model | baseline), ``ranpilot_policy_fallbacks{xapp, reason}``,
``ranpilot_policy_guardrail_interventions{xapp, rule}`` (cells changed by a rule), the inference and whole-decision
latency histograms, ``ranpilot_policy_model_swaps{xapp, result}`` (swapped | refused) and
``ranpilot_policy_model_info{xapp, version, source}``. The model version also goes to the runtime's
``ranpilot_xapp_model_version`` through ``XAppContext.set_model_version``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from ric.obs.metrics import once_per_registry

__all__ = ["INFERENCE_BUCKETS", "PolicyMetrics", "policy_metrics"]

# Per-decision inference for tens of cells is 10 us .. a few ms; the loop itself is 10 ms .. 1 s.
INFERENCE_BUCKETS = (0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                     0.05, 0.1, 0.25, 1.0)


class PolicyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.decisions = Counter("ranpilot_policy_decisions", "policy decisions by source (model, baseline)",
                                 ["xapp", "source"], registry=registry)
        self.fallbacks = Counter("ranpilot_policy_fallbacks", "decisions served by the baseline, by cause",
                                 ["xapp", "reason"], registry=registry)
        self.interventions = Counter("ranpilot_policy_guardrail_interventions",
                                     "cells whose controls a guardrail changed, by rule", ["xapp", "rule"],
                                     registry=registry)
        self.inference = Histogram("ranpilot_policy_inference_seconds", "ONNX inference time per decision",
                                   ["xapp"], buckets=INFERENCE_BUCKETS, registry=registry)
        self.decision = Histogram("ranpilot_policy_decision_seconds",
                                  "features + policy + guardrails per decision", ["xapp"],
                                  buckets=INFERENCE_BUCKETS, registry=registry)
        self.swaps = Counter("ranpilot_policy_model_swaps", "model hot-swaps by result (swapped, refused)",
                             ["xapp", "result"], registry=registry)


def policy_metrics(registry: CollectorRegistry | None = None) -> PolicyMetrics:
    """The policy series of ``registry`` (created once per registry, see ``once_per_registry``; a private
    registry when None)."""
    if registry is None:
        return PolicyMetrics(CollectorRegistry())
    return once_per_registry(registry, "ric.policy", PolicyMetrics)
