"""E2SM-CCC: JSON payloads, schema refusals with JSON paths, outcome with/without wrapper, controls."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutate import assert_only

from e2.errors import DecodeError, E2Error, ValidationError
from e2.sm import PayloadKind, default_registry
from e2.sm.ccc import (
    AcceptedChange,
    CccControlHeader,
    CccControlMessage,
    CccControlOutcome,
    CellOutcome,
    ConfigurationChange,
    FailedChange,
    accept_all,
    cell_power_requests,
    energy_saving_control,
    energy_saving_requests,
    ran_function_definition,
    rrm_policy_control,
    rrm_policy_requests,
    switch_cell_control,
)
from e2.sm.common import NrCgi, Plmn, SliceQuota, Snssai

REG = default_registry()
CCC = REG.lookup(name="ccc")
PLMN = Plmn("001", "01")
CELL = NrCgi(PLMN, 0x00066C000)
CELL2 = NrCgi(Plmn("208", "095"), 0xFFFFFFFFF)


def samples() -> list[tuple[PayloadKind, object]]:
    off = switch_cell_control(CELL, False, was_on=True)[1]
    return [
        (PayloadKind.RAN_FUNCTION_DESCRIPTION, ran_function_definition([CELL, CELL2], instance=1)),
        (PayloadKind.CONTROL_HEADER, CccControlHeader(2)),
        (PayloadKind.CONTROL_MESSAGE, off),
        (PayloadKind.CONTROL_MESSAGE, energy_saving_control(CELL2, True)[1]),
        (
            PayloadKind.CONTROL_MESSAGE,
            rrm_policy_control(CELL, [SliceQuota(PLMN, Snssai(1, 0xABCDEF), 10, 60, 5)])[1],
        ),
        (
            PayloadKind.CONTROL_MESSAGE,
            CccControlMessage(node_changes=(ConfigurationChange("O-GNBDUFunction", {"x": 1}, {"x": 0}),)),
        ),
        (PayloadKind.CONTROL_OUTCOME, accept_all(off, "2026-12-03T17:00:00.000Z")),
        (
            PayloadKind.CONTROL_OUTCOME,
            CccControlOutcome(
                (
                    CellOutcome(
                        CELL2,
                        (
                            AcceptedChange(
                                "O-CESManagementFunction",
                                {"energySavingState": "isEnergySaving"},
                                {"energySavingState": "isNotEnergySaving"},
                                "2026-12-03T17:00:01.000Z",
                            ),
                        ),
                        (
                            FailedChange(
                                "O-NRCellDU",
                                "INCOMPATIBLE_STATE",
                                {"administrativeState": "LOCKED"},
                                {"administrativeState": "UNLOCKED"},
                            ),
                        ),
                    ),
                )
            ),
        ),
    ]


def test_identity_and_negotiation():
    assert (CCC.oid, CCC.short_name, CCC.cli_name) == ("1.3.6.1.4.1.53148.1.6.2.4", "ORAN-E2SM-CCC", "ccc")
    assert REG.negotiate("1.3.6.1.4.1.53148.1.6.2.4") is CCC
    definition = CCC.encode(samples()[0][1])
    assert REG.negotiate("ORAN-E2SM-CCC", None, 1, definition) is CCC


def test_round_trip_every_payload():
    for kind, value in samples():
        data = CCC.encode(value)
        assert data.decode("utf-8")
        assert CCC.decode(kind, data) == value, kind
        assert CCC.reencode(kind, data) == data
        assert CCC.to_jsonable(kind, data) == json.loads(data)


def test_outcome_with_and_without_wrapper():
    outcome = samples()[6][1]
    canonical = CCC.encode(outcome)
    assert json.loads(canonical).keys() == {"controlOutcomeFormat"}
    bare = json.dumps(
        json.loads(canonical)["controlOutcomeFormat"], indent=2
    ).encode()  # what a real gNB sends
    assert CCC.decode("control-outcome", bare) == outcome
    assert CCC.reencode("control-outcome", bare) == canonical
    assert CCC.decode_raw("control-outcome", bare) == json.loads(canonical)


def _doc(kind, value):
    return json.loads(CCC.encode(value))


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (
            lambda d: d["controlMessageFormat"]["listOfCellsControlled"][0]["listOfConfigurationStructures"][
                0
            ]["newValuesOfAttributes"]["ranConfigurationStructure"].update(administrativeState="OFF"),
            "$.controlMessageFormat.listOfCellsControlled[0].listOfConfigurationStructures[0]"
            ".newValuesOfAttributes.ranConfigurationStructure.administrativeState",
        ),
        (
            lambda d: d["controlMessageFormat"]["listOfCellsControlled"][0]["cellGlobalId"].update(
                nRCellIdentity="xyz"
            ),
            "$.controlMessageFormat.listOfCellsControlled[0].cellGlobalId.nRCellIdentity",
        ),
        (
            lambda d: d["controlMessageFormat"]["listOfCellsControlled"][0]["listOfConfigurationStructures"][
                0
            ].pop("newValuesOfAttributes"),
            "$.controlMessageFormat.listOfCellsControlled[0].listOfConfigurationStructures[0]",
        ),
        (
            lambda d: d["controlMessageFormat"].update(listOfCellsControlled=[]),
            "$.controlMessageFormat.listOfCellsControlled",
        ),
    ],
)
def test_schema_refusals_name_the_json_path(mutate, path):
    doc = _doc(PayloadKind.CONTROL_MESSAGE, samples()[2][1])
    mutate(doc)
    with pytest.raises(ValidationError) as err:
        CCC.decode("control-message", json.dumps(doc).encode())
    assert err.value.where == f"E2SM-CCC v3.00 control-message at {path}"
    with pytest.raises(ValidationError) as err:
        CCC.encode_raw("control-message", doc)
    assert err.value.where.endswith(path)


def test_rrm_ratio_out_of_range_refused_on_decode_and_encode():
    doc = _doc(PayloadKind.CONTROL_MESSAGE, samples()[4][1])
    doc["controlMessageFormat"]["listOfCellsControlled"][0]["listOfConfigurationStructures"][0][
        "newValuesOfAttributes"
    ]["ranConfigurationStructure"]["rRMPolicyMaxRatio"] = 101
    with pytest.raises(ValidationError, match=r"rRMPolicyMaxRatio"):
        CCC.decode("control-message", json.dumps(doc).encode())
    with pytest.raises(ValidationError):
        rrm_policy_control(CELL, [SliceQuota(PLMN, Snssai(1), 10, 101, 0)])
    with pytest.raises(ValidationError):
        CCC.encode(CccControlHeader(7))


def test_controls_read_back():
    _, off = switch_cell_control(CELL, False)
    _, on = switch_cell_control(CELL2, True)
    assert cell_power_requests(CCC.decode("control-message", CCC.encode(off))) == {CELL: False}
    assert cell_power_requests(CCC.decode("control-message", CCC.encode(on))) == {CELL2: True}
    _, es = energy_saving_control(CELL, True)
    assert energy_saving_requests(CCC.decode("control-message", CCC.encode(es))) == {CELL: True}
    quotas = [SliceQuota(PLMN, Snssai(1, 1), 10, 60, 5), SliceQuota(PLMN, Snssai(2), 0, 100, 0)]
    _, rrm = rrm_policy_control(CELL, quotas)
    assert rrm_policy_requests(CCC.decode("control-message", CCC.encode(rrm))) == {CELL: quotas}
    definition = CCC.decode("ran-function-description", CCC.encode(ran_function_definition([CELL])))
    assert definition.supports(CELL, "O-NRCellDU", "administrativeState")
    assert definition.supports(CELL, "O-RRMPolicyRatio", "rRMPolicyMinRatio")
    assert not definition.supports(CELL2, "O-NRCellDU", "administrativeState")


@settings(max_examples=60, deadline=None)
@given(
    ratios=st.lists(
        st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=3
    ),
    sst=st.integers(0, 255),
    sd=st.one_of(st.none(), st.integers(0, 2**24 - 1)),
    nci=st.integers(0, 2**36 - 1),
)
def test_property_rrm_policy_ratios(ratios, sst, sd, nci):
    cell = NrCgi(PLMN, nci)
    quotas = [SliceQuota(PLMN, Snssai(sst, sd), *r) for r in ratios]
    _, message = rrm_policy_control(cell, quotas)
    assert rrm_policy_requests(CCC.decode("control-message", CCC.encode(message))) == {cell: quotas}


def test_not_json_or_not_utf8_is_decode_error():
    with pytest.raises(DecodeError, match="not UTF-8"):
        CCC.decode("control-message", b"\xff\xfe")
    with pytest.raises(DecodeError, match="not JSON"):
        CCC.decode("control-message", b'{"controlMessageFormat": ')
    with pytest.raises(ValidationError, match=r"at \$"):
        CCC.decode("control-header", b"[]")
    with pytest.raises(DecodeError, match="no indication-message"):
        CCC.decode("indication-message", b"{}")


def test_mutated_and_truncated_payloads_raise_only_e2error():
    payloads = [(kind, CCC.encode(value)) for kind, value in samples()]
    assert_only(E2Error, CCC.decode, payloads, seed=11, count=300)
    try:
        CCC.decode("control-message", b"[" * 100000)
    except E2Error:
        pass


def test_old_values_are_mandatory_and_filled_by_the_builders():
    _, message = switch_cell_control(CELL, True)
    assert message.cells[0].changes[0].old == {"administrativeState": "LOCKED"}
    _, message = energy_saving_control(CELL, True, was_saving=False)
    assert message.cells[0].changes[0].old == {"energySavingState": "isNotEnergySaving"}
    before = [SliceQuota(PLMN, Snssai(1), 0, 100, 0)]
    after = [SliceQuota(PLMN, Snssai(1), 20, 80, 10)]
    _, message = rrm_policy_control(CELL, after, before)
    change = CCC.decode("control-message", CCC.encode(message)).cells[0].changes[0]
    assert (change.old["rRMPolicyMinRatio"], change.new["rRMPolicyMinRatio"]) == (0, 20)
    with pytest.raises(ValidationError, match="same slices"):
        rrm_policy_control(CELL, after, [SliceQuota(PLMN, Snssai(2), 0, 100, 0)])
    doc = json.loads(CCC.encode(message))
    doc["controlMessageFormat"]["listOfCellsControlled"][0]["listOfConfigurationStructures"][0].pop(
        "oldValuesOfAttributes"
    )
    with pytest.raises(ValidationError, match="oldValuesOfAttributes"):
        CCC.decode("control-message", json.dumps(doc).encode())
