"""E2 codec benchmark: a RIC Indication carrying an E2SM-KPM v03.00 format-1 report, 3 cells x 10 measurements.

"Full decode" = the E2AP PDU (envelope, IE container, every IE) + the KPM indication header + the KPM
indication message inside it; "full encode" = the reverse. Both are measured for the fast generated-code APER
engine (e2.asn1.aper, the default) and for asn1tools (the reference interpreter) in the same process, and the
ratio is printed. Rates are calls per CPU-second of the (single) benchmark thread, i.e. per core: on a shared
machine wall-clock rates mostly measure the neighbours; the wall-clock rate of the same runs is printed too.
The best of several repeats is kept. Target: >= 10,000 full decodes/s with the fast engine.

    python benchmarks/e2_codec.py [--seconds 1.0] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from e2 import ap
from e2.asn1 import load_codec
from e2.sm import default_registry

MEASUREMENTS = ["DRB.UEThpDl", "DRB.UEThpUl", "RRU.PrbUsedDl", "RRU.PrbUsedUl", "RRU.PrbAvailDl",
                "RRU.PrbAvailUl", "DRB.RlcSduDelayDl", "RRC.ConnMean", "PEE.AvgPower", "DRB.AirIfDelayUl"]
CELLS = 3


def kpm_payloads() -> tuple[dict, dict]:
    """KPM v03.00 indication header + format-1 message: 10 measurements (measInfoList) and 3 measData items,
    one per cell, each with 10 records (integers and reals, as gNBs send PRB counts and throughputs)."""
    header = {"indicationHeader-formats": ("indicationHeader-Format1", {
        "colletStartTime": (3_900_000_000).to_bytes(4, "big") + bytes(4), "senderName": "gnb-001-01-411",
        "senderType": "gNB", "vendorName": "ranpilot"})}
    data = [{"measRecord": [("integer", 1000 * cell + i) if i % 2 == 0 else ("real", 12.5 * cell + i / 3)
                            for i in range(len(MEASUREMENTS))]} for cell in range(CELLS)]
    info = [{"measType": ("measName", name), "labelInfoList": [{"measLabel": {"noLabel": "true"}}]}
            for name in MEASUREMENTS]
    message = {"indicationMessage-formats": ("indicationMessage-Format1", {
        "measData": data, "measInfoList": info, "granulPeriod": 1000})}
    return header, message


WALL: dict[int, float] = {}


def rate(fn: Callable[[], object], seconds: float, repeats: int) -> float:
    """Best calls per CPU-second of this thread over ``repeats`` runs of about ``seconds`` each (the best
    wall-clock rate is kept in WALL[id(fn)])."""
    n = 1
    while True:                       # calibrate the batch size
        t0 = time.thread_time()
        for _ in range(n):
            fn()
        dt = time.thread_time() - t0
        if dt > 0.05:
            break
        n *= 2
    batch = max(1, int(n * seconds / dt))
    best = best_wall = 0.0
    for _ in range(repeats):
        w0, t0 = time.perf_counter(), time.thread_time()
        for _ in range(batch):
            fn()
        cpu, wall = time.thread_time() - t0, time.perf_counter() - w0
        best = max(best, batch / cpu)
        best_wall = max(best_wall, batch / wall)
    WALL[id(fn)] = best_wall
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1.0, help="duration of one timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (best is kept)")
    args = parser.parse_args()

    kpm = default_registry().lookup(name="kpm", version="3.00")
    header, message = kpm_payloads()
    results: dict[str, dict[str, float]] = {}
    sizes = {}
    for engine in ("fast", "asn1tools"):
        sm = load_codec(kpm.asn1_files, engine=engine)
        hdr_b = sm.encode("E2SM-KPM-IndicationHeader", header)
        msg_b = sm.encode("E2SM-KPM-IndicationMessage", message)
        indication = ap.RicIndication(ap.RicRequestId(1001, 1), 2, 1, "report", hdr_b, msg_b, sn=17)
        pdu = ap.encode(indication, engine=engine)
        sizes = {"pdu": len(pdu), "header": len(hdr_b), "message": len(msg_b)}

        def full_decode(pdu: bytes = pdu, sm=sm, engine: str = engine) -> tuple:
            ind = ap.decode(pdu, engine=engine)
            return (ind, sm.decode("E2SM-KPM-IndicationHeader", ind.header),
                    sm.decode("E2SM-KPM-IndicationMessage", ind.message))

        def full_encode(sm=sm, engine: str = engine) -> bytes:
            return ap.encode(ap.RicIndication(ap.RicRequestId(1001, 1), 2, 1, "report",
                                              sm.encode("E2SM-KPM-IndicationHeader", header),
                                              sm.encode("E2SM-KPM-IndicationMessage", message), sn=17),
                             engine=engine)

        assert full_encode() == pdu and full_decode()[2] == message
        scale = 1.0 if engine == "fast" else 0.3          # the reference is slow: shorter runs suffice
        results[engine] = {
            "full decode": rate(full_decode, args.seconds * scale, args.repeats),
            "full decode (wall)": WALL[id(full_decode)],
            "full encode": rate(full_encode, args.seconds * scale, args.repeats),
            "E2AP only decode": rate(lambda pdu=pdu, engine=engine: ap.decode(pdu, engine=engine),
                                     args.seconds * scale, args.repeats),
        }
    typed = rate(lambda: kpm.decode("indication-message", ap.decode(pdu).message), args.seconds, args.repeats)

    print(f"RIC Indication + E2SM-KPM v03.00 format 1, {CELLS} cells x {len(MEASUREMENTS)} measurements: "
          f"PDU {sizes['pdu']} B (header {sizes['header']} B, message {sizes['message']} B)")
    print(f"{'per CPU-second':<20} {'fast (/s)':>12} {'asn1tools (/s)':>15} {'ratio':>7}")
    for op in results["fast"]:
        fast, ref = results["fast"][op], results["asn1tools"][op]
        print(f"{op:<20} {fast:>12,.0f} {ref:>15,.0f} {fast / ref:>6.1f}x")
    print(f"{'typed KPM msg (E2-B)':<20} {typed:>12,.0f}")
    target = 10_000
    verdict = "meets" if results["fast"]["full decode"] >= target else "BELOW"
    print(f"full decodes/s with the fast engine: {results['fast']['full decode']:,.0f} ({verdict} the "
          f"{target:,}/s target on one core)")


if __name__ == "__main__":
    main()
