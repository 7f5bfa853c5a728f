"""Client of the O-RAN SC subscription manager's REST API (xapp-frame ``/ric/v1/subscriptions``).

Why our own client: the one in ``ricxappframe`` sends snake_case keys and wrong paths. The submgr API (swagger
``xapp_rest_api.yaml``) uses these JSON names, exactly:

* POST ``/ric/v1/subscriptions`` with ``SubscriptionParams`` ``{SubscriptionId?, ClientEndpoint {Host, HTTPPort,
  RMRPort}, Meid, RANFunctionID, E2SubscriptionDirectives? {E2TimeoutTimerValue, E2RetryCount,
  RMRRoutingNeeded}, SubscriptionDetails [{XappEventInstanceId, EventTriggers [octets], ActionToBeSetupList
  [{ActionID, ActionType, ActionDefinition [octets], SubsequentAction? {SubsequentActionType, TimeToWait}}]}]}``
  -> 201 ``{SubscriptionId, SubscriptionInstances}``;
* the outcome of each E2 subscription arrives later as a POST to the xApp's ``/ric/v1/subscriptions/response``
  carrying ``SubscriptionResponse {SubscriptionId, SubscriptionInstances [{XappEventInstanceId,
  E2EventInstanceId, ErrorCause?, ErrorSource?, TimeoutType?}]}`` - the ``E2EventInstanceId`` is the RMR sub id of
  the indications;
* DELETE ``/ric/v1/subscriptions/{SubscriptionId}`` -> 204; GET ``/ric/v1/subscriptions`` lists them.

Octet strings travel as JSON arrays of integers (0..255).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from ric.errors import SubscriptionError

__all__ = ["ActionToBeSetup", "SubmgrClient", "SubscriptionDetail", "SubscriptionInstance", "SubscriptionParams",
           "SubscriptionResponse"]


@dataclass(frozen=True)
class ActionToBeSetup:
    action_id: int
    action_type: str  # "report" | "insert" | "policy"
    action_definition: bytes = b""
    subsequent_action: tuple[str, str] | None = None  # (SubsequentActionType, TimeToWait)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ActionID": self.action_id, "ActionType": self.action_type,
                               "ActionDefinition": list(self.action_definition)}
        if self.subsequent_action is not None:
            out["SubsequentAction"] = {"SubsequentActionType": self.subsequent_action[0],
                                       "TimeToWait": self.subsequent_action[1]}
        return out


@dataclass(frozen=True)
class SubscriptionDetail:
    xapp_event_instance_id: int
    event_triggers: bytes
    actions: tuple[ActionToBeSetup, ...]

    def to_json(self) -> dict[str, Any]:
        return {"XappEventInstanceId": self.xapp_event_instance_id, "EventTriggers": list(self.event_triggers),
                "ActionToBeSetupList": [a.to_json() for a in self.actions]}


@dataclass(frozen=True)
class SubscriptionParams:
    host: str
    http_port: int
    rmr_port: int
    meid: str
    ran_function_id: int
    details: tuple[SubscriptionDetail, ...]
    subscription_id: str | None = None
    directives: tuple[int, int, bool] | None = None  # (E2TimeoutTimerValue s, E2RetryCount, RMRRoutingNeeded)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ClientEndpoint": {"Host": self.host, "HTTPPort": self.http_port, "RMRPort": self.rmr_port},
            "Meid": self.meid,
            "RANFunctionID": self.ran_function_id,
            "SubscriptionDetails": [d.to_json() for d in self.details],
        }
        if self.subscription_id:
            out["SubscriptionId"] = self.subscription_id
        if self.directives is not None:
            out["E2SubscriptionDirectives"] = {"E2TimeoutTimerValue": self.directives[0],
                                               "E2RetryCount": self.directives[1],
                                               "RMRRoutingNeeded": self.directives[2]}
        return out


@dataclass(frozen=True)
class SubscriptionInstance:
    xapp_event_instance_id: int
    e2_event_instance_id: int
    error_cause: str | None = None
    error_source: str | None = None
    timeout_type: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.error_cause or "").strip() and not self.timeout_type


@dataclass(frozen=True)
class SubscriptionResponse:
    subscription_id: str
    instances: tuple[SubscriptionInstance, ...] = field(default=())

    @classmethod
    def from_json(cls, data: Any) -> SubscriptionResponse:
        if not isinstance(data, dict) or not isinstance(data.get("SubscriptionId"), str | int):
            raise SubscriptionError(f"bad SubscriptionResponse from submgr: {data!r:.200}")
        instances = []
        for i in data.get("SubscriptionInstances") or []:
            instances.append(SubscriptionInstance(
                int(i.get("XappEventInstanceId", 0)), int(i.get("E2EventInstanceId", 0)),
                i.get("ErrorCause") or None, i.get("ErrorSource") or None, i.get("TimeoutType") or None))
        return cls(str(data["SubscriptionId"]), tuple(instances))


class SubmgrClient:
    """Async client of the subscription manager (e.g. ``http://service-ricplt-submgr-http.ricplt:8088``)."""

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url.rstrip("/") + "/ric/v1", timeout=timeout_s)

    async def subscribe(self, params: SubscriptionParams) -> SubscriptionResponse:
        try:
            r = await self._client.post("/subscriptions", json=params.to_json())
        except httpx.HTTPError as exc:
            raise SubscriptionError(f"submgr unreachable: {exc}") from exc
        if r.status_code != 201:
            raise SubscriptionError(f"submgr refused the subscription ({r.status_code}): {r.text[:300]}")
        return SubscriptionResponse.from_json(r.json())

    async def delete(self, subscription_id: str) -> None:
        try:
            r = await self._client.delete(f"/subscriptions/{subscription_id}")
        except httpx.HTTPError as exc:
            raise SubscriptionError(f"submgr unreachable: {exc}") from exc
        if r.status_code not in (200, 204, 404):
            raise SubscriptionError(f"submgr refused delete of {subscription_id} ({r.status_code}): {r.text[:300]}")

    async def list(self) -> list[dict[str, Any]]:
        try:
            r = await self._client.get("/subscriptions")
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise SubscriptionError(f"submgr list failed: {exc}") from exc
        return list(r.json() or [])

    async def aclose(self) -> None:
        await self._client.aclose()
