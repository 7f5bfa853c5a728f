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
from datetime import UTC, datetime
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
def _cell_attributes(ctx: RanContext, b: int, cell: int, structure: str, slice_k: int | None = None) -> dict[str, Any]:
    """The current values of a cell's configuration structure (TS 28.541 attribute names)."""
    level = int(ctx.sim.cell_state[b, cell])
    if structure == O_NRCELLDU:
        return {"administrativeState": "LOCKED" if level == OFF else "UNLOCKED",
                "cellState": "ACTIVE" if level == 0 else "INACTIVE"}
    if structure == O_CES_MANAGEMENT_FUNCTION:
        saving = 0 < level < OFF
        return {"energySavingControl": "toBeEnergySaving" if saving else "toBeNotEnergySaving",
                "energySavingState": "isEnergySaving" if saving else "isNotEnergySaving"}
    assert slice_k is not None
    s = ctx.slices[slice_k]
    snssai: dict[str, Any] = {"sst": s.sst}
    if s.sd is not None:
        snssai["sd"] = f"{s.sd:06X}"
    sim = ctx.sim
    return {"resourceType": "PRB",
            "rRMPolicyMemberList": [{"plmnId": {"mcc": ctx.plmn.mcc, "mnc": ctx.plmn.mnc}, "snssai": snssai}],
            "rRMPolicyMinRatio": int(round(sim.rrm_min[b, cell, slice_k])),
            "rRMPolicyMaxRatio": int(round(sim.rrm_max[b, cell, slice_k])),
            "rRMPolicyDedicatedRatio": int(round(sim.rrm_ded[b, cell, slice_k]))}


def _subset(values: dict[str, Any], keys: Any) -> dict[str, Any]:
    return {k: values[k] for k in keys if k in values}


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
    stamp = datetime.fromtimestamp(ctx.unix_time(float(ctx.sim.time_s[gnb.b])), UTC).isoformat(
        timespec="milliseconds")  # simulated time, ISO 8601
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
    """Apply one configuration change. ``old`` must hold (CCC: the RIC states what it believes the values are),
    except where it merely repeats ``new`` (the RIC did not know them)."""
    sim, b = ctx.sim, gnb.b
    structure, new, old = change.structure, change.new, change.old or {}
    if structure not in (O_NRCELLDU, O_CES_MANAGEMENT_FUNCTION, O_RRM_POLICY_RATIO):
        return FailedChange(structure, "NOT_SUPPORTED", new, old)
    mine = [q for q in quotas if _policy_matches(change, q)] if structure == O_RRM_POLICY_RATIO else []
    k = ctx.slice_index(mine[0].slice) if mine else None
    if structure == O_RRM_POLICY_RATIO and k is None:
        return FailedChange(structure, "SEMANTIC_ERROR", new, old)
    before = _cell_attributes(ctx, b, cell, structure, k)

    def failed(cause: str) -> FailedChange:
        return FailedChange(structure, cause, new, _subset(before, new) or before)

    if old != new and any(key in before and before[key] != value for key, value in old.items()):
        return failed("INCOMPATIBLE_STATE")
    if structure == O_NRCELLDU:
        if set(new) != {"administrativeState"} or new["administrativeState"] not in ("LOCKED", "UNLOCKED"):
            return failed("NOT_SUPPORTED")
        sim.set_cell_state(b, cell, "off" if new["administrativeState"] == "LOCKED" else "active")
    elif structure == O_CES_MANAGEMENT_FUNCTION:
        value = new.get("energySavingControl")
        if set(new) != {"energySavingControl"} or value not in ("toBeEnergySaving", "toBeNotEnergySaving"):
            return failed("NOT_SUPPORTED")
        if before["energySavingControl"] == "toBeNotEnergySaving" and int(sim.cell_state[b, cell]) == OFF:
            return failed("INCOMPATIBLE_STATE")  # a locked cell is unlocked first (TS 28.625 state model)
        sim.set_cell_state(b, cell, gnb.profile.energy_saving_state if value == "toBeEnergySaving" else "active")
    else:
        if not _apply_quotas(ctx, gnb, None, {cell: mine}).ok:
            return failed("SEMANTIC_ERROR")
    after = _cell_attributes(ctx, b, cell, structure, k)
    return AcceptedChange(structure, after, _subset(before, after), stamp)


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

