"""``ranpilot ric`` as a process (embedded Redis, JSON logs) with an xApp in a second process over the link."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from ric_e2node import VENDOR_A, HarnessNode
from ric_redis import free_port

CLI = "import sys; from ranpilot.cli import main; sys.exit(main(sys.argv[1:]))"


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "exited"
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} not up")


def test_ranpilot_ric_with_a_separate_xapp_process(tmp_path: Path):
    e2_port, http_port, xapp_port = free_port(), free_port(), free_port()
    sock = tmp_path / "ric.sock"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    env.pop("REDIS_URL", None)
    ric = subprocess.Popen([sys.executable, "-c", CLI, "ric", "--e2-host", "127.0.0.1", "--e2-port", str(e2_port),
                            "--http-host", "127.0.0.1", "--http-port", str(http_port), "--link", f"unix://{sock}",
                            "--sdl-file", str(tmp_path / "sdl.rdb")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    xapp = None
    try:
        base = f"http://127.0.0.1:{http_port}"
        _wait_http(base + "/ric/v1/health/ready", ric)
        xapp = subprocess.Popen([sys.executable, "-c", CLI, "ric", "--connect", f"unix://{sock}",
                                 "--xapp", "ric_demo_xapp:SubscribeAll", "--http-host", "127.0.0.1",
                                 "--xapp-http-port", str(xapp_port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        async def node_session() -> None:
            node = HarnessNode(7, VENDOR_A, e2_port)
            deadline = time.monotonic() + 20
            while not any(x["name"] == "suball" for x in httpx.get(base + "/ric/v1/xapps").json()):
                assert time.monotonic() < deadline and xapp.poll() is None
                await asyncio.sleep(0.1)
            await node.connect()
            while not node.subscriptions or next(iter(node.subscriptions.values())).sent < 3:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            nodes = httpx.get(base + "/ric/v1/nodes").json()
            assert [n["node_id"] for n in nodes] == [node.node_id] and nodes[0]["connected"]
            xapps = httpx.get(base + "/ric/v1/xapps").json()
            assert xapps == [{"name": "suball", "healthy": True, "subscriptions": 1, "policy_types": []}]
            metrics = httpx.get(base + "/metrics").text
            assert "ranpilot_ric_e2_nodes_connected 1.0" in metrics
            # the xApp process serves its own metrics and health
            xm = httpx.get(f"http://127.0.0.1:{xapp_port}/ric/v1/metrics").text
            assert 'ranpilot_xapp_active_subscriptions{xapp="suball"} 1.0' in xm
            assert 'ranpilot_xapp_indications_total{xapp="suball"}' in xm
            # ... including the series the xApp registered itself (ctx.registry)
            assert f'suball_reports_total{{node="{node.node_id}"}}' in xm
            assert httpx.get(f"http://127.0.0.1:{xapp_port}/ric/v1/health/ready").json()["ready"] is True
            await node.drop()

        asyncio.run(node_session())
    finally:
        if xapp is not None:
            xapp.send_signal(signal.SIGTERM)
            xapp.wait(timeout=10)
        ric.send_signal(signal.SIGTERM)
        ric.wait(timeout=10)
    assert ric.returncode == 0
    logs = [json.loads(line) for line in ric.stderr.read().decode().splitlines() if line.startswith("{")]
    assert any(rec["msg"] == "E2 node up" and rec["node"] == "gnb_001_001_00000007" for rec in logs)


def test_start_errors_are_one_line_and_exit_2(tmp_path: Path):
    import pytest

    from e2.transport import sctp_supported

    if sctp_supported():
        pytest.skip("this kernel has SCTP")
    env = {**os.environ}
    env.pop("REDIS_URL", None)
    proc = subprocess.run([sys.executable, "-c", CLI, "ric", "--transport", "sctp", "--e2-port", "0",
                           "--http-port", str(free_port()), "--sdl-file", str(tmp_path / "s.rdb"), "--plain-logs",
                           "--log-level", "ERROR"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("ranpilot ric: SCTP is not supported")
    assert "Traceback" not in proc.stderr
