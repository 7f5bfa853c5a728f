"""The e2sim runner: one process, one asyncio loop, one simulator driving every gNB's E2 association.

* The simulation clock: the simulator advances tick by tick so that simulated time follows wall time times
  ``speed`` (1.0 = real time). Whenever a measurement period closes, every agent turns it into the RIC
  Indications that are due; an indication whose send time is later than its due time (period end, in wall
  time) by more than ``late_after_s`` counts as late. When the loop cannot keep up it does not skip physics:
  simulated time falls behind and the lateness shows it.
* One link task per gNB (:mod:`e2.transport`): connect (SCTP where available, length-framed TCP otherwise),
  E2 Setup, answer the RIC, and on loss reconnect with capped exponential backoff + jitter and set up again
  (an E2 Setup Failure's TimeToWait is honoured).
* Everything E2AP is in the sans-I/O :class:`~e2sim.node.agent.E2NodeAgent`; this module only moves bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from e2.errors import TransportError
from e2.transport import Endpoint, backoff_delays, connect
from e2sim.node.agent import E2NodeAgent, Outgoing
from e2sim.node.profiles import parse_e2_config
from e2sim.node.ran import RanContext
from e2sim.scenarios import Scenario, ScenarioError, TimeConfig, load_scenario
from e2sim.sim import RanSimulator

__all__ = ["E2SimRunner", "RunnerConfig", "RunnerStats", "prepare_scenario"]

log = logging.getLogger("e2sim.runner")


@dataclass(frozen=True)
class RunnerConfig:
    """Typed configuration of a run (the CLI builds it from its flags)."""

    ric_host: str = "127.0.0.1"
    ric_port: int = 36421
    transport: str = "auto"  # auto | sctp | tcp
    speed: float = 10.0  # simulated seconds per wall-clock second; 1.0 = real time
    seed: int = 0
    copies: int = 1  # independent copies of the scenario's RAN (batch instances), gNB IDs continue
    measurement_period_ms: float | None = None  # override the scenario's measurement (decision) period
    late_after_s: float | None = None  # default: half a measurement period of wall time
    backoff_base_s: float = 0.2
    backoff_cap_s: float = 5.0
    connect_timeout_s: float = 3.0
    setup_timeout_s: float = 5.0


@dataclass
class RunnerStats:
    """What the runner measured (the benchmark reads these)."""

    indications: int = 0
    late: int = 0
    max_lateness_s: float = 0.0
    send_errors: int = 0
    periods: int = 0
    connects: int = 0
    lateness_samples: list[float] = field(default_factory=list)


def prepare_scenario(scenario: Scenario | str, measurement_period_ms: float | None = None) -> Scenario:
    """Load the scenario and apply a measurement-period override (a multiple of the physics tick)."""
    sc = load_scenario(scenario)
    if measurement_period_ms is None:
        return sc
    ticks = measurement_period_ms / sc.time.tick_ms
    if measurement_period_ms <= 0 or abs(ticks - round(ticks)) > 1e-9:
        raise ScenarioError(f"time.decision_period_ms: the measurement period {measurement_period_ms:g} ms must be "
                            f"a positive multiple of the {sc.time.tick_ms:g} ms tick")
    t = sc.time
    return sc.replace(time=TimeConfig(t.tick_ms, float(measurement_period_ms), t.episode_decisions))


class E2SimRunner:
    """All gNBs of a scenario as E2 nodes of one RIC. ``await runner.run(stop)`` until ``stop`` is set."""

    def __init__(self, scenario: Scenario | str, config: RunnerConfig | None = None) -> None:
        self.config = cfg = config or RunnerConfig()
        if cfg.speed <= 0:
            raise ValueError(f"speed must be > 0, got {cfg.speed}")
        sc = prepare_scenario(scenario, cfg.measurement_period_ms)
        self.sim = RanSimulator(sc, batch=cfg.copies, seed=cfg.seed)
        self.e2config = parse_e2_config(sc.extra.get("e2"), self.sim.num_sites)
        self.ctx = RanContext(self.sim, self.e2config, epoch_unix=time.time())
        self.agents = [E2NodeAgent(self.ctx, g, timeout_s=cfg.setup_timeout_s) for g in self.ctx.gnbs]
        self.endpoints: dict[int, Endpoint] = {}
        self.stats = RunnerStats()
        self._t0: float | None = None
        self._ticks = 0
        self._stop = asyncio.Event()
        self.late_after_s = cfg.late_after_s if cfg.late_after_s is not None else \
            0.5 * self.sim.period_s / cfg.speed

    # -- public ----------------------------------------------------------------------------------------------
    def counters(self) -> Counter[str]:
        """Counters of all agents added up (setups, subscriptions, indications, controls, bad PDUs...)."""
        total: Counter[str] = Counter()
        for a in self.agents:
            total.update(a.counters)
        return total

    def agent(self, gnb_id: int) -> E2NodeAgent:
        return next(a for a in self.agents if a.gnb.gnb_id == gnb_id)

    def stop(self) -> None:
        self._stop.set()

    async def run(self, stop: asyncio.Event | None = None, duration_s: float | None = None) -> RunnerStats:
        """Run until ``stop`` is set, :meth:`stop` is called or ``duration_s`` wall seconds have passed."""
        loop = asyncio.get_running_loop()
        tasks = [loop.create_task(self._link(i, a), name=f"e2-link-{a.name}") for i, a in enumerate(self.agents)]
        tasks.append(loop.create_task(self._clock(), name="e2sim-clock"))
        waiters = [loop.create_task(self._stop.wait())]
        if stop is not None:
            waiters.append(loop.create_task(stop.wait()))
        if duration_s is not None:
            waiters.append(loop.create_task(asyncio.sleep(duration_s)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks + waiters:
                t.cancel()
            for t in tasks + waiters:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
            for ep in list(self.endpoints.values()):
                await ep.close()
        return self.stats

    # -- links -----------------------------------------------------------------------------------------------
    async def _link(self, index: int, agent: E2NodeAgent) -> None:
        cfg = self.config
        loop = asyncio.get_running_loop()
        delays = backoff_delays(cfg.backoff_base_s, cfg.backoff_cap_s, seed=cfg.seed * 100003 + index)
        while True:
            try:
                ep = await connect(cfg.ric_host, cfg.ric_port, transport=cfg.transport,
                                   timeout_s=cfg.connect_timeout_s)
            except TransportError as exc:
                log.debug("%s: %s", agent.name, exc)
                await asyncio.sleep(next(delays))
                continue
            self.stats.connects += 1
            self.endpoints[index] = ep
            try:
                for pdu in agent.connection_made(loop.time()):
                    await ep.send(pdu)
                while True:
                    pdu = await ep.recv()
                    for reply in agent.receive(pdu, loop.time()):
                        await ep.send(reply)
                    if agent.setup_refused:  # E2 Setup Failure: drop, wait (TimeToWait or backoff), start over
                        break
            except TransportError as exc:
                log.info("%s: association lost: %s", agent.name, exc)
            finally:
                self.endpoints.pop(index, None)
                agent.connection_lost()
                await ep.close()
            if agent.setup_refused:
                wait = agent.retry_after_s
                await asyncio.sleep(wait if wait is not None else next(delays))
            else:  # the association had been up: start the backoff schedule afresh
                delays = backoff_delays(cfg.backoff_base_s, cfg.backoff_cap_s, seed=cfg.seed * 100003 + index)
                await asyncio.sleep(next(delays))

    # -- the simulation clock --------------------------------------------------------------------------------
    async def _clock(self) -> None:
        loop = asyncio.get_running_loop()
        sim, speed = self.sim, self.config.speed
        tick_s = sim.tick_s
        self._t0 = loop.time()
        next_poll = self._t0
        while True:
            now = loop.time()
            if now >= next_poll:
                self._poll_agents(now)
                next_poll = now + 0.25
            lag = (self._ticks + 1) * tick_s / speed - (now - self._t0)
            if lag > 0:
                await asyncio.sleep(lag)
                continue
            sim.step(1)
            self._ticks += 1
            if self._ticks % sim.ticks_per_period == 0:
                await self._period()
            else:
                await asyncio.sleep(0)

    def _poll_agents(self, now: float) -> None:
        for i, agent in enumerate(self.agents):
            if agent.poll(now):
                ep = self.endpoints.get(i)
                if ep is not None:
                    asyncio.get_running_loop().create_task(ep.close())

    async def _period(self) -> None:
        """Report one closed measurement period. Each gNB's indications go out as soon as they are encoded (a
        gNB does not wait for the others), and the gNB that starts rotates, so no node is always served last."""
        m = self.sim.measurements()
        self.stats.periods += 1
        n = len(self.agents)
        first = self.stats.periods % n
        for j in range(n):
            i = (first + j) % n
            ep = self.endpoints.get(i)
            if ep is None:
                continue
            for out in self.agents[i].on_period(m):
                await self._send(ep, out)
        await asyncio.sleep(0)

    async def _send(self, ep: Endpoint, out: Outgoing) -> None:
        assert self._t0 is not None
        loop = asyncio.get_running_loop()
        try:
            await ep.send(out.pdu)
        except TransportError:
            self.stats.send_errors += 1
            return
        lateness = loop.time() - (self._t0 + out.due_sim_s / self.config.speed)
        st = self.stats
        st.indications += 1
        if lateness > self.late_after_s:
            st.late += 1
        st.max_lateness_s = max(st.max_lateness_s, lateness)
        if len(st.lateness_samples) < 1_000_000:
            st.lateness_samples.append(lateness)

    @property
    def sim_time_s(self) -> float:
        return float(self.sim.time_s[0])

    def describe(self) -> list[dict[str, Any]]:
        """One line per gNB: ID, vendor, KPM version, RAN function IDs, cells (NR CGIs)."""
        return [{"gnb_id": a.gnb.gnb_id, "vendor": a.profile.name, "kpm": a.profile.kpm_version,
                 "functions": a.profile.function_ids(), "cells": [str(a.gnb.cgi(i)) for i in range(len(a.gnb.cells))]}
                for a in self.agents]

