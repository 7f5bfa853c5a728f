"""The other O-RAN SC platform REST services an xApp talks to: appmgr (registration) and e2mgr (E2 nodes).

appmgr: POST ``/ric/v1/register`` with ``{appName, appVersion, configPath, appInstanceName, httpEndpoint,
rmrEndpoint, config}`` (config: the xApp's config file as a JSON string), POST ``/ric/v1/deregister`` with
``{appName, appInstanceName}``. e2mgr: GET ``/v1/nodeb/states`` (``[{inventoryName, globalNbId,
connectionStatus}]``) and GET ``/v1/nodeb/{inventoryName}`` (served cells and RAN functions).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from ric.errors import RicError
from ric.xapp.types import CellInfo, NodeInfo, RanFunctionInfo

__all__ = ["AppmgrClient", "E2mgrClient"]

log = logging.getLogger("ric.oran")


class AppmgrClient:
    """Registers the xApp with appmgr so the platform routes and lists it."""

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url.rstrip("/") + "/ric/v1", timeout=timeout_s)

    async def register(self, *, app_name: str, app_version: str, instance_name: str, http_endpoint: str,
                       rmr_endpoint: str, config_path: str = "", config: dict[str, Any] | None = None) -> None:
        body = {"appName": app_name, "appVersion": app_version, "configPath": config_path,
                "appInstanceName": instance_name, "httpEndpoint": http_endpoint, "rmrEndpoint": rmr_endpoint,
                "config": json.dumps(config or {})}
        await self._post("/register", body)

    async def deregister(self, *, app_name: str, instance_name: str) -> None:
        await self._post("/deregister", {"appName": app_name, "appInstanceName": instance_name})

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        try:
            r = await self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise RicError(f"appmgr {path} failed: {exc}") from exc
        if r.status_code // 100 != 2:
            raise RicError(f"appmgr {path} refused ({r.status_code}): {r.text[:300]}")

    async def aclose(self) -> None:
        await self._client.aclose()


class E2mgrClient:
    """Reads the E2 nodes (the O-RAN SC R-NIB) through e2mgr's REST API."""

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url.rstrip("/") + "/v1", timeout=timeout_s)

    async def nodes(self) -> list[NodeInfo]:
        try:
            r = await self._client.get("/nodeb/states")
            r.raise_for_status()
            states = r.json() or []
            out = []
            for s in states:
                name = s.get("inventoryName")
                if not name:
                    continue
                d = await self._client.get(f"/nodeb/{name}")
                detail = d.json() if d.status_code == 200 else {}
                out.append(_node_from_e2mgr(name, s.get("connectionStatus", ""), detail))
            return out
        except (httpx.HTTPError, ValueError) as exc:
            raise RicError(f"e2mgr query failed: {exc}") from exc

    async def aclose(self) -> None:
        await self._client.aclose()


def _node_from_e2mgr(name: str, status: str, detail: dict[str, Any]) -> NodeInfo:
    gnb = detail.get("gnb") or {}
    functions = tuple(
        RanFunctionInfo(int(f.get("ranFunctionId", 0)), str(f.get("ranFunctionOid", "")), "",
                        int(f.get("ranFunctionRevision", 0)))
        for f in gnb.get("ranFunctions") or [])
    cells = tuple(
        CellInfo(str((c.get("servedNrCellInformation") or {}).get("cellId", "")))
        for c in gnb.get("servedNrCells") or [])
    return NodeInfo(name, cells, functions, connected=status == "CONNECTED")
