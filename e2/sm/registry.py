"""Service-model registry: which codec (and which version of it) handles a RAN function.

Keyed by RAN function OID and short name; negotiation follows what an E2 Setup carries for each RAN function
(E2AP v03.01 clause 9.2.8: RANfunctionDefinition, RANfunctionRevision, RANfunctionOID):

1. The OID decides when it is one we implement exactly (``1.3.6.1.4.1.53148.1.<major>.2.<sm>``: the
   O-RAN E2SM arc carries the spec's major version, e.g. KPM ``...1.2.2.2`` = v02.xx, ``...1.3.2.2`` = v03.00).
2. An O-RAN E2SM OID of a known service model but another major version -> :class:`VersionMismatch`.
3. Lenient: real nodes put the *short name* (``ORAN-E2SM-KPM``) into RANfunctionOID. Then the definition's own
   ``ranFunction-E2SM-OID`` (RANfunction-Name, E2SM clause 6.2.2.1) decides; failing that, a ``revision`` equal
   to a supported major version (a revision above all of them -> VersionMismatch); failing that, the newest
   version whose codec decodes the definition (or simply the newest when there is no definition).
4. Anything else -> :class:`UnsupportedServiceModel`.

RANfunctionRevision is, per E2AP, the node's own counter of changes to the function, so it is only a hint.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from e2.errors import E2Error, UnsupportedServiceModel, VersionMismatch
from e2.sm.base import PayloadKind, ServiceModel

__all__ = ["Registry", "default_registry"]

_ORAN_E2SM_OID = re.compile(r"^1\.3\.6\.1\.4\.1\.53148\.1\.(\d+)\.2\.(\d+)$")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


class Registry:
    """Service models by family (``cli_name``) and version."""

    def __init__(self, models: Iterable[ServiceModel] = ()) -> None:
        self._models: list[ServiceModel] = []
        for model in models:
            self.register(model)

    def register(self, model: ServiceModel) -> None:
        """Add a service model; (family, version) and OID must be unique."""
        for m in self._models:
            if (m.cli_name, m.version) == (model.cli_name, model.version) or m.oid == model.oid:
                raise ValueError(f"{model!r} clashes with registered {m!r}")
        self._models.append(model)

    @property
    def models(self) -> tuple[ServiceModel, ...]:
        return tuple(self._models)

    def family(self, name: str) -> list[ServiceModel]:
        """All versions of one service model (``"kpm"``, ``"rc"``, ``"ccc"`` or the short name), oldest first."""
        key = name.strip().lower()
        found = [m for m in self._models if key in (m.cli_name, m.short_name.lower(), m.name.lower())]
        return sorted(found, key=lambda m: _version_key(m.version))

    def lookup(
        self, name: str | None = None, version: str | None = None, *, oid: str | None = None
    ) -> ServiceModel:
        """The model named ``name`` (or with RAN function ``oid``) at ``version`` (default: the newest)."""
        if oid is not None:
            family = [m for m in self._models if m.oid == oid.strip()]
            if not family:
                raise UnsupportedServiceModel(f"no service model with OID {oid}")
            family = self.family(family[0].cli_name)
        elif name is not None:
            family = self.family(name)
            if not family:
                raise UnsupportedServiceModel(
                    f"no service model named {name!r} (known: {', '.join(sorted({m.cli_name for m in self._models}))})"
                )
        else:
            raise TypeError("lookup() needs a name or an oid")
        if version is None:
            if oid is not None:
                return next(m for m in family if m.oid == oid.strip())
            return family[-1]
        if _is_version(version):
            for m in family:
                if _version_key(m.version) == _version_key(version):
                    return m
        raise VersionMismatch(family[0].name, version, [m.version for m in family])

    def negotiate(
        self,
        oid: str,
        short_name: str | None = None,
        revision: int | None = None,
        definition: bytes | None = None,
    ) -> ServiceModel:
        """Pick the codec for a RAN function advertised in E2 Setup (see the module docstring)."""
        text = (oid or "").strip()
        exact = [m for m in self._models if m.oid == text]
        if exact:
            return exact[0]
        match = _ORAN_E2SM_OID.match(text)
        if match:
            major, sm_id = match.groups()
            same_sm = [
                m for m in self._models if m.oid.rsplit(".", 1)[-1] == sm_id and _ORAN_E2SM_OID.match(m.oid)
            ]
            if same_sm:
                family = self.family(same_sm[0].cli_name)
                raise VersionMismatch(
                    family[0].name, f"v{major} (OID {text})", [f"{m.version} (OID {m.oid})" for m in family]
                )
            raise UnsupportedServiceModel(f"no service model for RAN function OID {text}")
        family = self.family(text) or (self.family(short_name) if short_name else [])
        if not family:
            raise UnsupportedServiceModel(
                f"no service model for RAN function OID {text!r}"
                + (f" / short name {short_name!r}" if short_name else "")
            )
        return self._pick_version(family, revision, definition)

    def _pick_version(
        self, family: list[ServiceModel], revision: int | None, definition: bytes | None
    ) -> ServiceModel:
        decoded_by: list[ServiceModel] = []
        if definition is not None:
            for m in reversed(family):
                try:
                    raw = m.decode_raw(PayloadKind.RAN_FUNCTION_DESCRIPTION, definition)
                except E2Error:
                    continue
                decoded_by.append(m)
                inner = _inner_oid(raw)
                if inner is not None:
                    for candidate in family:
                        if candidate.oid == inner:
                            return candidate
                    match = _ORAN_E2SM_OID.match(inner)
                    if match:
                        raise VersionMismatch(
                            family[0].name,
                            f"v{match.group(1)} (definition OID {inner})",
                            [f"{c.version} (OID {c.oid})" for c in family],
                        )
        if revision is not None:
            majors = [_version_key(m.version)[0] for m in family]
            for m, major in zip(family, majors, strict=True):
                if major == revision:
                    return m
            if not decoded_by and revision > max(majors):
                # above every major version we implement: the node speaks a newer spec. Revisions below
                # (0, 1...) are the ordinary change counter of E2AP and say nothing about the version.
                raise VersionMismatch(
                    family[0].name,
                    f"revision {revision}",
                    [f"{m.version} (major {m.version.split('.')[0]})" for m in family],
                )
        if decoded_by:
            return decoded_by[0]
        if definition is None or len(family) == 1:
            return family[-1]  # nothing to choose from: a bad definition surfaces when it is decoded
        raise VersionMismatch(
            family[0].name,
            "unknown (its RAN function definition decodes with none of our versions)",
            [m.version for m in family],
        )


def _is_version(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)*", text.strip()))


def _inner_oid(raw: object) -> str | None:
    """``ranFunction-Name.ranFunction-E2SM-OID`` of a decoded RAN function definition (ASN.1 or JSON form)."""
    if isinstance(raw, dict):
        name = raw.get("ranFunction-Name") or raw.get("ranFunctionName")
        if isinstance(name, dict):
            oid = name.get("ranFunction-E2SM-OID") or name.get("ranFunctionE2SmOid")
            return oid if isinstance(oid, str) else None
    return None


@functools.cache
def default_registry() -> Registry:
    """The registry of every service model ranpilot implements (built once; codecs compile on first use)."""
    from e2.sm.ccc.model import CccV3_00
    from e2.sm.kpm.model import KpmV2_03, KpmV3_00
    from e2.sm.rc.model import RcV1_03

    models: list[ServiceModel] = [KpmV3_00(), KpmV2_03(), RcV1_03(), CccV3_00()]
    return Registry(models)
