"""The xApp descriptor (``CONFIG_FILE``, the O-RAN SC ``config-file.json``) as typed config.

Fields used: ``name``, ``version``, ``messaging.ports[]`` (the ``http`` and ``rmr-data`` ports, and the A1
``policies`` the rmr-data port accepts) and ``controls`` (the xApp's own settings). Platform endpoints come from
the environment at the edge (:mod:`ric.oran.main`), with the O-RAN SC service names as defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ric.errors import RicError
from ric.oran.host import OranConfig

__all__ = ["descriptor_policies", "load_descriptor", "oran_config"]


def load_descriptor(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise RicError(f"cannot read xApp descriptor {path}: {exc}") from exc
    if not isinstance(data, dict) or not data.get("name"):
        raise RicError(f"xApp descriptor {path} has no name")
    return data


def _port(descriptor: Mapping[str, Any], name: str, default: int) -> int:
    for p in (descriptor.get("messaging") or {}).get("ports") or []:
        if p.get("name") == name:
            return int(p.get("port", default))
    return default


def descriptor_policies(descriptor: Mapping[str, Any]) -> tuple[int, ...]:
    """A1 policy type ids the rmr-data port lists (``policies``)."""
    out: list[int] = []
    for p in (descriptor.get("messaging") or {}).get("ports") or []:
        out += [int(t) for t in p.get("policies") or []]
    return tuple(out)


def oran_config(descriptor: Mapping[str, Any], env: Mapping[str, str], *, config_path: str = "") -> OranConfig:
    """Typed host config from the descriptor and the platform variables given by the edge."""
    name = str(descriptor["name"])
    return OranConfig(
        xapp_name=name,
        xapp_version=str(descriptor.get("version", "0.0.0")),
        instance_name=env.get("HOSTNAME", name),
        http_host=env.get("XAPP_SERVICE_HOST", f"service-ricxapp-{name}-http.ricxapp"),
        http_port=_port(descriptor, "http", 8080),
        rmr_host=env.get("XAPP_RMR_HOST", f"service-ricxapp-{name}-rmr.ricxapp"),
        rmr_port=_port(descriptor, "rmr-data", 4560),
        submgr_url=env.get("SUBMGR_URL", "http://service-ricplt-submgr-http.ricplt:8088"),
        appmgr_url=env.get("APPMGR_URL", "http://service-ricplt-appmgr-http.ricplt:8080") or None,
        e2mgr_url=env.get("E2MGR_URL", "http://service-ricplt-e2mgr-http.ricplt:3800") or None,
        config_path=config_path,
        controls=dict(descriptor.get("controls") or {}),
    )
