"""Policy serving for xApps: per-cell ONNX policies with baseline fallback, guardrails and hot-swap.

Core runtime (imports ``ranpilot`` and ``ric`` only, never apps). :class:`PolicyRunner` makes one sans-I/O decision
from per-cell measurements; :mod:`ric.policy.guardrails` bounds every action; :class:`ModelSwapper` hot-swaps
models from a file, an SDL key or an A1 policy; :class:`ric.xapp.policy.PolicyXApp` wires it into the xApp runtime.
"""

from ric.policy.guardrails import (
    EnergyGuardConfig,
    Guardrails,
    HandoverGuardConfig,
    Intervention,
    RateLimits,
    SlicingGuardConfig,
    default_guard_config,
    make_guardrails,
)
from ric.policy.measurements import CellTable, Snapshot, cell_key, split_key
from ric.policy.metrics import PolicyMetrics, policy_metrics
from ric.policy.runner import DEFAULT_BASELINE, Decision, LoadedModel, PolicyRunner, RunnerConfig
from ric.policy.source import (
    MODEL_POLICY_SCHEMA,
    MODEL_POLICY_TYPE_IDS,
    FileModelSource,
    ModelRef,
    ModelSwapper,
    SdlModelSource,
    SwapOutcome,
    model_policy_type,
    model_ref_from_a1,
)

__all__ = [
    "DEFAULT_BASELINE", "MODEL_POLICY_SCHEMA", "MODEL_POLICY_TYPE_IDS", "CellTable", "Decision",
    "EnergyGuardConfig", "FileModelSource", "Guardrails", "HandoverGuardConfig", "Intervention", "LoadedModel",
    "ModelRef", "ModelSwapper", "PolicyMetrics", "PolicyRunner", "RateLimits", "RunnerConfig", "SdlModelSource",
    "SlicingGuardConfig", "Snapshot", "SwapOutcome", "cell_key", "default_guard_config", "make_guardrails",
    "model_policy_type", "model_ref_from_a1", "policy_metrics", "split_key",
]
