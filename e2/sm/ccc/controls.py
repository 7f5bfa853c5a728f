"""The E2SM-CCC cell-level controls ranpilot uses (style 2, header format 1, message format 2), both directions.

* switch a cell off / on: ``O-NRCellDU.administrativeState`` LOCKED / UNLOCKED (TS 28.541, 28.625 state model)
* energy saving: ``O-CESManagementFunction.energySavingControl`` toBeEnergySaving / toBeNotEnergySaving
* PRB quotas per slice: ``O-RRMPolicyRatio`` (rRMPolicyMemberList, rRMPolicyMin/Max/DedicatedRatio) - what real
  gNBs accept for slice PRB quotas over CCC; one structure per slice.

xApps build controls here; e2sim reads them with the ``*_requests`` functions and answers with
:func:`accept_all`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from e2.errors import ValidationError
from e2.sm.ccc.model import CCC_SHORT_NAME, CccV3_00
from e2.sm.ccc.types import (
    AcceptedChange,
    CccControlHeader,
    CccControlMessage,
    CccControlOutcome,
    CccRanFunctionDefinition,
    CellControl,
    CellOutcome,
    CellStructures,
    ConfigurationChange,
    SupportedStructure,
)
from e2.sm.common import NrCgi, Plmn, RanFunctionName, SliceQuota, Snssai

__all__ = [
    "CELL_CONTROL_STYLE",
    "O_CES_MANAGEMENT_FUNCTION",
    "O_NRCELLDU",
    "O_RRM_POLICY_RATIO",
    "accept_all",
    "cell_control",
    "cell_power_requests",
    "energy_saving_control",
    "energy_saving_requests",
    "ran_function_definition",
    "rrm_policy_control",
    "rrm_policy_requests",
    "switch_cell_control",
]

CELL_CONTROL_STYLE = 2
O_NRCELLDU = "O-NRCellDU"
O_CES_MANAGEMENT_FUNCTION = "O-CESManagementFunction"
O_RRM_POLICY_RATIO = "O-RRMPolicyRatio"


def cell_control(
    cell: NrCgi, changes: Sequence[ConfigurationChange]
) -> tuple[CccControlHeader, CccControlMessage]:
    """Header + format-2 message applying ``changes`` to one cell."""
    return CccControlHeader(CELL_CONTROL_STYLE), CccControlMessage(cells=(CellControl(cell, tuple(changes)),))


def switch_cell_control(
    cell: NrCgi, on: bool, *, was_on: bool | None = None
) -> tuple[CccControlHeader, CccControlMessage]:
    """Switch ``cell`` on (UNLOCKED) or off (LOCKED). ``oldValuesOfAttributes`` is mandatory: ``was_on``
    defaults to the opposite of ``on`` (switching on presumes the cell is off)."""
    was = (not on) if was_on is None else was_on
    change = ConfigurationChange(
        O_NRCELLDU,
        {"administrativeState": "UNLOCKED" if on else "LOCKED"},
        {"administrativeState": "UNLOCKED" if was else "LOCKED"},
    )
    return cell_control(cell, [change])


def energy_saving_control(
    cell: NrCgi, enable: bool, *, was_saving: bool | None = None
) -> tuple[CccControlHeader, CccControlMessage]:
    """Ask the cell to enter (or leave) energy saving; the old value is its energySavingState (``was_saving``,
    default: the opposite of the request)."""
    was = (not enable) if was_saving is None else was_saving
    change = ConfigurationChange(
        O_CES_MANAGEMENT_FUNCTION,
        {"energySavingControl": "toBeEnergySaving" if enable else "toBeNotEnergySaving"},
        {"energySavingState": "isEnergySaving" if was else "isNotEnergySaving"},
    )
    return cell_control(cell, [change])


def _policy(q: SliceQuota) -> dict:
    q.validate()
    snssai: dict = {"sst": q.slice.sst}
    if q.slice.sd is not None:
        snssai["sd"] = f"{q.slice.sd:06X}"
    return {
        "resourceType": "PRB",
        "rRMPolicyMemberList": [{"plmnId": {"mcc": q.plmn.mcc, "mnc": q.plmn.mnc}, "snssai": snssai}],
        "rRMPolicyMinRatio": q.min_ratio,
        "rRMPolicyMaxRatio": q.max_ratio,
        "rRMPolicyDedicatedRatio": q.dedicated_ratio,
    }


def rrm_policy_control(
    cell: NrCgi, quotas: Sequence[SliceQuota], previous: Sequence[SliceQuota] | None = None
) -> tuple[CccControlHeader, CccControlMessage]:
    """Set the PRB quotas of ``cell``'s slices, one O-RRMPolicyRatio per slice. ``previous`` (same slices, same
    order) fills the mandatory old values; without it the old values repeat the new ones (nothing to check)."""
    if not quotas:
        raise ValidationError("an O-RRMPolicyRatio control needs at least one slice", where="E2SM-CCC")
    before = list(previous) if previous is not None else list(quotas)
    if len(before) != len(quotas) or any(
        (a.plmn, a.slice) != (b.plmn, b.slice) for a, b in zip(before, quotas, strict=True)
    ):
        raise ValidationError("previous quotas must name the same slices in the same order", where="E2SM-CCC")
    changes = [
        ConfigurationChange(O_RRM_POLICY_RATIO, _policy(q), _policy(p))
        for q, p in zip(quotas, before, strict=True)
    ]
    return cell_control(cell, changes)


def _changes(message: CccControlMessage, structure: str) -> Iterable[tuple[NrCgi, ConfigurationChange]]:
    for cell in message.cells:
        for change in cell.changes:
            if change.structure == structure:
                yield cell.cell, change


def cell_power_requests(message: CccControlMessage) -> dict[NrCgi, bool]:
    """Cells whose administrativeState the message sets: True = switch on (UNLOCKED), False = off."""
    return {
        cell: change.new["administrativeState"] == "UNLOCKED"
        for cell, change in _changes(message, O_NRCELLDU)
        if "administrativeState" in change.new
    }


def energy_saving_requests(message: CccControlMessage) -> dict[NrCgi, bool]:
    """Cells asked to enter (True) or leave (False) energy saving."""
    return {
        cell: change.new["energySavingControl"] == "toBeEnergySaving"
        for cell, change in _changes(message, O_CES_MANAGEMENT_FUNCTION)
        if "energySavingControl" in change.new
    }


def rrm_policy_requests(message: CccControlMessage) -> dict[NrCgi, list[SliceQuota]]:
    """The slice PRB quotas per cell (one SliceQuota per policy member)."""
    out: dict[NrCgi, list[SliceQuota]] = {}
    for cell, change in _changes(message, O_RRM_POLICY_RATIO):
        v = change.new
        try:
            ratios = (v["rRMPolicyMinRatio"], v["rRMPolicyMaxRatio"], v["rRMPolicyDedicatedRatio"])
            for member in v["rRMPolicyMemberList"]:
                plmn, snssai = member["plmnId"], member["snssai"]
                sd = snssai.get("sd")
                quota = SliceQuota(
                    Plmn(plmn["mcc"], plmn["mnc"]),
                    Snssai(snssai["sst"], None if sd is None else int(sd, 16)),
                    *ratios,
                )
                quota.validate()
                out.setdefault(cell, []).append(quota)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                f"incomplete O-RRMPolicyRatio: {exc}", where=f"E2SM-CCC cell {cell}"
            ) from None
    return out


def accept_all(message: CccControlMessage, received_timestamp: str | None = None) -> CccControlOutcome:
    """The outcome of a node that applied every change of ``message`` (current values = requested)."""
    return CccControlOutcome(
        tuple(
            CellOutcome(c.cell, tuple(AcceptedChange(ch.structure, ch.new, ch.old) for ch in c.changes))
            for c in message.cells
        ),
        received_timestamp,
    )


def ran_function_definition(cells: Sequence[NrCgi], instance: int | None = None) -> CccRanFunctionDefinition:
    """A RAN function definition advertising the three cell-level structures above for ``cells`` (for e2sim)."""
    control = {"controlService": {"controlServiceStylesSupported": [CELL_CONTROL_STYLE]}}
    structures = (
        SupportedStructure(
            O_NRCELLDU, ("administrativeState", "cellState"), {"administrativeState": control}
        ),
        SupportedStructure(
            O_CES_MANAGEMENT_FUNCTION,
            ("energySavingControl", "energySavingState"),
            {"energySavingControl": control},
        ),
        SupportedStructure(
            O_RRM_POLICY_RATIO,
            (
                "resourceType",
                "rRMPolicyMemberList",
                "rRMPolicyMaxRatio",
                "rRMPolicyMinRatio",
                "rRMPolicyDedicatedRatio",
            ),
            {"rRMPolicyMaxRatio": control, "rRMPolicyMinRatio": control, "rRMPolicyDedicatedRatio": control},
        ),
    )
    return CccRanFunctionDefinition(
        RanFunctionName(CCC_SHORT_NAME, CccV3_00.oid, "Cell Configuration and Control", instance),
        tuple(CellStructures(c, structures) for c in cells),
    )
