"""The local xApp link: xApps in their own processes, talking to the embedded RIC over a Unix or TCP socket.

Why not gRPC: ``ricxappframe`` pins ``protobuf<3.21``, and the same xApp image must install both. The link is a
stream of frames, each a 4-byte big-endian length then one UTF-8 JSON object (bytes as hex). Operations:

=====================  =========================================================================================
xApp -> RIC            ``hello`` {name, version, policy_types}; ``subscribe`` {id, node, spec};
                       ``unsubscribe`` {id, sub}; ``control`` {id, node, sm, header, message, ack, cpid, timeout};
                       ``policy_result`` {id, enforced}
RIC -> xApp            ``reply`` {id, ok, result | error}; ``nodes`` {nodes}; ``node`` {node, event};
                       ``indication`` {...}; ``policy`` {id, policy}
=====================  =========================================================================================

:class:`LinkServer` (in the RIC) makes each connection look like an in-process runtime to the RIC;
:class:`RemoteHost` (in the xApp process) is the :class:`~ric.xapp.host.Host` the xApp's runtime uses. The xApp
process encodes its E2SM control payloads itself (it knows each node's negotiated versions from ``nodes``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import struct
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from e2.errors import E2Error
from ric import e2glue
from ric.a1.policy import A1Operation, A1Policy
from ric.errors import LinkError, SubscriptionError
from ric.xapp.types import (
    ControlOutcome,
    ControlRequest,
    ControlStatus,
    Indication,
    KpmReportSpec,
    NodeEvent,
    NodeInfo,
    Subscription,
)

if TYPE_CHECKING:
    from ric.embedded.ric import EmbeddedRic
    from ric.xapp.runtime import XAppRuntime

__all__ = ["LinkServer", "RemoteHost", "read_frame", "write_frame"]

log = logging.getLogger("ric.link")

MAX_FRAME = 16 * 1024 * 1024
MAX_BACKLOG = 64 * 1024 * 1024  # bytes queued to one slow xApp process before its indications are dropped
_LEN = struct.Struct(">I")


async def read_frame(reader: asyncio.StreamReader) -> dict[str, Any]:
    """One frame; LinkError on a bad length or bad JSON, IncompleteReadError at end of stream."""
    (size,) = _LEN.unpack(await reader.readexactly(4))
    if size == 0 or size > MAX_FRAME:
        raise LinkError(f"bad frame length {size}")
    try:
        obj = json.loads(await reader.readexactly(size))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LinkError(f"frame is not JSON: {exc}") from None
    if not isinstance(obj, dict) or "op" not in obj:
        raise LinkError("frame without op")
    return obj


def write_frame(writer: asyncio.StreamWriter, obj: dict[str, Any]) -> None:
    data = json.dumps(obj, separators=(",", ":")).encode()
    writer.write(_LEN.pack(len(data)) + data)


def _rows_out(rows: list[Any]) -> list[list[Any]]:
    return [[r.node, r.cell, r.ue, r.slice, r.measurement, r.value, r.time] for r in rows]


def _rows_in(rows: list[list[Any]]) -> list[Any]:
    from e2.sm.kpm import KpmRow

    return [KpmRow(*r) for r in rows]


async def _open(address: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    if address.startswith("unix://"):
        return await asyncio.open_unix_connection(address[len("unix://"):])
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    return await asyncio.open_connection(host or "127.0.0.1", int(port))


# ----------------------------------------------------------------------------------------------- RIC side
class _LinkedXApp:
    """A remote xApp as the RIC sees it: the same surface as an in-process XAppRuntime."""

    def __init__(self, server: LinkServer, writer: asyncio.StreamWriter, hello: dict[str, Any]) -> None:
        self.server = server
        self.writer = writer
        self.name = str(hello["name"])
        self.xapp = SimpleNamespace(policy_types=tuple(int(t) for t in hello.get("policy_types", ())),
                                    name=self.name, version=str(hello.get("version", "")))
        self.subscriptions: dict[str, Subscription] = {}
        self._pending: dict[int, asyncio.Future[bool]] = {}
        self._ids = itertools.count(1)
        self.alive = True

    def healthy(self) -> bool:
        return self.alive

    def send(self, obj: dict[str, Any]) -> None:
        if self.alive:
            write_frame(self.writer, obj)

    def deliver_indication(self, ind: Indication) -> bool:
        metrics = self.server.ric.xapp_metrics
        metrics.indications.labels(self.name).inc()
        transport = self.writer.transport
        if transport is not None and transport.get_write_buffer_size() > MAX_BACKLOG:
            metrics.dropped.labels(self.name).inc()  # the xApp process is not reading: never grow unbounded
            return False
        self.send({"op": "indication", "node": ind.node_id, "sub": ind.subscription_id,
                   "fn": ind.ran_function_id, "action": ind.action_id, "seq": ind.sequence,
                   "header": ind.header.hex(), "message": ind.message.hex(), "rows": _rows_out(ind.rows),
                   "error": ind.decode_error})
        return True

    async def deliver_policy(self, policy: A1Policy) -> bool:
        pid = next(self._ids)
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[pid] = fut
        self.send({"op": "policy", "id": pid, "policy": {"type_id": policy.type_id, "instance_id":
                   policy.instance_id, "operation": policy.operation.value, "payload": policy.payload}})
        try:
            return await asyncio.wait_for(fut, self.server.ric.config.a1_delivery_timeout_s)
        except TimeoutError:
            return False
        finally:
            self._pending.pop(pid, None)

    def deliver_node_event(self, node: NodeInfo, event: NodeEvent) -> None:
        self.send({"op": "node", "node": node.to_json(), "event": event.value})

    def policy_result(self, pid: int, enforced: bool) -> None:
        fut = self._pending.get(pid)
        if fut is not None and not fut.done():
            fut.set_result(enforced)

    async def stop(self) -> None:
        self.alive = False
        self.writer.close()


class LinkServer:
    """Accepts remote xApps for an :class:`~ric.embedded.ric.EmbeddedRic`."""

    def __init__(self, ric: EmbeddedRic, address: str) -> None:
        self.ric = ric
        self.address = address
        self._server: asyncio.AbstractServer | None = None
        self._conns: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self.address.startswith("unix://"):
            path = self.address[len("unix://"):]
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            self._server = await asyncio.start_unix_server(self._serve, path)
        else:
            host, _, port = self.address.removeprefix("tcp://").rpartition(":")
            self._server = await asyncio.start_server(self._serve, host or "127.0.0.1", int(port))
            bound = self._server.sockets[0].getsockname()
            self.address = f"tcp://{bound[0]}:{bound[1]}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._conns):
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        linked: _LinkedXApp | None = None
        try:
            hello = await read_frame(reader)
            if hello.get("op") != "hello" or not hello.get("name"):
                raise LinkError("first frame must be hello with a name")
            linked = _LinkedXApp(self, writer, hello)
            await self.ric.attach(linked)  # type: ignore[arg-type]  # duck-typed runtime
            sdl_url = self.ric.sdl.url if self.ric.sdl is not None else None
            linked.send({"op": "nodes", "nodes": [n.to_json() for n in self.ric.nodes()], "sdl": sdl_url})
            while True:
                frame = await read_frame(reader)
                self._handle(linked, frame)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except (LinkError, ValueError, KeyError, TypeError) as exc:
            log.warning("xApp link closed on a bad frame: %s", exc)
        finally:
            self._conns.discard(task)
            if linked is not None:
                linked.alive = False
                with contextlib.suppress(Exception):
                    await self.ric.detach(linked)  # type: ignore[arg-type]
            writer.close()

    def _handle(self, linked: _LinkedXApp, frame: dict[str, Any]) -> None:
        op = frame["op"]
        if op == "policy_result":
            linked.policy_result(int(frame["id"]), bool(frame.get("enforced")))
            return
        coro = {"subscribe": self._subscribe, "unsubscribe": self._unsubscribe, "control": self._control}.get(op)
        if coro is None:
            raise LinkError(f"unknown op {op!r}")
        task = asyncio.get_running_loop().create_task(coro(linked, frame))
        self._conns.add(task)
        task.add_done_callback(self._conns.discard)

    async def _subscribe(self, linked: _LinkedXApp, f: dict[str, Any]) -> None:
        try:
            sub = await self.ric.subscribe(linked, str(f["node"]), KpmReportSpec.from_json(f["spec"]))  # type: ignore[arg-type]
        except (SubscriptionError, ValueError) as exc:
            linked.send({"op": "reply", "id": f["id"], "ok": False, "error": str(exc)})
            return
        linked.subscriptions[sub.subscription_id] = sub
        linked.send({"op": "reply", "id": f["id"], "ok": True, "result": {
            "subscription_id": sub.subscription_id, "node": sub.node_id, "fn": sub.ran_function_id}})

    async def _unsubscribe(self, linked: _LinkedXApp, f: dict[str, Any]) -> None:
        try:
            await self.ric.unsubscribe(linked, str(f["sub"]))  # type: ignore[arg-type]
            linked.subscriptions.pop(str(f["sub"]), None)
            linked.send({"op": "reply", "id": f["id"], "ok": True, "result": None})
        except SubscriptionError as exc:
            linked.send({"op": "reply", "id": f["id"], "ok": False, "error": str(exc)})

    async def _control(self, linked: _LinkedXApp, f: dict[str, Any]) -> None:
        request = ControlRequest(str(f["sm"]), bytes.fromhex(f["header"]), bytes.fromhex(f["message"]),
                                 bool(f.get("ack", True)), bytes.fromhex(f["cpid"]) if f.get("cpid") else None)
        out = await self.ric.control(linked, str(f["node"]), request, float(f.get("timeout", 1.0)))  # type: ignore[arg-type]
        linked.send({"op": "reply", "id": f["id"], "ok": True, "result": {
            "status": out.status.value, "cause": out.cause, "outcome": out.outcome.hex() if out.outcome else None,
            "latency_s": out.latency_s}})


# ---------------------------------------------------------------------------------------------- xApp side
class RemoteHost:
    """The :class:`~ric.xapp.host.Host` of an xApp process connected to an embedded RIC over the link."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._runtime: XAppRuntime | None = None
        self._nodes: dict[str, NodeInfo] = {}
        self._calls: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self._got_nodes = asyncio.Event()
        self.closed = asyncio.Event()
        self.sdl_url: str | None = None
        self._sdl: Any = None

    async def attach(self, runtime: XAppRuntime) -> None:
        self._runtime = runtime
        self._reader, self._writer = await _open(self.address)
        write_frame(self._writer, {"op": "hello", "name": runtime.name, "version": runtime.xapp.version,
                                   "policy_types": list(runtime.xapp.policy_types)})
        self._task = asyncio.create_task(self._read_loop())
        await asyncio.wait_for(self._got_nodes.wait(), 10)

    async def detach(self, runtime: XAppRuntime) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._task is not None:
            self._task.cancel()
        if self._sdl is not None:
            self._sdl.close()

    def sdl_namespace(self, name: str) -> Any:
        """The RIC's SDL (the URL it announced on the link), opened on first use."""
        if self.sdl_url is None:
            return None
        if self._sdl is None:
            from ric.sdl import Sdl, SdlConfig

            self._sdl = Sdl(SdlConfig(url=self.sdl_url))
        return self._sdl.namespace(name)

    def nodes(self) -> list[NodeInfo]:
        return list(self._nodes.values())

    async def _call(self, frame: dict[str, Any]) -> dict[str, Any]:
        if self._writer is None or self.closed.is_set():
            raise LinkError("not connected to the RIC")
        cid = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._calls[cid] = fut
        try:
            write_frame(self._writer, {**frame, "id": cid})
            return await fut
        finally:
            self._calls.pop(cid, None)

    async def subscribe(self, runtime: XAppRuntime, node_id: str, spec: KpmReportSpec) -> Subscription:
        reply = await self._call({"op": "subscribe", "node": node_id, "spec": spec.to_json()})
        if not reply["ok"]:
            raise SubscriptionError(reply["error"])
        r = reply["result"]
        return Subscription(r["subscription_id"], r["node"], spec, int(r["fn"]))

    async def unsubscribe(self, runtime: XAppRuntime, subscription_id: str) -> None:
        reply = await self._call({"op": "unsubscribe", "sub": subscription_id})
        if not reply["ok"]:
            raise SubscriptionError(reply["error"])

    async def control(self, runtime: XAppRuntime, node_id: str, request: ControlRequest,
                      timeout_s: float) -> ControlOutcome:
        node = self._nodes.get(node_id)
        function = e2glue.find_function(node, request.service_model) if node is not None else None
        if node is None or function is None:
            return ControlOutcome(ControlStatus.ERROR, f"E2 node {node_id} or its {request.service_model} unknown")
        try:
            header, message = e2glue.encode_control_payload(function, request.header, request.message)
        except E2Error as exc:
            return ControlOutcome(ControlStatus.ERROR, f"encoding failed: {exc}")
        try:
            reply = await asyncio.wait_for(self._call({
                "op": "control", "node": node_id, "sm": request.service_model, "header": header.hex(),
                "message": message.hex(), "ack": request.ack_requested,
                "cpid": request.call_process_id.hex() if request.call_process_id else None,
                "timeout": timeout_s}), timeout_s + 1.0)
        except TimeoutError:
            return ControlOutcome(ControlStatus.TIMEOUT, f"the RIC did not answer within {timeout_s + 1.0} s")
        r = reply["result"]
        return ControlOutcome(ControlStatus(r["status"]), r["cause"],
                              bytes.fromhex(r["outcome"]) if r["outcome"] else None, float(r["latency_s"]))

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                frame = await read_frame(self._reader)
                self._dispatch(frame)
        except (asyncio.IncompleteReadError, ConnectionError, LinkError) as exc:
            log.warning("link to the RIC closed: %s", exc)
        finally:
            self.closed.set()
            for fut in self._calls.values():
                if not fut.done():
                    fut.set_exception(LinkError("link to the RIC closed"))

    def _dispatch(self, f: dict[str, Any]) -> None:
        op, rt = f["op"], self._runtime
        if op == "reply":
            fut = self._calls.get(int(f["id"]))
            if fut is not None and not fut.done():
                fut.set_result(f)
        elif op == "nodes":
            self._nodes = {n["node_id"]: NodeInfo.from_json(n) for n in f["nodes"]}
            self.sdl_url = f.get("sdl")
            self._got_nodes.set()
        elif op == "node" and rt is not None:
            node = NodeInfo.from_json(f["node"])
            self._nodes[node.node_id] = node
            rt.deliver_node_event(node, NodeEvent(f["event"]))
        elif op == "indication" and rt is not None:
            rt.deliver_indication(Indication(
                node_id=f["node"], subscription_id=f["sub"], ran_function_id=int(f["fn"]),
                action_id=int(f["action"]), header=bytes.fromhex(f["header"]), message=bytes.fromhex(f["message"]),
                rows=_rows_in(f["rows"]), sequence=f.get("seq"), received_at=time.monotonic(),
                decode_error=f.get("error")))
        elif op == "policy" and rt is not None:
            p = f["policy"]
            policy = A1Policy(int(p["type_id"]), str(p["instance_id"]), A1Operation(p["operation"]), p["payload"])
            asyncio.get_running_loop().create_task(self._policy(int(f["id"]), policy))

    async def _policy(self, pid: int, policy: A1Policy) -> None:
        assert self._runtime is not None and self._writer is not None
        enforced = await self._runtime.deliver_policy(policy)
        write_frame(self._writer, {"op": "policy_result", "id": pid, "enforced": enforced})
