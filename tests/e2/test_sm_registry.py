"""Service-model registry: lookup and E2 Setup version negotiation (OID, short name, revision, definition)."""

from __future__ import annotations

import pytest

from e2.errors import UnsupportedServiceModel, VersionMismatch
from e2.sm import PayloadKind, default_registry
from e2.sm.common import RanFunctionName
from e2.sm.kpm import KpmRanFunctionDescription

REG = default_registry()
KPM3 = REG.lookup(name="kpm", version="3.00")
KPM2 = REG.lookup(name="kpm", version="2.03")


def description(sm, oid: str) -> bytes:
    return sm.encode(KpmRanFunctionDescription(RanFunctionName("ORAN-E2SM-KPM", oid, "KPM Monitor")))


def test_default_registry_is_built_once_and_lookup_defaults_to_newest():
    assert default_registry() is REG
    assert REG.lookup(name="kpm").version == "3.00"
    assert REG.lookup(name="KPM", version="2.03") is KPM2
    assert REG.lookup(name="kpm", version="3.0") is KPM3
    assert REG.lookup(oid="1.3.6.1.4.1.53148.1.2.2.2") is KPM2
    assert (KPM3.oid, KPM3.short_name, KPM3.version, KPM3.cli_name) == (
        "1.3.6.1.4.1.53148.1.3.2.2",
        "ORAN-E2SM-KPM",
        "3.00",
        "kpm",
    )
    assert PayloadKind("indication-message") is PayloadKind.INDICATION_MESSAGE


def test_lookup_unknown_version_names_both():
    with pytest.raises(VersionMismatch) as err:
        REG.lookup(name="kpm", version="1.00")
    assert "1.00" in str(err.value) and "2.03" in str(err.value) and "3.00" in str(err.value)
    with pytest.raises(UnsupportedServiceModel):
        REG.lookup(name="nope")


def test_negotiate_by_oid():
    assert REG.negotiate("1.3.6.1.4.1.53148.1.3.2.2", "ORAN-E2SM-KPM", 1, description(KPM3, KPM3.oid)) is KPM3
    assert REG.negotiate("1.3.6.1.4.1.53148.1.2.2.2", "ORAN-E2SM-KPM", 1, description(KPM2, KPM2.oid)) is KPM2
    assert REG.negotiate(" 1.3.6.1.4.1.53148.1.2.2.2 ") is KPM2


def test_negotiate_short_name_in_oid_uses_the_definition():
    assert REG.negotiate("ORAN-E2SM-KPM", None, 0, description(KPM2, KPM2.oid)) is KPM2
    assert REG.negotiate("ORAN-E2SM-KPM", None, 0, description(KPM3, KPM3.oid)) is KPM3
    assert REG.negotiate("ORAN-E2SM-KPM", None, None, None) is KPM3  # nothing else to go by: newest
    assert REG.negotiate("oran-e2sm-kpm", None, 2, None) is KPM2  # revision as a major-version hint
    assert REG.negotiate("ORAN-E2SM-KPM", None, 1, None) is KPM3  # an ordinary change counter: newest
    # the definition's OID is the short name as well: newest version that decodes it
    assert REG.negotiate("ORAN-E2SM-KPM", None, 7, description(KPM3, "ORAN-E2SM-KPM")) is KPM3


def test_negotiate_unknown_version_names_both():
    with pytest.raises(VersionMismatch) as err:
        REG.negotiate("1.3.6.1.4.1.53148.1.4.2.2", "ORAN-E2SM-KPM", 1, None)
    text = str(err.value)
    assert "E2SM-KPM" in text and "v4" in text and "2.03" in text and "3.00" in text
    with pytest.raises(VersionMismatch) as err:
        REG.negotiate("ORAN-E2SM-KPM", None, 9, None)
    assert "revision 9" in str(err.value) and "3.00" in str(err.value)
    with pytest.raises(VersionMismatch, match="definition OID 1.3.6.1.4.1.53148.1.5.2.2"):
        REG.negotiate("ORAN-E2SM-KPM", None, None, description(KPM3, "1.3.6.1.4.1.53148.1.5.2.2"))


def test_negotiate_unknown_service_model():
    with pytest.raises(UnsupportedServiceModel):
        REG.negotiate("1.3.6.1.4.1.53148.1.1.2.99", "ORAN-E2SM-XYZ", 1, b"\x00")
    with pytest.raises(UnsupportedServiceModel):
        REG.negotiate("ACME-SM", "ACME", 1, b"\x00")
