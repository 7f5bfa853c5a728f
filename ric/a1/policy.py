"""A1-P policy types and instances (O-RAN.WG2.A1AP, the policy-management service).

A policy type is a JSON schema (``create_schema``) identified by an integer id; a policy instance is a JSON
document of one type, identified by a string id. Instances are validated against their type's schema before they
are stored or delivered: an invalid policy is refused with the jsonschema error, never half-applied.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from jsonschema.validators import validator_for

from ric.errors import PolicyError

__all__ = ["A1Operation", "A1Policy", "PolicyType", "parse_type_id"]


class A1Operation(enum.StrEnum):
    """What happened to an instance; the O-RAN SC A1 mediator's ``operation`` field uses the same words."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


@dataclass(frozen=True)
class PolicyType:
    """An A1 policy type: integer id, name, description and the JSON schema its instances must satisfy."""

    policy_type_id: int
    name: str
    description: str
    create_schema: dict[str, Any]

    @classmethod
    def from_json(cls, data: Any, *, type_id: int | None = None) -> PolicyType:
        """Parse an A1 mediator type body; the schema itself is checked (a broken schema is refused)."""
        if not isinstance(data, dict):
            raise PolicyError("policy type body must be a JSON object")
        tid = parse_type_id(data.get("policy_type_id", type_id))
        if type_id is not None and tid != type_id:
            raise PolicyError(f"policy_type_id {tid} in the body differs from {type_id} in the path")
        schema = data.get("create_schema")
        if not isinstance(schema, dict):
            raise PolicyError("create_schema must be a JSON schema object")
        try:
            validator_for(schema).check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise PolicyError(f"create_schema is not a valid JSON schema: {exc.message}") from None
        return cls(tid, str(data.get("name", "")), str(data.get("description", "")), schema)

    def to_json(self) -> dict[str, Any]:
        return {"policy_type_id": self.policy_type_id, "name": self.name, "description": self.description,
                "create_schema": self.create_schema}

    def validate(self, payload: Any) -> None:
        """Raise PolicyError (400) with the best jsonschema error when ``payload`` breaks the schema."""
        validator = validator_for(self.create_schema)(self.create_schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(payload))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise PolicyError(f"policy does not match schema of type {self.policy_type_id} at {where}: "
                              f"{error.message}")


@dataclass(frozen=True)
class A1Policy:
    """One policy event as an xApp receives it: type, instance id, operation and the (validated) payload."""

    type_id: int
    instance_id: str
    operation: A1Operation
    payload: dict[str, Any] | None = field(default=None)

    def to_rmr_json(self) -> dict[str, Any]:
        """The A1 mediator's A1_POLICY_REQ body (type id and payload as it sends them: int and object)."""
        return {"operation": self.operation.value, "policy_type_id": self.type_id,
                "policy_instance_id": self.instance_id, "payload": self.payload or {}}

    @classmethod
    def from_rmr_json(cls, body: Any) -> A1Policy:
        """Parse an A1_POLICY_REQ body. The O-RAN SC A1 mediator sends ``policy_type_id`` as a string and
        ``payload`` as a JSON string; other senders use an integer and an object - both are accepted."""
        if not isinstance(body, dict):
            raise PolicyError("A1 policy request must be a JSON object")
        try:
            op = A1Operation(str(body.get("operation", "")).upper())
        except ValueError:
            raise PolicyError(f"unknown A1 operation {body.get('operation')!r}") from None
        payload = body.get("payload")
        if isinstance(payload, str | bytes):
            try:
                payload = json.loads(payload) if payload else None
            except json.JSONDecodeError as exc:
                raise PolicyError(f"payload is not JSON: {exc}") from None
        if payload is not None and not isinstance(payload, dict):
            raise PolicyError("payload must be a JSON object")
        instance = body.get("policy_instance_id")
        if not isinstance(instance, str | int) or str(instance) == "":
            raise PolicyError("policy_instance_id missing")
        return cls(parse_type_id(body.get("policy_type_id")), str(instance), op,
                   None if op is A1Operation.DELETE else payload)


def parse_type_id(value: Any) -> int:
    """A policy type id as an int, from an int or a decimal string (the A1 mediator sends strings)."""
    if isinstance(value, bool):
        raise PolicyError(f"bad policy_type_id {value!r}")
    if isinstance(value, int):
        tid = value
    elif isinstance(value, str) and value.strip().isdigit():
        tid = int(value.strip())
    else:
        raise PolicyError(f"bad policy_type_id {value!r}: an integer is required")
    if not 1 <= tid <= 2**31 - 1:
        raise PolicyError(f"policy_type_id {tid} out of range 1..2^31-1")
    return tid
