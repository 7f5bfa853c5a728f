"""The two E2SM-RC controls ranpilot uses, built from and parsed into plain values.

* Style 2 "Radio Resource Allocation Control", action 6 "Slice-level PRB quota" (E2SM-RC clause 8.4.3.6):
  RAN parameters of the RRM Policy Ratio List (TS 28.541 RRMPolicyRatio semantics)::

      1 RRM Policy Ratio List (LIST)
        2 RRM Policy Ratio Group (STRUCTURE)
          3 RRM Policy (STRUCTURE)
            4 RRM Policy Member List (LIST)
              5 RRM Policy Member (STRUCTURE)
                6 PLMN Identity (ELEMENT, OCTET STRING 3)
                7 S-NSSAI (STRUCTURE)
                  8 SST (ELEMENT, OCTET STRING 1)
                  9 SD (ELEMENT, OCTET STRING 3, optional)
          10 Min PRB Policy Ratio (ELEMENT, INTEGER 0..100)
          11 Max PRB Policy Ratio (ELEMENT, INTEGER 0..100)
          12 Dedicated PRB Policy Ratio (ELEMENT, INTEGER 0..100)

* Style 3 "Connected Mode Mobility Control", action 1 "Handover Control" (clause 8.4.4.1)::

      1 Target Primary Cell ID (STRUCTURE)
        2 CHOICE Target Cell (STRUCTURE)
          3 NR Cell (STRUCTURE)
            4 NR CGI (ELEMENT)
          5 E-UTRA Cell (STRUCTURE)
            6 E-UTRA CGI (ELEMENT)

  RANParameter-Value has no SEQUENCE alternative, so the NR CGI element carries ``valueOctS`` = the 3-octet PLMN
  identity followed by the 36-bit NR cell identity left-aligned in 5 octets (NR-CGI's fields, in order). The
  parser also accepts ``valueBitS`` of 60 bits (PLMN + NCI) or 64 bits (the same 8 octets), as sent by some
  nodes and xApps.

The E2SM-RC control header always names a UE; for the cell/slice-level PRB quota there is none, so callers pass
the UE ID their node expects (``slice_prb_quota_control`` defaults to AMF UE NGAP ID 0 with an all-zero GUAMI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from e2.errors import ValidationError
from e2.sm.common import GnbUeId, Guami, NrCgi, Plmn, SliceQuota, Snssai, UeId, bits_to_int
from e2.sm.rc.types import (
    BitString,
    ControlAction,
    ControlStyle,
    Element,
    ParamDef,
    ParamList,
    RanParameter,
    RcControlHeader,
    RcControlMessage,
    Structure,
)

__all__ = [
    "HANDOVER_ACTION",
    "HANDOVER_STYLE",
    "SLICE_PRB_QUOTA_ACTION",
    "SLICE_PRB_QUOTA_STYLE",
    "HandoverParam",
    "SlicePrbQuotaParam",
    "SliceQuota",
    "control_styles",
    "handover_control",
    "parse_handover",
    "parse_slice_prb_quota",
    "slice_prb_quota_control",
]

SLICE_PRB_QUOTA_STYLE = 2  # clause 7.6.3 Radio Resource Allocation Control
SLICE_PRB_QUOTA_ACTION = 6  # clause 7.6.3.1 / 8.4.3.6 Slice-level PRB quota
HANDOVER_STYLE = 3  # clause 7.6.4 Connected Mode Mobility Control
HANDOVER_ACTION = 1  # clause 7.6.4.1 / 8.4.4.1 Handover Control


class SlicePrbQuotaParam:
    """RAN parameter IDs of E2SM-RC clause 8.4.3.6."""

    RRM_POLICY_RATIO_LIST = 1
    RRM_POLICY_RATIO_GROUP = 2
    RRM_POLICY = 3
    RRM_POLICY_MEMBER_LIST = 4
    RRM_POLICY_MEMBER = 5
    PLMN_IDENTITY = 6
    S_NSSAI = 7
    SST = 8
    SD = 9
    MIN_PRB_POLICY_RATIO = 10
    MAX_PRB_POLICY_RATIO = 11
    DEDICATED_PRB_POLICY_RATIO = 12


class HandoverParam:
    """RAN parameter IDs of E2SM-RC clause 8.4.4.1."""

    TARGET_PRIMARY_CELL_ID = 1
    CHOICE_TARGET_CELL = 2
    NR_CELL = 3
    NR_CGI = 4
    EUTRA_CELL = 5
    EUTRA_CGI = 6


P = SlicePrbQuotaParam
H = HandoverParam


def _group(q: SliceQuota) -> Structure:
    q.validate()
    snssai = [RanParameter(P.SST, Element(q.slice.sst.to_bytes(1, "big")))]
    if q.slice.sd is not None:
        snssai.append(RanParameter(P.SD, Element(q.slice.sd.to_bytes(3, "big"))))
    member = Structure(
        (
            RanParameter(P.PLMN_IDENTITY, Element(q.plmn.to_bytes())),
            RanParameter(P.S_NSSAI, Structure(tuple(snssai))),
        )
    )
    policy = Structure((RanParameter(P.RRM_POLICY_MEMBER_LIST, ParamList((member,))),))
    return Structure(
        (
            RanParameter(P.RRM_POLICY, policy),
            RanParameter(P.MIN_PRB_POLICY_RATIO, Element(q.min_ratio)),
            RanParameter(P.MAX_PRB_POLICY_RATIO, Element(q.max_ratio)),
            RanParameter(P.DEDICATED_PRB_POLICY_RATIO, Element(q.dedicated_ratio)),
        )
    )


def _default_ue(plmn: Plmn) -> GnbUeId:
    return GnbUeId(0, Guami(plmn, 0, 0, 0))


def slice_prb_quota_control(
    quotas: Sequence[SliceQuota], ue: UeId | None = None
) -> tuple[RcControlHeader, RcControlMessage]:
    """Header + message of a style-2 action-6 control setting the PRB quotas of the given slices."""
    if not quotas:
        raise ValidationError(
            "a slice-level PRB quota control needs at least one slice", where="E2SM-RC 8.4.3.6"
        )
    header = RcControlHeader(ue or _default_ue(quotas[0].plmn), SLICE_PRB_QUOTA_STYLE, SLICE_PRB_QUOTA_ACTION)
    message = RcControlMessage(
        (RanParameter(P.RRM_POLICY_RATIO_LIST, ParamList(tuple(_group(q) for q in quotas))),)
    )
    return header, message


def _element(structure: Structure, param_id: int, where: str) -> object:
    param = structure.get(param_id)
    if param is None or not isinstance(param.value, Element) or param.value.value is None:
        raise ValidationError(f"RAN parameter {param_id} missing or not an element with a value", where=where)
    return param.value.value


def _child(structure: Structure, param_id: int, kind: type, where: str) -> Any:
    param = structure.get(param_id)
    if param is None or not isinstance(param.value, kind):
        raise ValidationError(f"RAN parameter {param_id} missing or not a {kind.__name__}", where=where)
    return param.value


def parse_slice_prb_quota(message: RcControlMessage) -> list[SliceQuota]:
    """The slice quotas of a style-2 action-6 control message (one per RRM Policy Member of each group)."""
    where = "E2SM-RC 8.4.3.6"
    top = _child(Structure(message.params), P.RRM_POLICY_RATIO_LIST, ParamList, where)
    quotas: list[SliceQuota] = []
    for group in top.items:
        ratios = [
            _element(group, pid, where)
            for pid in (P.MIN_PRB_POLICY_RATIO, P.MAX_PRB_POLICY_RATIO, P.DEDICATED_PRB_POLICY_RATIO)
        ]
        policy = _child(group, P.RRM_POLICY, Structure, where)
        members = _child(policy, P.RRM_POLICY_MEMBER_LIST, ParamList, where)
        for member in members.items:
            plmn = _element(member, P.PLMN_IDENTITY, where)
            snssai = _child(member, P.S_NSSAI, Structure, where)
            sst = _element(snssai, P.SST, where)
            sd_param = snssai.get(P.SD)
            sd = (
                sd_param.value.value if sd_param is not None and isinstance(sd_param.value, Element) else None
            )
            if (
                not isinstance(plmn, bytes)
                or not isinstance(sst, bytes)
                or not (sd is None or isinstance(sd, bytes))
            ):
                raise ValidationError("PLMN Identity, SST and SD must be OCTET STRINGs", where=where)
            quota = SliceQuota(
                Plmn.from_bytes(plmn),
                Snssai(int.from_bytes(sst, "big"), None if sd is None else int.from_bytes(sd, "big")),
                *ratios,  # type: ignore[arg-type]
            )
            quota.validate()
            quotas.append(quota)
    return quotas


def _nr_cgi_value(cgi: NrCgi) -> bytes:
    return cgi.plmn.to_bytes() + (cgi.nci << 4).to_bytes(5, "big")


def handover_control(ue: UeId, target: NrCgi) -> tuple[RcControlHeader, RcControlMessage]:
    """Header + message of a style-3 action-1 control handing ``ue`` over to the NR cell ``target``."""
    nr_cell = Structure((RanParameter(H.NR_CGI, Element(_nr_cgi_value(target))),))
    choice = Structure((RanParameter(H.NR_CELL, nr_cell),))
    target_cell = Structure((RanParameter(H.CHOICE_TARGET_CELL, choice),))
    return (
        RcControlHeader(ue, HANDOVER_STYLE, HANDOVER_ACTION),
        RcControlMessage((RanParameter(H.TARGET_PRIMARY_CELL_ID, target_cell),)),
    )


def parse_handover(message: RcControlMessage) -> NrCgi:
    """The NR target cell of a style-3 action-1 control message."""
    where = "E2SM-RC 8.4.4.1"
    target = _child(Structure(message.params), H.TARGET_PRIMARY_CELL_ID, Structure, where)
    choice = _child(target, H.CHOICE_TARGET_CELL, Structure, where)
    nr_cell = _child(choice, H.NR_CELL, Structure, where)
    value = _element(nr_cell, H.NR_CGI, where)
    if isinstance(value, BitString) and value.nbits == 64:
        value = value.data
    if isinstance(value, bytes) and len(value) == 8:
        return NrCgi(Plmn.from_bytes(value[:3]), int.from_bytes(value[3:], "big") >> 4)
    if isinstance(value, BitString) and value.nbits == 60:
        number = bits_to_int((value.data, value.nbits))
        return NrCgi(Plmn.from_bytes((number >> 36).to_bytes(3, "big")), number & ((1 << 36) - 1))
    raise ValidationError(f"NR CGI value {value!r} is neither 8 octets nor 60 bits", where=where)


def control_styles() -> tuple[ControlStyle, ...]:
    """The CONTROL part of the RAN function definition of a node supporting both controls (for e2sim)."""
    member = ParamDef(
        P.RRM_POLICY_MEMBER,
        "RRM Policy Member",
        "STRUCTURE",
        (
            ParamDef(P.PLMN_IDENTITY, "PLMN Identity"),
            ParamDef(P.S_NSSAI, "S-NSSAI", "STRUCTURE", (ParamDef(P.SST, "SST"), ParamDef(P.SD, "SD"))),
        ),
    )
    group = ParamDef(
        P.RRM_POLICY_RATIO_GROUP,
        "RRM Policy Ratio Group",
        "STRUCTURE",
        (
            ParamDef(
                P.RRM_POLICY,
                "RRM Policy",
                "STRUCTURE",
                (ParamDef(P.RRM_POLICY_MEMBER_LIST, "RRM Policy Member List", "LIST", (member,)),),
            ),
            ParamDef(P.MIN_PRB_POLICY_RATIO, "Min PRB Policy Ratio"),
            ParamDef(P.MAX_PRB_POLICY_RATIO, "Max PRB Policy Ratio"),
            ParamDef(P.DEDICATED_PRB_POLICY_RATIO, "Dedicated PRB Policy Ratio"),
        ),
    )
    quota = ControlAction(
        SLICE_PRB_QUOTA_ACTION,
        "Slice-level PRB quota",
        (ParamDef(P.RRM_POLICY_RATIO_LIST, "RRM Policy Ratio List", "LIST", (group,)),),
    )
    handover = ControlAction(
        HANDOVER_ACTION,
        "Handover Control",
        (
            ParamDef(
                H.TARGET_PRIMARY_CELL_ID,
                "Target Primary Cell ID",
                "STRUCTURE",
                (
                    ParamDef(
                        H.CHOICE_TARGET_CELL,
                        "CHOICE Target Cell",
                        "STRUCTURE",
                        (
                            ParamDef(H.NR_CELL, "NR Cell", "STRUCTURE", (ParamDef(H.NR_CGI, "NR CGI"),)),
                            ParamDef(
                                H.EUTRA_CELL,
                                "E-UTRA Cell",
                                "STRUCTURE",
                                (ParamDef(H.EUTRA_CGI, "E-UTRA CGI"),),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )
    return (
        ControlStyle(SLICE_PRB_QUOTA_STYLE, "Radio Resource Allocation Control", (quota,)),
        ControlStyle(HANDOVER_STYLE, "Connected Mode Mobility Control", (handover,)),
    )
