"""``ranpilot e2 decode``: what engineers would open Wireshark for, on one E2AP PDU or one E2SM payload.

    ranpilot e2 decode 00054081...                  # E2AP PDU; E2 Setup RAN function definitions by OID
    ranpilot e2 decode --file pdu.bin --sm kpm      # ... and the KPM payloads inside (header, message, ...)
    ranpilot e2 decode --sm rc --type control-message 0a1b...   # a bare E2SM payload
    ranpilot e2 decode --json ... | --reencode ...

JSON uses the ASN.1 field names (X.697 JER: OCTET STRING as hex, enumerations by name, CHOICE as
``{"alternative": value}``); IE open types are expanded in place. An E2SM payload that does not decode is shown
raw with the reason and the PDU around it still decodes (exit 0). Input that does not decode at all: exit 2
with a one-line reason on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from e2.errors import E2Error

__all__ = ["add_arguments", "main", "describe_pdu"]

KINDS = ("ran-function-description", "event-trigger", "action-definition", "indication-header",
         "indication-message", "control-header", "control-message", "control-outcome", "call-process-id")

# E2AP IE type -> E2SM payload kind it carries
_SM_KIND = {
    "RICindicationHeader": "indication-header",
    "RICindicationMessage": "indication-message",
    "RICcontrolHeader": "control-header",
    "RICcontrolMessage": "control-message",
    "RICcontrolOutcome": "control-outcome",
    "RICcallProcessID": "call-process-id",
}
# list IE type -> (item ASN.1 type) whose ProtocolIE-SingleContainer items are expanded
_LIST_ITEMS = {
    "RANfunctions-List": "RANfunction-Item",
    "RANfunctionsID-List": "RANfunctionID-Item",
    "RANfunctionsIDcause-List": "RANfunctionIDcause-Item",
    "RICaction-Admitted-List": "RICaction-Admitted-Item",
    "RICaction-NotAdmitted-List": "RICaction-NotAdmitted-Item",
    "E2nodeComponentConfigAddition-List": "E2nodeComponentConfigAddition-Item",
    "E2nodeComponentConfigAdditionAck-List": "E2nodeComponentConfigAdditionAck-Item",
    "RICactions-ToBeSetup-List": "RICaction-ToBeSetup-Item",
    "E2nodeComponentConfigUpdate-List": "E2nodeComponentConfigUpdate-Item",
    "E2nodeComponentConfigUpdateAck-List": "E2nodeComponentConfigUpdateAck-Item",
    "E2nodeComponentConfigRemoval-List": "E2nodeComponentConfigRemoval-Item",
    "E2nodeComponentConfigRemovalAck-List": "E2nodeComponentConfigRemovalAck-Item",
    "E2nodeTNLassociationRemoval-List": "E2nodeTNLassociationRemoval-Item",
}


class UsageError(Exception):
    """Bad command-line input (exit 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    dec = sub.add_parser("decode", help="decode an E2AP PDU or an E2SM payload (hex or file)",
                         description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    dec.add_argument("hex", nargs="?", help="the bytes as hex (spaces, ':' and a 0x prefix are ignored)")
    dec.add_argument("--file", "-f", help="read the bytes from a file (binary, or hex text)")
    dec.add_argument("--sm", help="service model of the E2SM payloads: kpm | rc | ccc")
    dec.add_argument("--type", dest="kind", choices=KINDS, help="decode a bare E2SM payload of this kind")
    dec.add_argument("--sm-version", help="service-model version, e.g. 3.00, 2.03, 1.03 (default: newest)")
    dec.add_argument("--json", action="store_true", help="print JSON with the ASN.1 field names")
    dec.add_argument("--reencode", action="store_true", help="print the canonical re-encoding as hex")


def main(args: argparse.Namespace) -> int:
    try:
        data = _read_input(args)
        if args.kind:
            if not args.sm:
                raise UsageError("--type needs --sm (kpm | rc | ccc)")
            model = _lookup(args.sm, args.sm_version)
            if args.reencode:
                print(model.reencode(args.kind, data).hex())
                return 0
            out: Any = {"service-model": model.label, "type": args.kind,
                        "value": model.to_jsonable(args.kind, data)}
        else:
            model = _lookup(args.sm, args.sm_version) if args.sm else None
            if args.reencode:
                print(_reencode_pdu(data).hex())
                return 0
            out = describe_pdu(data, model)
    except (E2Error, UsageError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print_tree(out)
    return 0


# ---------------------------------------------------------------------------------------------------------------
def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_input(args: argparse.Namespace) -> bytes:
    if (args.hex is None) == (args.file is None):
        raise UsageError("give the bytes as HEX or with --file (exactly one)")
    if args.file is not None:
        try:
            raw = Path(args.file).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
        text = raw.decode("ascii", "replace")
        if raw and re.fullmatch(r"[\s0-9a-fA-Fx:]*", text) and re.search(r"[0-9a-fA-F]", text):
            return _parse_hex(text)
        return raw
    return _parse_hex(args.hex)


def _parse_hex(text: str) -> bytes:
    cleaned = re.sub(r"0x|[\s:]", "", text.strip())
    try:
        data = bytes.fromhex(cleaned)
    except ValueError:
        raise UsageError("input is not hexadecimal") from None
    if not data:
        raise UsageError("empty input")
    return data


def _lookup(name: str, version: str | None) -> Any:
    from e2.sm import default_registry

    return default_registry().lookup(name=name, version=version)


def _reencode_pdu(data: bytes) -> bytes:
    from e2 import ap
    from e2.ap.codec import codec, decode_raw

    raw = decode_raw(data)
    if raw.message_type is not None:
        return ap.encode(ap.decode(data))
    c = codec()
    return c.encode("E2AP-PDU", c.decode("E2AP-PDU", data))   # procedure we do not type: envelope re-encoding


# ---------------------------------------------------------------------------------------------------------------
def describe_pdu(data: bytes, model: Any = None) -> dict[str, Any]:
    """The PDU as JSON-ready data (ASN.1 names), with IE open types and E2SM payloads expanded."""
    from e2.ap.codec import codec, decode_raw
    from e2.ap.messages import IE_NAMES, PROCEDURES

    c = codec()
    raw = decode_raw(data)
    msg_type = raw.message_type
    specs = {s.id: s for s in msg_type.IES} if msg_type else {}
    ies = []
    for ie_id, criticality, value in raw.ies:
        entry: dict[str, Any] = {"id": ie_id, "name": IE_NAMES.get(ie_id, f"id-{ie_id}"), "criticality": criticality}
        spec = specs.get(ie_id)
        if spec is None:
            entry["value"] = value.hex()
            entry["note"] = "IE not in this message's IE set (ignored by the decoder)"
        else:
            try:
                entry["value"] = {spec.type: _ie_json(c, spec.type, value, model, raw)}
            except E2Error as exc:
                entry["value"] = value.hex()
                entry["error"] = _one_line(exc)
        ies.append(entry)
    name = msg_type.ASN1_TYPE if msg_type else "unknown"
    proc = PROCEDURES.get(raw.procedure_code, (f"procedure-{raw.procedure_code}",))[0]
    return {"E2AP-PDU": {raw.kind: {"procedureCode": raw.procedure_code, "procedure": proc,
                                    "criticality": raw.criticality,
                                    "value": {name: {"protocolIEs": ies}}}}}


def _ie_json(c: Any, type_name: str, value: bytes, model: Any, raw: Any) -> Any:
    decoded = c.decode(type_name, value)
    if type_name in _LIST_ITEMS:
        return [_item_json(c, _LIST_ITEMS[type_name], f, model) for f in decoded]
    if type_name == "RICsubscriptionDetails":
        out = c.to_jsonable(type_name, decoded)
        out["ricAction-ToBeSetup-List"] = [_item_json(c, "RICaction-ToBeSetup-Item", f, model)
                                           for f in decoded["ricAction-ToBeSetup-List"]]
        if model is not None:
            out["ricEventTriggerDefinition-decoded"] = _sm_json(model, "event-trigger",
                                                               decoded["ricEventTriggerDefinition"])
        return out
    out = c.to_jsonable(type_name, decoded)
    if model is not None and type_name in _SM_KIND:
        return {"hex": out, "decoded": _sm_json(model, _SM_KIND[type_name], decoded)}
    return out


def _item_json(c: Any, item_type: str, field: dict[str, Any], model: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": field["id"], "criticality": field["criticality"]}
    try:
        item = c.decode(item_type, field["value"])
    except E2Error as exc:
        entry.update(value=field["value"].hex(), error=_one_line(exc))
        return entry
    body = c.to_jsonable(item_type, item)
    if item_type == "RANfunction-Item":
        body["ranFunctionDefinition-decoded"] = _ran_function_json(item)
    elif item_type == "RICaction-ToBeSetup-Item" and model is not None and "ricActionDefinition" in item:
        body["ricActionDefinition-decoded"] = _sm_json(model, "action-definition", item["ricActionDefinition"])
    entry["value"] = {item_type: body}
    return entry


def _ran_function_json(item: dict[str, Any]) -> dict[str, Any]:
    """RAN function definitions are decoded by their OID (no --sm needed): version negotiation decides."""
    from e2.sm import default_registry

    try:
        model = default_registry().negotiate(item["ranFunctionOID"], None, item["ranFunctionRevision"],
                                             item["ranFunctionDefinition"])
    except E2Error as exc:
        return {"error": _one_line(exc)}
    return _sm_json(model, "ran-function-description", item["ranFunctionDefinition"])


def _sm_json(model: Any, kind: str, data: bytes) -> dict[str, Any]:
    try:
        return {"service-model": model.label, "type": kind, "value": model.to_jsonable(kind, data)}
    except E2Error as exc:
        return {"service-model": model.label, "type": kind, "error": _one_line(exc), "raw": bytes(data).hex()}


# ---------------------------------------------------------------------------------------------------------------
def _print_tree(value: Any) -> None:
    from rich.console import Console
    from rich.tree import Tree

    def add(tree: Tree, key: str, item: Any) -> None:
        if isinstance(item, dict):
            if set(item) >= {"id", "criticality"} and "name" in item:
                label = f"[bold]{item['name']}[/] ({item['id']}, {item['criticality']})"
                branch = tree.add(label)
                for k, v in item.items():
                    if k not in ("id", "name", "criticality"):
                        add(branch, k, v)
                return
            branch = tree.add(f"[bold]{key}[/]" if key else "")
            for k, v in item.items():
                add(branch, k, v)
        elif isinstance(item, list):
            branch = tree.add(f"[bold]{key}[/] [{len(item)}]")
            for i, v in enumerate(item):
                add(branch, f"[{i}]", v)
        else:
            text = json.dumps(item) if not isinstance(item, str) else item
            if key == "error":
                tree.add(f"[red]error: {text}[/]")
            else:
                tree.add(f"{key}: {text}" if key else text)

    root = Tree("E2")
    if isinstance(value, dict):
        for k, v in value.items():
            add(root, k, v)
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: never crop values (an OID, a hex payload) to 80 columns
        console = Console(highlight=False, width=100_000)
    console.print(root)
