"""Typed forms of the E2SM common IEs (O-RAN.WG3.E2SM-v03.00 clause 6.2) shared by KPM and RC.

Each type converts to and from the raw asn1tools value (``to_raw`` / ``from_raw``). PLMN identity and the BIT
STRING helpers live in :mod:`e2.identity` (shared with E2AP) and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from e2.errors import ValidationError
from e2.identity import Plmn, bits_to_int, int_to_bits

__all__ = [
    "Cgi",
    "EutraCgi",
    "GnbCuUpUeId",
    "GnbDuUeId",
    "GnbUeId",
    "Guami",
    "NrCgi",
    "Plmn",
    "RanFunctionName",
    "RawUeId",
    "SliceQuota",
    "Snssai",
    "UeId",
    "bits_to_int",
    "cgi_from_raw",
    "int_to_bits",
    "ue_id_from_raw",
]


@dataclass(frozen=True)
class Snssai:
    """S-NSSAI (TS 38.413 9.3.1.24): slice/service type (0..255) and optional slice differentiator (24 bits)."""

    sst: int
    sd: int | None = None

    def to_raw(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"sST": self.sst.to_bytes(1, "big")}
        if self.sd is not None:
            raw["sD"] = self.sd.to_bytes(3, "big")
        return raw

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Snssai:
        sd = raw.get("sD")
        return cls(int.from_bytes(raw["sST"], "big"), None if sd is None else int.from_bytes(sd, "big"))

    def __str__(self) -> str:
        """The slice label used in tidy rows: ``"1"`` or ``"1-000001"`` (SST-SD, SD in hex)."""
        return f"{self.sst}" if self.sd is None else f"{self.sst}-{self.sd:06x}"


@dataclass(frozen=True)
class NrCgi:
    """NR cell global identity (TS 38.413 9.3.1.7): PLMN + 36-bit NR cell identity."""

    plmn: Plmn
    nci: int

    def to_raw(self) -> dict[str, Any]:
        return {"pLMNIdentity": self.plmn.to_bytes(), "nRCellIdentity": int_to_bits(self.nci, 36)}

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> NrCgi:
        return cls(Plmn.from_bytes(raw["pLMNIdentity"]), bits_to_int(raw["nRCellIdentity"]))

    def __str__(self) -> str:
        return f"{self.plmn}/{self.nci:09x}"


@dataclass(frozen=True)
class EutraCgi:
    """E-UTRA cell global identity (TS 38.413 9.3.1.9): PLMN + 28-bit E-UTRA cell identity."""

    plmn: Plmn
    eci: int

    def to_raw(self) -> dict[str, Any]:
        return {"pLMNIdentity": self.plmn.to_bytes(), "eUTRACellIdentity": int_to_bits(self.eci, 28)}

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> EutraCgi:
        return cls(Plmn.from_bytes(raw["pLMNIdentity"]), bits_to_int(raw["eUTRACellIdentity"]))

    def __str__(self) -> str:
        return f"{self.plmn}/{self.eci:07x}"


Cgi = NrCgi | EutraCgi


def cgi_to_raw(cgi: Cgi) -> tuple[str, dict[str, Any]]:
    """E2SM CGI CHOICE (clause 6.2.2.x)."""
    return ("nR-CGI", cgi.to_raw()) if isinstance(cgi, NrCgi) else ("eUTRA-CGI", cgi.to_raw())


def cgi_from_raw(raw: tuple[str, dict[str, Any]]) -> Cgi:
    name, value = raw
    return NrCgi.from_raw(value) if name == "nR-CGI" else EutraCgi.from_raw(value)


@dataclass(frozen=True)
class Guami:
    """GUAMI (TS 38.413 9.3.3.3): PLMN, AMF region (8 bits), AMF set (10 bits), AMF pointer (6 bits)."""

    plmn: Plmn
    amf_region_id: int
    amf_set_id: int
    amf_pointer: int

    def to_raw(self) -> dict[str, Any]:
        return {
            "pLMNIdentity": self.plmn.to_bytes(),
            "aMFRegionID": int_to_bits(self.amf_region_id, 8),
            "aMFSetID": int_to_bits(self.amf_set_id, 10),
            "aMFPointer": int_to_bits(self.amf_pointer, 6),
        }

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Guami:
        return cls(
            Plmn.from_bytes(raw["pLMNIdentity"]),
            bits_to_int(raw["aMFRegionID"]),
            bits_to_int(raw["aMFSetID"]),
            bits_to_int(raw["aMFPointer"]),
        )


@dataclass(frozen=True)
class GnbUeId:
    """UEID gNB-UEID (E2SM clause 6.2.2.6): AMF UE NGAP ID + GUAMI, optionally the CU's F1AP / E1AP IDs.

    Members ranpilot does not use (XnAP ID, global node IDs) are dropped by the typed view; ``decode_raw`` keeps
    them.
    """

    amf_ue_ngap_id: int
    guami: Guami
    f1ap_ids: tuple[int, ...] = ()
    e1ap_ids: tuple[int, ...] = ()
    ran_ue_id: bytes | None = None

    def to_raw(self) -> tuple[str, dict[str, Any]]:
        raw: dict[str, Any] = {"amf-UE-NGAP-ID": self.amf_ue_ngap_id, "guami": self.guami.to_raw()}
        if self.f1ap_ids:
            raw["gNB-CU-UE-F1AP-ID-List"] = [{"gNB-CU-UE-F1AP-ID": i} for i in self.f1ap_ids]
        if self.e1ap_ids:
            raw["gNB-CU-CP-UE-E1AP-ID-List"] = [{"gNB-CU-CP-UE-E1AP-ID": i} for i in self.e1ap_ids]
        if self.ran_ue_id is not None:
            raw["ran-UEID"] = self.ran_ue_id
        return ("gNB-UEID", raw)

    def __str__(self) -> str:
        return f"gnb-ue:{self.amf_ue_ngap_id}"


@dataclass(frozen=True)
class GnbDuUeId:
    """UEID gNB-DU-UEID (clause 6.2.2.6): the gNB-CU UE F1AP ID as seen by a DU."""

    f1ap_id: int
    ran_ue_id: bytes | None = None

    def to_raw(self) -> tuple[str, dict[str, Any]]:
        raw: dict[str, Any] = {"gNB-CU-UE-F1AP-ID": self.f1ap_id}
        if self.ran_ue_id is not None:
            raw["ran-UEID"] = self.ran_ue_id
        return ("gNB-DU-UEID", raw)

    def __str__(self) -> str:
        return f"du-ue:{self.f1ap_id}"


@dataclass(frozen=True)
class GnbCuUpUeId:
    """UEID gNB-CU-UP-UEID (clause 6.2.2.6): the gNB-CU-CP UE E1AP ID as seen by a CU-UP."""

    e1ap_id: int
    ran_ue_id: bytes | None = None

    def to_raw(self) -> tuple[str, dict[str, Any]]:
        raw: dict[str, Any] = {"gNB-CU-CP-UE-E1AP-ID": self.e1ap_id}
        if self.ran_ue_id is not None:
            raw["ran-UEID"] = self.ran_ue_id
        return ("gNB-CU-UP-UEID", raw)

    def __str__(self) -> str:
        return f"cuup-ue:{self.e1ap_id}"


@dataclass(frozen=True, eq=False)
class RawUeId:
    """Any other UEID alternative (ng-eNB, en-gNB, eNB...), kept as the raw asn1tools value (lossless)."""

    alternative: str
    value: Any

    def to_raw(self) -> tuple[str, Any]:
        return (self.alternative, self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawUeId) and (self.alternative, self.value) == (
            other.alternative,
            other.value,
        )

    def __hash__(self) -> int:
        return hash((self.alternative, repr(self.value)))

    def __str__(self) -> str:
        return f"{self.alternative}:{self.value!r}"


UeId = GnbUeId | GnbDuUeId | GnbCuUpUeId | RawUeId


def ue_id_from_raw(raw: tuple[str, Any]) -> UeId:
    """Typed view of a UEID CHOICE value."""
    name, value = raw
    if name == "gNB-UEID":
        return GnbUeId(
            value["amf-UE-NGAP-ID"],
            Guami.from_raw(value["guami"]),
            tuple(i["gNB-CU-UE-F1AP-ID"] for i in value.get("gNB-CU-UE-F1AP-ID-List", ())),
            tuple(i["gNB-CU-CP-UE-E1AP-ID"] for i in value.get("gNB-CU-CP-UE-E1AP-ID-List", ())),
            value.get("ran-UEID"),
        )
    if name == "gNB-DU-UEID":
        return GnbDuUeId(value["gNB-CU-UE-F1AP-ID"], value.get("ran-UEID"))
    if name == "gNB-CU-UP-UEID":
        return GnbCuUpUeId(value["gNB-CU-CP-UE-E1AP-ID"], value.get("ran-UEID"))
    return RawUeId(name, value)


@dataclass(frozen=True)
class RanFunctionName:
    """RANfunction-Name (E2SM clause 6.2.2.1): short name, E2SM OID, description and optional instance."""

    short_name: str
    oid: str
    description: str
    instance: int | None = None

    def to_raw(self) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "ranFunction-ShortName": self.short_name,
            "ranFunction-E2SM-OID": self.oid,
            "ranFunction-Description": self.description,
        }
        if self.instance is not None:
            raw["ranFunction-Instance"] = self.instance
        return raw

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> RanFunctionName:
        return cls(
            raw["ranFunction-ShortName"],
            raw["ranFunction-E2SM-OID"],
            raw["ranFunction-Description"],
            raw.get("ranFunction-Instance"),
        )


@dataclass(frozen=True)
class SliceQuota:
    """PRB quota of one slice (TS 28.541 RRMPolicyRatio: min / max / dedicated ratio in percent, 0..100).

    Carried by E2SM-RC (8.4.3.6 RRM Policy Ratio Group) and by E2SM-CCC (O-RRMPolicyRatio)."""

    plmn: Plmn
    slice: Snssai
    min_ratio: int
    max_ratio: int
    dedicated_ratio: int

    def validate(self) -> None:
        for name in ("min_ratio", "max_ratio", "dedicated_ratio"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise ValidationError(
                    f"{name} must be an integer 0..100, got {value!r}", where=f"slice {self.slice}"
                )
