"""``ranpilot e2 decode``: E2AP PDUs, E2SM payloads inside them, bare payloads, JSON, re-encoding, exit codes."""

from __future__ import annotations

import json

import pytest

from e2 import ap
from e2.ap import messages as m
from e2.sm import default_registry
from ranpilot.cli import main

PLMN = ap.Plmn("001", "01")
RID = ap.RicRequestId(1001, 1)


@pytest.fixture(scope="module")
def kpm():
    return default_registry().lookup(name="kpm", version="3.00")


@pytest.fixture(scope="module")
def kpm_payloads(kpm):
    header = kpm.encode_raw("indication-header", {"indicationHeader-formats": ("indicationHeader-Format1", {
        "colletStartTime": bytes(8), "senderName": "gnb-1"})})
    message = kpm.encode_raw("indication-message", {"indicationMessage-formats": ("indicationMessage-Format1", {
        "measData": [{"measRecord": [("integer", 42), ("real", 1.5)]}],
        "measInfoList": [{"measType": ("measName", "DRB.UEThpDl"),
                          "labelInfoList": [{"measLabel": {"noLabel": "true"}}]},
                         {"measType": ("measName", "RRU.PrbUsedDl"),
                          "labelInfoList": [{"measLabel": {"noLabel": "true"}}]}],
        "granulPeriod": 1000})})
    return header, message


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["e2", "decode", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_indication_with_kpm_payloads_as_json(capsys, kpm_payloads) -> None:
    header, message = kpm_payloads
    pdu = ap.encode(m.RicIndication(RID, 2, 1, "report", header, message, sn=4))
    code, out, _ = _run(capsys, pdu.hex(), "--sm", "kpm", "--json")
    assert code == 0
    doc = json.loads(out)
    ies = doc["E2AP-PDU"]["initiatingMessage"]["value"]["RICindication"]["protocolIEs"]
    by_name = {ie["name"]: ie for ie in ies}
    assert by_name["id-RICrequestID"]["value"] == {"RICrequestID": {"ricRequestorID": 1001, "ricInstanceID": 1}}
    assert by_name["id-RICindicationType"]["value"] == {"RICindicationType": "report"}
    decoded = by_name["id-RICindicationMessage"]["value"]["RICindicationMessage"]["decoded"]
    assert decoded["service-model"] == "E2SM-KPM v3.00"
    text = json.dumps(decoded["value"])
    assert "DRB.UEThpDl" in text and "42" in text
    assert by_name["id-RICindicationHeader"]["value"]["RICindicationHeader"]["hex"] == header.hex().upper()


def test_undecodable_payload_is_shown_raw_and_pdu_still_decodes(capsys) -> None:
    pdu = ap.encode(m.RicIndication(RID, 2, 1, "report", b"\xff\xff", b"\x01"))
    code, out, _ = _run(capsys, pdu.hex(), "--sm", "kpm", "--json")
    assert code == 0
    ies = json.loads(out)["E2AP-PDU"]["initiatingMessage"]["value"]["RICindication"]["protocolIEs"]
    header = next(ie for ie in ies if ie["name"] == "id-RICindicationHeader")
    payload = header["value"]["RICindicationHeader"]["decoded"]
    assert payload["raw"] == "ffff" and payload["error"]


def test_setup_ran_function_definitions_decode_by_oid_without_sm(capsys, kpm) -> None:
    definition = kpm.encode_raw("ran-function-description", {
        "ranFunction-Name": {"ranFunction-ShortName": kpm.short_name, "ranFunction-E2SM-OID": kpm.oid,
                             "ranFunction-Description": "KPM monitor"}})
    cfg = ap.ComponentConfig("f1", ("e2nodeComponentInterfaceTypeF1", {"gNB-DU-ID": 1}), b"", b"")
    pdu = ap.encode(m.E2SetupRequest(1, ap.GlobalE2NodeId(PLMN, 5, 22), (
        ap.RanFunction(2, definition, 1, kpm.oid),
        ap.RanFunction(9, b"\x00", 1, "1.3.6.1.4.1.99999.1"),        # a function nobody here implements
    ), (cfg,)))
    code, out, _ = _run(capsys, pdu.hex(), "--json")
    assert code == 0
    ies = json.loads(out)["E2AP-PDU"]["initiatingMessage"]["value"]["E2setupRequest"]["protocolIEs"]
    items = ies[2]["value"]["RANfunctions-List"]
    first = items[0]["value"]["RANfunction-Item"]["ranFunctionDefinition-decoded"]
    assert first["service-model"] == "E2SM-KPM v3.00" and "KPM monitor" in json.dumps(first["value"])
    assert "error" in items[1]["value"]["RANfunction-Item"]["ranFunctionDefinition-decoded"]


def test_tree_output_and_file_input(capsys, tmp_path) -> None:
    pdu = ap.encode(m.RicSubscriptionDeleteRequest(RID, 2))
    (tmp_path / "pdu.bin").write_bytes(pdu)
    (tmp_path / "pdu.hex").write_text(pdu.hex() + "\n")
    for name in ("pdu.bin", "pdu.hex"):
        code, out, _ = _run(capsys, "--file", str(tmp_path / name))
        assert code == 0
        assert "RICsubscriptionDeleteRequest" in out and "ricInstanceID: 1" in out


def test_bare_payload_and_reencode(capsys, kpm_payloads) -> None:
    header, message = kpm_payloads
    code, out, _ = _run(capsys, "--sm", "kpm", "--type", "indication-message", message.hex(), "--json")
    assert code == 0 and json.loads(out)["type"] == "indication-message"
    code, out, _ = _run(capsys, "--sm", "kpm", "--sm-version", "3.00", "--type", "indication-header",
                        header.hex(), "--reencode")
    assert code == 0 and out.strip() == header.hex()
    pdu = ap.encode(m.ResetRequest(3, ap.Cause("misc", "om-intervention")))
    code, out, _ = _run(capsys, "0x" + pdu.hex(), "--reencode")
    assert code == 0 and out.strip() == pdu.hex()


@pytest.mark.parametrize("argv", [
    ["zz"],                                       # not hex
    ["0005ff"],                                   # not an E2AP PDU
    ["00"],                                       # truncated
    ["--sm", "kpm", "--type", "indication-message", "ff"],
    ["--type", "indication-message", "00"],       # --type without --sm
    ["--sm", "nosuch", "00"],
    ["--file", "/nonexistent/file"],
])
def test_bad_input_exits_2_with_one_line(capsys, argv) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err
