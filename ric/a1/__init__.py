"""A1-P policy endpoint (REST), shaped like the O-RAN SC A1 mediator's API so the same rApps drive both RICs.

:mod:`ric.a1.policy` - policy types, instances and validation; :mod:`ric.a1.store` - persistence in SDL;
:mod:`ric.a1.app` - the FastAPI routes (``/a1-p/...``).
"""

from ric.a1.policy import A1Operation, A1Policy, PolicyType
from ric.a1.store import PolicyStore

__all__ = ["A1Operation", "A1Policy", "PolicyStore", "PolicyType"]
