"""A small E2 node for the RIC tests, written with the E2 library (real E2AP + E2SM bytes over a real socket).

It stands in for e2sim's node agent (issue 5) until that lands: E2 Setup with KPM + RC RAN functions, answers
subscriptions with periodic indications (one per action per period, values from a counter), acks controls
(an RC control whose slice quota has min > max is answered with Control Failure), records Error Indications.
Two "vendors": KPM v3.00 with its exact OID, and KPM v2.03 advertised with the short name in RANfunctionOID
(a deviation real nodes show, which the RIC must negotiate leniently).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from e2 import ap
from e2.errors import E2Error
from e2.sm import PayloadKind, default_registry
from e2.sm.ccc.controls import accept_all, ran_function_definition
from e2.sm.common import RanFunctionName
from e2.sm.kpm import (
    EventTriggerStyle,
    IndicationMessageFormat1,
    KpmIndicationHeader,
    KpmRanFunctionDescription,
    MeasurementData,
    MeasurementInfo,
    ReportStyle,
    ReportStyleMeasurement,
)
from e2.sm.rc import RcRanFunctionDefinition, control_styles, parse_slice_prb_quota
from e2.transport import Endpoint, connect, frame
from ric.e2glue import cell_from_text

MEASUREMENTS = ("DRB.UEThpDl", "DRB.UEThpUl", "RRU.PrbUsedDl", "RRU.PrbAvailDl")


@dataclass(frozen=True)
class Vendor:
    name: str
    kpm_version: str
    oid_in_setup: str  # what the node puts into RANfunctionOID
    kpm_function_id: int
    rc_function_id: int
    ccc_function_id: int | None  # vendor A also offers E2SM-CCC, whose definition lists its cells


VENDOR_A = Vendor("vendor-a", "3.00", "1.3.6.1.4.1.53148.1.3.2.2", 2, 3, 4)
VENDOR_B = Vendor("vendor-b", "2.03", "ORAN-E2SM-KPM", 147, 148, None)


@dataclass
class SubState:
    request: ap.RicRequestId
    period_ms: int
    actions: list[tuple[int, Any]]  # (action id, typed action definition)
    task: asyncio.Task[None] | None = None
    sent: int = 0


@dataclass
class HarnessNode:
    gnb_id: int
    vendor: Vendor
    port: int
    host: str = "127.0.0.1"
    subscriptions: dict[int, SubState] = field(default_factory=dict)
    controls: list[tuple[Any, Any]] = field(default_factory=list)
    error_indications: list[ap.ErrorIndication] = field(default_factory=list)
    setup_response: ap.E2SetupResponse | None = None
    counter: int = 0
    # put the first period's indications into the same TCP write as the Subscription Response (a fast node:
    # the RIC then reads the answer and the first report in one batch)
    report_with_response: bool = False

    def __post_init__(self) -> None:
        self._ep: Endpoint | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._setup_done = asyncio.Event()
        self.kpm = default_registry().lookup("kpm", self.vendor.kpm_version)
        self.rc = default_registry().lookup("rc")

    @property
    def node_id(self) -> str:
        return f"gnb_001_001_{self.gnb_id:08x}"

    def cell(self, i: int) -> str:
        return f"001-01/{(self.gnb_id << 4) | i:09x}"

    # -- association ---------------------------------------------------------------------------------------
    async def connect(self) -> None:
        self._ep = await connect(self.host, self.port, transport="tcp")
        self._setup_done.clear()
        self._loop_task = asyncio.create_task(self._read_loop())
        kpm_desc = self.kpm.encode(KpmRanFunctionDescription(
            RanFunctionName("ORAN-E2SM-KPM", self.kpm.oid, "KPM monitor"),
            (EventTriggerStyle(1, "Periodic Report", 1),),
            (ReportStyle(1, "E2 Node Measurement", 1, tuple(ReportStyleMeasurement(m) for m in MEASUREMENTS)),)))
        rc_def = self.rc.encode(RcRanFunctionDefinition(
            RanFunctionName("ORAN-E2SM-RC", self.rc.oid, "RAN control"), control_styles()))
        functions = [ap.RanFunction(self.vendor.kpm_function_id, kpm_desc, 1, self.vendor.oid_in_setup),
                     ap.RanFunction(self.vendor.rc_function_id, rc_def, 1, self.rc.oid)]
        if self.vendor.ccc_function_id is not None:
            ccc = default_registry().lookup("ccc")
            cells = [cell_from_text(self.cell(i)) for i in (1, 2, 3)]
            functions.append(ap.RanFunction(self.vendor.ccc_function_id, ccc.encode(ran_function_definition(cells)),
                                            1, ccc.oid))
        await self.send(ap.E2SetupRequest(
            1, ap.GlobalE2NodeId(ap.Plmn("001", "01"), self.gnb_id, 32), tuple(functions),
            (ap.ComponentConfig("ng", ("e2nodeComponentInterfaceTypeNG", {"amf-name": "amf1"}), b"req", b"rsp"),)))
        await asyncio.wait_for(self._setup_done.wait(), 5)

    async def drop(self) -> None:
        """Lose the association abruptly (the node forgets its subscriptions, like a restart)."""
        for sub in self.subscriptions.values():
            if sub.task is not None:
                sub.task.cancel()
        self.subscriptions.clear()
        if self._ep is not None:
            await self._ep.close()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._loop_task

    async def send(self, msg: ap.E2apMessage) -> None:
        await self.send_bytes(ap.encode(msg))

    async def send_bytes(self, pdu: bytes) -> None:
        assert self._ep is not None
        await self._ep.send(pdu)

    async def _read_loop(self) -> None:
        assert self._ep is not None
        async for pdu in self._ep:
            try:
                msg = ap.decode(pdu)
            except E2Error:
                continue
            await self._handle(msg)

    async def _handle(self, msg: ap.E2apMessage) -> None:
        if isinstance(msg, ap.E2SetupResponse):
            self.setup_response = msg
            self._setup_done.set()
        elif isinstance(msg, ap.RicSubscriptionRequest):
            await self._subscribe(msg)
        elif isinstance(msg, ap.RicSubscriptionDeleteRequest):
            sub = self.subscriptions.pop(msg.request_id.instance, None)
            if sub is not None and sub.task is not None:
                sub.task.cancel()
            await self.send(ap.RicSubscriptionDeleteResponse(msg.request_id, msg.ran_function_id))
        elif isinstance(msg, ap.RicControlRequest):
            await self._control(msg)
        elif isinstance(msg, ap.ErrorIndication):
            self.error_indications.append(msg)

    async def _subscribe(self, req: ap.RicSubscriptionRequest) -> None:
        if req.ran_function_id != self.vendor.kpm_function_id:
            await self.send(ap.RicSubscriptionFailure(req.request_id, req.ran_function_id,
                                                ap.Cause("ricRequest", "ran-function-id-invalid")))
            return
        trigger = self.kpm.decode(PayloadKind.EVENT_TRIGGER, req.details.event_trigger)
        actions = []
        for a in req.details.actions:
            adef = self.kpm.decode(PayloadKind.ACTION_DEFINITION, a.definition)
            names = [m.meas_type for m in adef.subscription.measurements]
            if any(n not in MEASUREMENTS for n in names):
                await self.send(ap.RicSubscriptionFailure(req.request_id, req.ran_function_id,
                                                    ap.Cause("ricRequest", "action-not-supported")))
                return
            actions.append((a.id, adef))
        sub = SubState(req.request_id, trigger.reporting_period_ms, actions)
        self.subscriptions[req.request_id.instance] = sub
        response = ap.encode(ap.RicSubscriptionResponse(req.request_id, req.ran_function_id,
                                                        tuple(a for a, _ in actions)))
        start = time.time()
        if self.report_with_response:
            assert self._ep is not None
            pdus = [response, *self._indications(sub, start)]
            sub.sent += 1
            self._ep._writer.write(b"".join(frame(p) for p in pdus))  # type: ignore[attr-defined]  # one write
        else:
            await self.send_bytes(response)
        sub.task = asyncio.create_task(self._report(sub, start))

    def _indications(self, sub: SubState, t: float) -> list[bytes]:
        """The RIC Indications of one report period (one per action), as PDUs."""
        pdus = []
        for action_id, adef in sub.actions:
            fmt1 = adef.subscription
            self.counter += 1
            header = self.kpm.encode(KpmIndicationHeader(collect_start_time=round(t, 3)))
            message = self.kpm.encode(IndicationMessageFormat1(
                (MeasurementData(tuple(float(self.counter + i) for i in range(len(fmt1.measurements)))),),
                tuple(MeasurementInfo(m.meas_type) for m in fmt1.measurements), fmt1.granularity_period_ms))
            pdus.append(ap.encode(ap.RicIndication(sub.request, self.vendor.kpm_function_id, action_id, "report",
                                                   header, message, sn=sub.sent % 65536)))
        return pdus

    async def _report(self, sub: SubState, start: float) -> None:
        period = sub.period_ms / 1000
        while True:
            t = start + sub.sent * period
            await asyncio.sleep(max(0.0, t - time.time()))
            for pdu in self._indications(sub, t):
                await self.send_bytes(pdu)
            sub.sent += 1

    async def _control(self, req: ap.RicControlRequest) -> None:
        if req.ran_function_id == self.vendor.ccc_function_id:
            return await self._ccc_control(req)
        try:
            header = self.rc.decode(PayloadKind.CONTROL_HEADER, req.header)
            message = self.rc.decode(PayloadKind.CONTROL_MESSAGE, req.message)
            quotas = parse_slice_prb_quota(message)
        except E2Error:
            await self.send(ap.RicControlFailure(req.request_id, req.ran_function_id,
                                           ap.Cause("ricRequest", "control-message-invalid")))
            return
        self.controls.append((header, quotas))
        if any(q.min_ratio > q.max_ratio for q in quotas):
            await self.send(ap.RicControlFailure(req.request_id, req.ran_function_id,
                                           ap.Cause("ricRequest", "control-message-invalid")))
        elif req.ack_request != "noAck":
            await self.send(ap.RicControlAcknowledge(req.request_id, req.ran_function_id, outcome=b"applied"))

    async def _ccc_control(self, req: ap.RicControlRequest) -> None:
        """E2SM-CCC cell configuration control: every change applied, outcome format 2 in the ack."""
        ccc = default_registry().lookup("ccc")
        try:
            ccc.decode(PayloadKind.CONTROL_HEADER, req.header)
            message = ccc.decode(PayloadKind.CONTROL_MESSAGE, req.message)
        except E2Error:
            await self.send(ap.RicControlFailure(req.request_id, req.ran_function_id,
                                                 ap.Cause("ricRequest", "control-message-invalid")))
            return
        self.controls.append(("ccc", message))
        await self.send(ap.RicControlAcknowledge(req.request_id, req.ran_function_id,
                                                 outcome=ccc.encode(accept_all(message))))
