"""Network identities carried by E2AP: PLMN identity (TBCD), gNB ID, NR cell identity / NR CGI.

* PLMN-Identity (E2AP 9.2.x, from 3GPP TS 38.413 9.3.3.5 / TS 24.008 10.5.1.3): 3 octets of TBCD digits,
  octet 1 = MCC2|MCC1, octet 2 = MNC3|MCC3 (MNC3 = 0xF for a 2-digit MNC), octet 3 = MNC2|MNC1.
* gNB ID: BIT STRING (SIZE(22..32)) (TS 38.413 9.3.1.6); NR Cell Identity: BIT STRING (SIZE(36)) whose
  leftmost gNB-ID-length bits are the gNB ID (TS 38.300 8.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from e2.errors import ValidationError

__all__ = ["Plmn", "NrCgi", "nr_cell_identity", "split_nr_cell_identity", "bits_from_int", "int_from_bits"]


@dataclass(frozen=True)
class Plmn:
    """A PLMN as MCC and MNC digit strings (MNC of 2 or 3 digits)."""

    mcc: str
    mnc: str

    def __post_init__(self) -> None:
        if len(self.mcc) != 3 or not self.mcc.isdigit():
            raise ValidationError(f"MCC must be 3 digits, got {self.mcc!r}", where="PLMN-Identity")
        if len(self.mnc) not in (2, 3) or not self.mnc.isdigit():
            raise ValidationError(f"MNC must be 2 or 3 digits, got {self.mnc!r}", where="PLMN-Identity")

    def encode(self) -> bytes:
        """The 3-octet TBCD PLMN-Identity."""
        d = [int(c) for c in self.mcc]
        m = [int(c) for c in self.mnc]
        mnc3 = m[2] if len(m) == 3 else 0xF
        return bytes(((d[1] << 4) | d[0], (mnc3 << 4) | d[2], (m[1] << 4) | m[0]))

    @classmethod
    def decode(cls, data: bytes) -> Plmn:
        """Parse a 3-octet TBCD PLMN-Identity."""
        if len(data) != 3:
            raise ValidationError(f"PLMN-Identity must be 3 octets, got {len(data)}", where="PLMN-Identity")
        nib = [data[0] & 0xF, data[0] >> 4, data[1] & 0xF, data[1] >> 4, data[2] & 0xF, data[2] >> 4]
        mcc = nib[0:3]
        mnc = [nib[4], nib[5]] + ([] if nib[3] == 0xF else [nib[3]])
        if max(mcc + mnc) > 9:
            raise ValidationError(f"PLMN-Identity {data.hex()} holds a non-decimal digit", where="PLMN-Identity")
        return cls("".join(map(str, mcc)), "".join(map(str, mnc)))

    def __str__(self) -> str:
        return f"{self.mcc}-{self.mnc}"


def bits_from_int(value: int, nbits: int) -> tuple[bytes, int]:
    """A BIT STRING value (asn1tools convention: left-aligned octets, bit count) holding ``value``."""
    if value < 0 or value >= (1 << nbits):
        raise ValidationError(f"{value} does not fit in {nbits} bits")
    k = (nbits + 7) // 8
    return (value << (8 * k - nbits)).to_bytes(k, "big"), nbits


def int_from_bits(bits: tuple[bytes, int]) -> int:
    """Inverse of :func:`bits_from_int`."""
    data, nbits = bits
    if nbits == 0:
        return 0
    return int.from_bytes(data, "big") >> (8 * len(data) - nbits)


def nr_cell_identity(gnb_id: int, gnb_id_bits: int, cell_local_id: int) -> tuple[bytes, int]:
    """The 36-bit NR Cell Identity of cell ``cell_local_id`` of gNB ``gnb_id`` (``gnb_id_bits`` 22..32)."""
    if not 22 <= gnb_id_bits <= 32:
        raise ValidationError(f"gNB ID length must be 22..32 bits, got {gnb_id_bits}")
    local_bits = 36 - gnb_id_bits
    if not 0 <= cell_local_id < (1 << local_bits):
        raise ValidationError(f"cell local id {cell_local_id} does not fit in {local_bits} bits")
    return bits_from_int((gnb_id << local_bits) | cell_local_id, 36)


def split_nr_cell_identity(nci: tuple[bytes, int], gnb_id_bits: int) -> tuple[int, int]:
    """(gNB ID, cell local id) of a 36-bit NR Cell Identity, given the gNB ID length."""
    value = int_from_bits(nci)
    local_bits = 36 - gnb_id_bits
    return value >> local_bits, value & ((1 << local_bits) - 1)


@dataclass(frozen=True)
class NrCgi:
    """NR Cell Global Identifier (TS 38.413 9.3.1.7; E2SM common IE NR-CGI): PLMN + 36-bit NR cell identity,
    kept as gNB ID (of ``gnb_id_bits``) + cell local id so that both halves stay readable."""

    plmn: Plmn
    gnb_id: int
    cell_local_id: int
    gnb_id_bits: int = 32

    def asn1(self) -> dict[str, object]:
        """The NR-CGI value in asn1tools conventions (``pLMNIdentity``, ``nRCellIdentity``)."""
        return {"pLMNIdentity": self.plmn.encode(),
                "nRCellIdentity": nr_cell_identity(self.gnb_id, self.gnb_id_bits, self.cell_local_id)}

    @classmethod
    def from_asn1(cls, value: dict[str, object], gnb_id_bits: int = 32) -> NrCgi:
        """Parse an NR-CGI value; the gNB ID length is not on the wire, so the caller says it (default 32)."""
        gnb_id, local = split_nr_cell_identity(value["nRCellIdentity"], gnb_id_bits)  # type: ignore[arg-type]
        return cls(Plmn.decode(value["pLMNIdentity"]), gnb_id, local, gnb_id_bits)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.plmn}/{self.gnb_id}:{self.cell_local_id}"
