"""RIC Control of one gNB carried out on the simulator (E2AP 8.2.4; E2SM-RC v01.03; E2SM-CCC).

* E2SM-RC style 2 action 6 "slice-level PRB quota" (8.4.3.6): the RRM Policy Ratio groups become the TS 28.541
  RRMPolicyRatio of every cell of the gNB (the RC header names no cell), applied atomically - all slices or none.
* E2SM-RC style 3 action 1 "handover control" (8.4.4.1): the UE of the header is handed over to the target NR
  cell; the simulator decides on radio conditions (target SINR), so it can fail like a real handover.
* E2SM-CCC style 2 (cell configuration control): ``O-NRCellDU.administrativeState`` LOCKED/UNLOCKED switches a
  cell off/on (waking takes the power model's transition time), ``O-CESManagementFunction.energySavingControl``
  puts the cell into the vendor's sleep state or wakes it, ``O-RRMPolicyRatio`` sets one cell's slice quotas.
  Each change is accepted or failed on its own (outcome format 2); a control none of whose changes applied is
  a Control Failure.

Every function returns :class:`ControlResult`: success with the encoded outcome, or a failure cause (E2AP 9.2.4)
with an optional outcome and a reason for logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from e2 import ap
from e2.errors import E2Error
from e2.sm import PayloadKind, ServiceModel
from e2.sm.ccc import (
    O_CES_MANAGEMENT_FUNCTION,
    O_NRCELLDU,
    O_RRM_POLICY_RATIO,
    AcceptedChange,
    CccControlMessage,
    CccControlOutcome,
    CellOutcome,
    ConfigurationChange,
    FailedChange,
    rrm_policy_requests,
)
from e2.sm.common import NrCgi, SliceQuota
from e2.sm.rc import (
    HANDOVER_ACTION,
    HANDOVER_STYLE,
    SLICE_PRB_QUOTA_ACTION,
    SLICE_PRB_QUOTA_STYLE,
    HandoverParam,
    OutcomeParameter,
    ParamDef,
    RcControlOutcome,
    SlicePrbQuotaParam,
    control_styles,
    parse_handover,
    parse_slice_prb_quota,
)
from e2sim.node.ran import GnbSpec, RanContext
from e2sim.sim.energy import STATE_NAMES

__all__ = ["ControlResult", "ccc_control", "rc_control", "rc_control_styles"]

OFF = STATE_NAMES.index("off")


@dataclass(frozen=True)
class ControlResult:
    ok: bool
    outcome: bytes | None = None
    cause: ap.Cause | None = None
    reason: str = ""


def _fail(value: str, reason: str, outcome: bytes | None = None) -> ControlResult:
    return ControlResult(False, outcome, ap.Cause("ricRequest", value), reason)


def rc_control_styles() -> tuple[Any, ...]:
    """The RC CONTROL styles this node advertises, with the outcome parameters its acknowledgements carry."""
    styles = []
    for s in control_styles():
        if s.style == SLICE_PRB_QUOTA_STYLE:
            outcome = tuple(ParamDef(p, n) for p, n in ((SlicePrbQuotaParam.MIN_PRB_POLICY_RATIO, "Min PRB Policy Ratio"),
                                                         (SlicePrbQuotaParam.MAX_PRB_POLICY_RATIO, "Max PRB Policy Ratio"),
                                                         (SlicePrbQuotaParam.DEDICATED_PRB_POLICY_RATIO,
                                                          "Dedicated PRB Policy Ratio")))
        else:
            outcome = (ParamDef(HandoverParam.NR_CGI, "NR CGI"),)
        styles.append(replace(s, outcome_params=outcome))
    return tuple(styles)


# ---------------------------------------------------------------------------------------------------------------
# E2SM-RC
# ---------------------------------------------------------------------------------------------------------------
def rc_control(ctx: RanContext, gnb: GnbSpec, model: ServiceModel, header: bytes, message: bytes) -> ControlResult:
    try:
        h = model.decode(PayloadKind.CONTROL_HEADER, header)
        msg = model.decode(PayloadKind.CONTROL_MESSAGE, message)
    except E2Error as exc:
        return _fail("control-message-invalid", f"RC control does not decode: {exc}")
    if (h.style, h.action) == (SLICE_PRB_QUOTA_STYLE, SLICE_PRB_QUOTA_ACTION):
        try:
            quotas = parse_slice_prb_quota(msg)
        except E2Error as exc:
            return _fail("control-message-invalid", str(exc))
        return _apply_quotas(ctx, gnb, model, {c: quotas for c in gnb.cells})
    if (h.style, h.action) == (HANDOVER_STYLE, HANDOVER_ACTION):
        try:
            target = parse_handover(msg)
        except E2Error as exc:
            return _fail("control-message-invalid", str(exc))
        return _handover(ctx, gnb, model, h.ue, target)
    return _fail("action-not-supported", f"RC style {h.style} action {h.action} is not supported")


def _handover(ctx: RanContext, gnb: GnbSpec, model: ServiceModel, ue_id: Any, target: NrCgi) -> ControlResult:
    sim, b = ctx.sim, gnb.b
    u = ctx.ue_index(ue_id)
    if u is None or int(sim.serving[b, u]) not in gnb.cells:
        return _fail("requested-information-unavailable", f"UE {ue_id} is not connected to {gnb.name}")
    found = ctx.find_cell(target)
    if found is None or found[0] != b:
        return _fail("control-message-invalid", f"target cell {target} is not a cell of this RAN")
    tgt = found[1]
    src = int(sim.serving[b, u])
    if tgt == src:
        return _fail("control-message-invalid", f"UE {u} is already served by {target}")
    if int(sim.cell_state[b, tgt]) != 0 or float(sim.wake_rem_ms[b, tgt]) > 0.0:  # asleep or still waking
        return _fail("control-failed-to-execute", f"target cell {target} is not on air")
    if not sim.handover(b, u, tgt):
        return _fail("control-failed-to-execute", f"handover of UE {u} to {target} failed (target SINR too low; "
                                                  "the UE re-establishes)")
    value = target.plmn.to_bytes() + (target.nci << 4).to_bytes(5, "big")
    return ControlResult(True, model.encode(RcControlOutcome((OutcomeParameter(HandoverParam.NR_CGI, value),))))


def _apply_quotas(ctx: RanContext, gnb: GnbSpec, model: ServiceModel | None,
                  per_cell: dict[int, list[SliceQuota]]) -> ControlResult:
    """Set RRMPolicyRatios of several cells at once (the simulator validates TS 28.541 rules on the whole)."""
    sim, b = ctx.sim, gnb.b
    mn, mx, dd = sim.rrm_min.copy(), sim.rrm_max.copy(), sim.rrm_ded.copy()
    for cell, quotas in per_cell.items():
        for q in quotas:
            k = ctx.slice_index(q.slice)
            if q.plmn != ctx.plmn or k is None:
                return _fail("control-message-invalid", f"no slice {q.plmn}/{q.slice} in this RAN")
            mn[b, cell, k], mx[b, cell, k], dd[b, cell, k] = q.min_ratio, q.max_ratio, q.dedicated_ratio
    try:
        sim.set_rrm_policy_array(mn, mx, dd)
    except ValueError as exc:
        return _fail("control-message-invalid" if "requires" in str(exc) else "control-failed-to-execute", str(exc))
    if model is None:
        return ControlResult(True)
    first = next(iter(per_cell.values()))
    params = tuple(OutcomeParameter(pid, v) for q in first for pid, v in (
        (SlicePrbQuotaParam.MIN_PRB_POLICY_RATIO, q.min_ratio), (SlicePrbQuotaParam.MAX_PRB_POLICY_RATIO, q.max_ratio),
        (SlicePrbQuotaParam.DEDICATED_PRB_POLICY_RATIO, q.dedicated_ratio)))
    return ControlResult(True, model.encode(RcControlOutcome(params)))


# ---------------------------------------------------------------------------------------------------------------
# E2SM-CCC
# ---------------------------------------------------------------------------------------------------------------
def _admin_state(level: int) -> str:
    return "LOCKED" if level == OFF else "UNLOCKED"


def _es_control(level: int) -> str:
    return "toBeEnergySaving" if 0 < level < OFF else "toBeNotEnergySaving"


def ccc_control(ctx: RanContext, gnb: GnbSpec, model: ServiceModel, header: bytes, message: bytes) -> ControlResult:
    try:
        h = model.decode(PayloadKind.CONTROL_HEADER, header)
        msg: CccControlMessage = model.decode(PayloadKind.CONTROL_MESSAGE, message)
    except E2Error as exc:
        return _fail("control-message-invalid", f"CCC control does not decode: {exc}")
    if h.style != 2 or not msg.cells:
        return _fail("action-not-supported", f"CCC style {h.style} (only style 2, cell-level format 2)")
    try:
        quotas = rrm_policy_requests(msg)
    except E2Error as exc:
        return _fail("control-message-invalid", str(exc))
    stamp = f"{ctx.unix_time(float(ctx.sim.time_s[gnb.b])):.3f}"
    outcomes, applied = [], 0
    for cell in msg.cells:
        accepted: list[AcceptedChange] = []
        failed: list[FailedChange] = []
        i = gnb.cell_index(cell.cell)
        for change in cell.changes:
            if i is None:
                failed.append(FailedChange(change.structure, "SEMANTIC_ERROR", change.new, change.old))
                continue
            result = _ccc_change(ctx, gnb, gnb.cells[i], change, quotas.get(cell.cell, []), stamp)
            (accepted if isinstance(result, AcceptedChange) else failed).append(result)  # type: ignore[arg-type]
        applied += len(accepted)
        outcomes.append(CellOutcome(cell.cell, tuple(accepted), tuple(failed)))
    outcome = CccControlOutcome(tuple(outcomes), stamp)
    data = model.encode(outcome)
    if not gnb.profile.ccc_outcome_wrapper:  # vendor quirk: the format object without its wrapper
        data = json.dumps(json.loads(data)["controlOutcomeFormat"], separators=(",", ":")).encode()
    if applied == 0:
        return _fail("control-failed-to-execute", "no configuration change could be applied", data)
    return ControlResult(True, data)


def _ccc_change(ctx: RanContext, gnb: GnbSpec, cell: int, change: ConfigurationChange, quotas: list[SliceQuota],
                stamp: str) -> AcceptedChange | FailedChange:
    sim, b = ctx.sim, gnb.b
    level = int(sim.cell_state[b, cell])

    def failed(cause: str) -> FailedChange:
        return FailedChange(change.structure, cause, change.new, change.old)

    if change.structure == O_NRCELLDU:
        if set(change.new) != {"administrativeState"} or change.new["administrativeState"] not in ("LOCKED",
                                                                                                 "UNLOCKED"):
            return failed("NOT_SUPPORTED")
        current = {"administrativeState": _admin_state(level)}
        if change.old is not None and change.old != current:
            return failed("INCOMPATIBLE_STATE")
        sim.set_cell_state(b, cell, "off" if change.new["administrativeState"] == "LOCKED" else "active")
        return AcceptedChange(change.structure, dict(change.new), current, stamp)
    if change.structure == O_CES_MANAGEMENT_FUNCTION:
        value = change.new.get("energySavingControl")
        if set(change.new) != {"energySavingControl"} or value not in ("toBeEnergySaving", "toBeNotEnergySaving"):
            return failed("NOT_SUPPORTED")
        current = {"energySavingControl": _es_control(level)}
        if change.old is not None and change.old != current:
            return failed("INCOMPATIBLE_STATE")
        if level == OFF:  # a locked cell has to be unlocked first (TS 28.625 state model)
            return failed("INCOMPATIBLE_STATE")
        sim.set_cell_state(b, cell, gnb.profile.energy_saving_state if value == "toBeEnergySaving" else "active")
        return AcceptedChange(change.structure, {"energySavingControl": value,
                                                 "energySavingState": "isEnergySaving" if value == "toBeEnergySaving"
                                                 else "isNotEnergySaving"}, current, stamp)
    if change.structure == O_RRM_POLICY_RATIO:
        if not quotas:
            return failed("SEMANTIC_ERROR")
        mine = [q for q in quotas if _policy_matches(change, q)]
        result = _apply_quotas(ctx, gnb, None, {cell: mine})
        if not result.ok:
            return failed("SEMANTIC_ERROR")
        return AcceptedChange(change.structure, dict(change.new), None, stamp)
    return failed("NOT_SUPPORTED")


def _policy_matches(change: ConfigurationChange, q: SliceQuota) -> bool:
    """Whether the quota ``q`` (parsed from the whole message) came from this O-RRMPolicyRatio change."""
    v = change.new
    if (v.get("rRMPolicyMinRatio"), v.get("rRMPolicyMaxRatio"), v.get("rRMPolicyDedicatedRatio")) != \
            (q.min_ratio, q.max_ratio, q.dedicated_ratio):
        return False
    for member in v.get("rRMPolicyMemberList", ()):
        snssai = member.get("snssai", {})
        sd = snssai.get("sd")
        if snssai.get("sst") == q.slice.sst and (None if sd is None else int(sd, 16)) == q.slice.sd:
            return True
    return False

