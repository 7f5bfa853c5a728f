"""The xApp API (:mod:`ric.xapp.api`), its vocabulary (:mod:`ric.xapp.types`), the runtime that drives an xApp
(:mod:`ric.xapp.runtime`) and the host interface a RIC implements (:mod:`ric.xapp.host`)."""

from ric.a1.policy import A1Operation, A1Policy
from ric.xapp.api import XApp, XAppContext
from ric.xapp.runtime import RuntimeConfig, XAppRuntime
from ric.xapp.types import (
    CellInfo,
    ControlOutcome,
    ControlRequest,
    ControlStatus,
    Indication,
    KpmReportSpec,
    KpmReportStyleInfo,
    NodeEvent,
    NodeInfo,
    RanFunctionInfo,
    Subscription,
)

__all__ = [
    "A1Operation", "A1Policy", "CellInfo", "ControlOutcome", "ControlRequest", "ControlStatus", "Indication",
    "KpmReportSpec", "KpmReportStyleInfo", "NodeEvent", "NodeInfo", "RanFunctionInfo", "RuntimeConfig", "Subscription", "XApp",
    "XAppContext", "XAppRuntime",
]
