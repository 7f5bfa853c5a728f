"""A1 policy types, instances and their status, persisted in SDL (namespace ``a1``).

Layout (JSON values): ``type:{tid}`` -> policy type, ``policy:{tid}:{pid}`` -> instance payload,
``status:{tid}:{pid}`` -> enforcement status. Stored in Redis so a RIC restart keeps its policies and re-delivers
them to xApps that register later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ric.a1.policy import A1Operation, PolicyType
from ric.errors import PolicyError
from ric.sdl import Namespace

__all__ = ["PolicyStore"]

IN_EFFECT = "IN EFFECT"
NOT_IN_EFFECT = "NOT IN EFFECT"


class PolicyStore:
    """CRUD over policy types and instances. Every failure is a PolicyError carrying its HTTP status."""

    def __init__(self, ns: Namespace) -> None:
        self.ns = ns

    # -- types ---------------------------------------------------------------------------------------------
    def put_type(self, ptype: PolicyType) -> None:
        if self.ns.get(f"type:{ptype.policy_type_id}") is not None:
            raise PolicyError(f"policy type {ptype.policy_type_id} already exists (delete it first)", status=400)
        self.ns.set_json(f"type:{ptype.policy_type_id}", ptype.to_json())

    def get_type(self, type_id: int) -> PolicyType:
        data = self.ns.get_json(f"type:{type_id}")
        if data is None:
            raise PolicyError(f"policy type {type_id} not found", status=404)
        return PolicyType.from_json(data)

    def list_types(self) -> list[int]:
        return sorted(int(k.split(":", 1)[1]) for k in self.ns.keys("type:*"))

    def delete_type(self, type_id: int) -> None:
        self.get_type(type_id)
        if self.list_instances(type_id):
            raise PolicyError(f"policy type {type_id} still has instances; delete them first", status=400)
        self.ns.delete(f"type:{type_id}")

    # -- instances -----------------------------------------------------------------------------------------
    def put_instance(self, type_id: int, instance_id: str, payload: Any) -> A1Operation:
        """Validate against the type's schema and store; CREATE for a new id, UPDATE for an existing one."""
        ptype = self.get_type(type_id)
        ptype.validate(payload)
        key = f"policy:{type_id}:{instance_id}"
        op = A1Operation.UPDATE if self.ns.get(key) is not None else A1Operation.CREATE
        now = dt.datetime.now(dt.UTC).isoformat()
        status = self.ns.get_json(f"status:{type_id}:{instance_id}") or {"created_at": now}
        status.update(instance_status=NOT_IN_EFFECT, has_been_deleted=False)
        self.ns.set_many({key: _dumps(payload), f"status:{type_id}:{instance_id}": _dumps(status)})
        return op

    def get_instance(self, type_id: int, instance_id: str) -> Any:
        self.get_type(type_id)
        data = self.ns.get_json(f"policy:{type_id}:{instance_id}")
        if data is None:
            raise PolicyError(f"policy instance {instance_id} of type {type_id} not found", status=404)
        return data

    def list_instances(self, type_id: int) -> list[str]:
        cut = len(f"policy:{type_id}:")
        return [k[cut:] for k in self.ns.keys(f"policy:{type_id}:*")]

    def all_instances(self) -> list[tuple[int, str, Any]]:
        """Every (type, instance, payload): what a newly registered xApp is sent."""
        out = []
        for tid in self.list_types():
            for pid in self.list_instances(tid):
                payload = self.ns.get_json(f"policy:{tid}:{pid}")
                if payload is not None:
                    out.append((tid, pid, payload))
        return out

    def delete_instance(self, type_id: int, instance_id: str) -> None:
        self.get_instance(type_id, instance_id)
        self.ns.delete(f"policy:{type_id}:{instance_id}", f"status:{type_id}:{instance_id}")

    # -- status --------------------------------------------------------------------------------------------
    def set_enforced(self, type_id: int, instance_id: str, enforced: bool) -> None:
        status = self.ns.get_json(f"status:{type_id}:{instance_id}")
        if status is None:
            return  # deleted meanwhile
        status["instance_status"] = IN_EFFECT if enforced else NOT_IN_EFFECT
        self.ns.set_json(f"status:{type_id}:{instance_id}", status)

    def get_status(self, type_id: int, instance_id: str) -> dict[str, Any]:
        self.get_instance(type_id, instance_id)
        return self.ns.get_json(f"status:{type_id}:{instance_id}") or {
            "instance_status": NOT_IN_EFFECT, "has_been_deleted": False}


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"), sort_keys=True)
