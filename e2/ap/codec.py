"""E2AP PDU encode / decode (typed messages <-> aligned-PER bytes).

Two passes, as the information object sets prescribe (E2AP 9.3): the PDU and the ProtocolIE containers are
decoded with the de-parameterised ASN.1 (open types as octet strings), then each IE value is decoded as the type
its IE id names in the message's IE set.

* ``encode`` is strict and canonical: IEs in the order of the IE set, criticalities from the tables, every
  mandatory IE present, all values checked against their constraints.
* ``decode`` is lenient where real nodes deviate: an outer (procedure) or IE criticality that differs from the
  table is accepted, unknown IEs and unknown list items are skipped, a duplicated IE keeps its first copy.
  A missing mandatory IE is a :class:`DecodeError` that names it. Nothing but :class:`E2Error` escapes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2.ap.ies import CONVERTERS, converter
from e2.ap.messages import BY_PROCEDURE, PROCEDURES, E2apMessage
from e2.asn1 import Asn1Codec, load_codec
from e2.asn1.aper import PAD, finish
from e2.errors import DecodeError, E2Error, EncodeError

__all__ = ["ASN1_FILE", "codec", "encode", "decode", "decode_raw", "RawPdu"]

ASN1_FILE = Path(__file__).with_name("asn1") / "E2AP-v03.01.asn"


@functools.cache
def codec(engine: str = "fast") -> Asn1Codec:
    """The E2AP v03.01 codec (compiled once per process)."""
    return load_codec([ASN1_FILE], engine=engine)


@dataclass(frozen=True)
class RawPdu:
    """First-pass view of a PDU: which procedure, and its IEs as (id, criticality, encoded value)."""

    kind: str
    procedure_code: int
    criticality: str
    ies: tuple[tuple[int, str, bytes], ...]

    @property
    def message_type(self) -> type[E2apMessage] | None:
        return BY_PROCEDURE.get((self.procedure_code, self.kind))


@functools.cache
def _ie_encoders(msg_type: type[E2apMessage], engine: str) -> tuple[Any, ...] | None:
    """The fast engine's plan for one message class, built once: per IE (attr, id, criticality, mandatory,
    converter or None, generated encoder), then the generated encoders of the message body and of E2AP-PDU."""
    c = codec(engine)
    body, pdu = c.raw_encoder(msg_type.ASN1_TYPE), c.raw_encoder("E2AP-PDU")
    ies = tuple((spec.attr, spec.id, spec.criticality, spec.presence == "mandatory",
                 CONVERTERS[spec.type][0] if spec.type in CONVERTERS else None, c.raw_encoder(spec.type))
                for spec in msg_type.IES)
    if body is None or pdu is None or any(ie[5] is None for ie in ies):
        return None
    return ies, body, pdu, msg_type.KIND, msg_type.PROCEDURE, PROCEDURES[msg_type.PROCEDURE][1]


def _encode_fast(msg: E2apMessage, plan: tuple[Any, ...], c: Asn1Codec) -> bytes | None:
    """The hot path of :func:`encode`: the same generated encoders without the per-call lookups and error
    wrapping. None on any problem - the caller then encodes again the strict way, which names it."""
    ies, body_enc, pdu_enc, kind, procedure, criticality = plan
    fields = []
    try:
        for attr, ie_id, ie_crit, mandatory, conv, enc in ies:
            value = getattr(msg, attr)
            if value is None:
                if mandatory:
                    return None
                continue
            buf = bytearray()
            a, n = enc(value if conv is None else conv(value, c), buf, 0, 0)
            fields.append({"id": ie_id, "criticality": ie_crit, "value": finish(buf, a, n)})
        buf = bytearray()
        a, n = body_enc({"protocolIEs": fields}, buf, 0, 0)
        body = finish(buf, a, n)
        buf = bytearray()
        a, n = pdu_enc((kind, {"procedureCode": procedure, "criticality": criticality, "value": body}), buf, 0, 0)
        return finish(buf, a, n)
    except Exception:
        return None


def encode(msg: E2apMessage, *, engine: str = "fast") -> bytes:
    """Encode a typed message as an E2AP-PDU (canonical; EncodeError naming the IE on a bad value)."""
    c = codec(engine)
    plan = _ie_encoders(type(msg), engine) if hasattr(msg, "IES") else None
    if plan is not None:
        pdu = _encode_fast(msg, plan, c)
        if pdu is not None:
            return pdu
    try:
        ies = msg.IES
    except AttributeError:
        raise EncodeError(f"not an E2AP message: {type(msg).__name__}") from None
    fields = []
    for spec in ies:
        value = getattr(msg, spec.attr)
        if value is None:
            if spec.presence == "mandatory":
                raise EncodeError(f"mandatory IE {spec.name} ({spec.attr}) missing", where=msg.ASN1_TYPE)
            continue
        try:
            asn = converter(spec.type)[0](value, c)
            fields.append({"id": spec.id, "criticality": spec.criticality, "value": c.encode(spec.type, asn)})
        except EncodeError as exc:
            raise EncodeError(exc.reason, where=f"{msg.ASN1_TYPE}.{spec.name}: {exc.where}") from None
        except E2Error as exc:      # e.g. ValidationError of a PLMN or a gNB ID that does not fit
            raise EncodeError(str(exc), where=f"{msg.ASN1_TYPE}.{spec.name}") from None
        except Exception as exc:
            raise EncodeError(f"bad value for {spec.attr}: {type(exc).__name__}: {exc}",
                              where=f"{msg.ASN1_TYPE}.{spec.name}") from None
    body = c.encode(msg.ASN1_TYPE, {"protocolIEs": fields})
    criticality = PROCEDURES[msg.PROCEDURE][1]
    return c.encode("E2AP-PDU", (msg.KIND, {"procedureCode": msg.PROCEDURE, "criticality": criticality,
                                            "value": body}))


@functools.cache
def _envelope_decoders(engine: str) -> tuple[Any, dict[str, Any]] | None:
    """Generated decoders of E2AP-PDU and of every message body (None: the engine has none)."""
    c = codec(engine)
    pdu = c.raw_decoder("E2AP-PDU")
    bodies = {t.ASN1_TYPE: c.raw_decoder(t.ASN1_TYPE) for t in BY_PROCEDURE.values()}
    bodies["ErrorIndication"] = c.raw_decoder("ErrorIndication")
    if pdu is None or any(d is None for d in bodies.values()):
        return None
    return pdu, bodies


def _decode_raw_fast(data: bytes, engine: str) -> RawPdu | None:
    """The hot path of :func:`decode_raw` (generated decoders, bounds checked here); None on any problem - the
    caller then decodes again the checked way, which names it."""
    decoders = _envelope_decoders(engine)
    if decoders is None:
        return None
    try:
        (kind, env), end = decoders[0](data + PAD, 0)
        if kind is None or end > len(data) << 3:
            return None
        pc = env["procedureCode"]
        msg_type = BY_PROCEDURE.get((pc, kind))
        value = env["value"]
        body, end = decoders[1][msg_type.ASN1_TYPE if msg_type else "ErrorIndication"](value + PAD, 0)
        if end > len(value) << 3:
            return None
        return RawPdu(kind, pc, env["criticality"],
                      tuple((f["id"], f["criticality"], f["value"]) for f in body["protocolIEs"]))
    except Exception:
        return None


def decode_raw(data: bytes, *, engine: str = "fast") -> RawPdu:
    """First pass: the PDU envelope and the IE container of any procedure (known or not)."""
    if isinstance(data, bytes):
        raw = _decode_raw_fast(data, engine)
        if raw is not None:
            return raw
    c = codec(engine)
    kind, env = c.decode("E2AP-PDU", data)
    if kind is None:
        raise DecodeError("unknown E2AP-PDU extension alternative", where="E2AP-PDU", data=bytes(data))
    pc = env["procedureCode"]
    msg_type = BY_PROCEDURE.get((pc, kind))
    # Every E2AP message is SEQUENCE { protocolIEs ProtocolIE-Container, ... }: decode it generically.
    body = c.decode(msg_type.ASN1_TYPE if msg_type else "ErrorIndication", env["value"])
    ies = tuple((f["id"], f["criticality"], f["value"]) for f in body["protocolIEs"])
    return RawPdu(kind, pc, env["criticality"], ies)


def decode(data: bytes, *, engine: str = "fast") -> E2apMessage:
    """Decode an E2AP-PDU into its typed message (lenient; DecodeError naming where it failed)."""
    raw = decode_raw(data, engine=engine)
    msg_type = raw.message_type
    if msg_type is None:
        name = PROCEDURES.get(raw.procedure_code, (f"procedure {raw.procedure_code}",))[0]
        raise DecodeError(f"{name} {raw.kind} is not implemented", where="E2AP-PDU", data=bytes(data))
    return from_raw(raw, msg_type, engine=engine, data=data)


@functools.cache
def _ie_decoders(msg_type: type[E2apMessage], engine: str) -> dict[int, tuple[Any, Any, Any, Any]]:
    """IE id -> (spec, value decoder, generated raw decoder or None, converter or None), built once."""
    c = codec(engine)
    return {spec.id: (spec, c.decoder(spec.type), c.raw_decoder(spec.type),
                      CONVERTERS[spec.type][1] if spec.type in CONVERTERS else None)
            for spec in msg_type.IES}


def from_raw(raw: RawPdu, msg_type: type[E2apMessage], *, engine: str = "fast", data: bytes = b"") -> E2apMessage:
    """Second pass: decode each known IE value by the type of its IE set entry."""
    c = codec(engine)
    by_id = _ie_decoders(msg_type, engine)
    values: dict[str, Any] = {}
    for ie_id, _criticality, value in raw.ies:
        entry = by_id.get(ie_id)
        if entry is None:       # unknown IE: ignored (lenient)
            continue
        spec, dec, fast, conv = entry
        if spec.attr in values:     # duplicated IE: the first copy counts
            continue
        if fast is not None:        # hot path: the generated decoder, bounds checked here
            try:
                v, end = fast(value + PAD, 0)
                if end <= len(value) << 3:
                    values[spec.attr] = v if conv is None else conv(v, c)
                    continue
            except Exception:
                pass
        try:
            values[spec.attr] = dec(value) if conv is None else conv(dec(value), c)
        except DecodeError as exc:
            raise DecodeError(exc.reason, where=f"{msg_type.ASN1_TYPE}.{spec.name}: {exc.where}",
                              data=bytes(data)) from None
        except E2Error as exc:
            raise DecodeError(str(exc), where=f"{msg_type.ASN1_TYPE}.{spec.name}", data=bytes(data)) from None
        except Exception as exc:
            raise DecodeError(f"{type(exc).__name__}: {exc}", where=f"{msg_type.ASN1_TYPE}.{spec.name}",
                              data=bytes(data)) from None
    for spec in msg_type.IES:
        if spec.presence == "mandatory" and spec.attr not in values:
            raise DecodeError(f"mandatory IE {spec.name} ({spec.id}) missing", where=msg_type.ASN1_TYPE,
                              data=bytes(data))
    return msg_type(**values)
