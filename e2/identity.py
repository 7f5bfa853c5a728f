"""Network identities shared by E2AP and every E2SM: PLMN identity, BIT STRING numbers, NR cell identity.

* PLMN-Identity (TS 38.413 9.3.3.5, TBCD per TS 24.008 10.5.1.3): 3 octets, octet 1 = MCC2|MCC1,
  octet 2 = MNC3|MCC3 (MNC3 = 0xF for a 2-digit MNC), octet 3 = MNC2|MNC1.
* gNB ID: BIT STRING (SIZE(22..32)) (TS 38.413 9.3.1.6); NR Cell Identity: 36 bits whose leftmost
  gNB-ID-length bits are the gNB ID (TS 38.300 8.2).

BIT STRING values follow the asn1tools convention used by :mod:`e2.asn1`: ``(left-aligned octets, bit count)``.
This is the one place these are defined: ``e2.ap`` and ``e2.sm.common`` re-export them.
"""

from __future__ import annotations

from dataclasses import dataclass

from e2.errors import ValidationError

__all__ = ["Plmn", "bits_to_int", "int_to_bits", "nr_cell_identity", "split_nr_cell_identity"]


@dataclass(frozen=True)
class Plmn:
    """A PLMN as MCC and MNC digit strings (MNC of 2 or 3 digits); checked on construction."""

    mcc: str
    mnc: str

    def __post_init__(self) -> None:
        if len(self.mcc) != 3 or not self.mcc.isdigit():
            raise ValidationError(f"MCC must be 3 digits, got {self.mcc!r}", where="PLMN-Identity")
        if len(self.mnc) not in (2, 3) or not self.mnc.isdigit():
            raise ValidationError(f"MNC must be 2 or 3 digits, got {self.mnc!r}", where="PLMN-Identity")

    def to_bytes(self) -> bytes:
        """The 3-octet TBCD PLMN-Identity."""
        d = [int(c) for c in self.mcc]
        m = [int(c) for c in self.mnc]
        mnc3 = m[2] if len(m) == 3 else 0xF
        return bytes(((d[1] << 4) | d[0], (mnc3 << 4) | d[2], (m[1] << 4) | m[0]))

    @classmethod
    def from_bytes(cls, data: bytes) -> Plmn:
        """Parse a 3-octet TBCD PLMN-Identity; anything else is a ValidationError (an E2Error)."""
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


def int_to_bits(number: int, nbits: int) -> tuple[bytes, int]:
    """``number`` as a BIT STRING of exactly ``nbits`` bits (first bit = most significant)."""
    if number < 0 or number >= (1 << nbits):
        raise ValidationError(f"{number} does not fit in {nbits} bits")
    k = (nbits + 7) // 8
    return (number << (8 * k - nbits)).to_bytes(k, "big"), nbits


def bits_to_int(bits: tuple[bytes, int]) -> int:
    """Inverse of :func:`int_to_bits`."""
    data, nbits = bits
    if nbits == 0:
        return 0
    return int.from_bytes(data, "big") >> (8 * len(data) - nbits)


def nr_cell_identity(gnb_id: int, gnb_id_bits: int, cell_local_id: int) -> int:
    """The 36-bit NR Cell Identity of cell ``cell_local_id`` of gNB ``gnb_id`` (``gnb_id_bits`` 22..32)."""
    if not 22 <= gnb_id_bits <= 32:
        raise ValidationError(f"gNB ID length must be 22..32 bits, got {gnb_id_bits}")
    local_bits = 36 - gnb_id_bits
    if not 0 <= gnb_id < (1 << gnb_id_bits):
        raise ValidationError(f"gNB ID {gnb_id} does not fit in {gnb_id_bits} bits")
    if not 0 <= cell_local_id < (1 << local_bits):
        raise ValidationError(f"cell local id {cell_local_id} does not fit in {local_bits} bits")
    return (gnb_id << local_bits) | cell_local_id


def split_nr_cell_identity(nci: int, gnb_id_bits: int) -> tuple[int, int]:
    """(gNB ID, cell local id) of a 36-bit NR Cell Identity, given the gNB ID length."""
    local_bits = 36 - gnb_id_bits
    return nci >> local_bits, nci & ((1 << local_bits) - 1)
