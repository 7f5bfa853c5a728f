"""PolicyXApp: the base class of xApps that serve a learned per-cell policy.

The author supplies only what is specific to the job::

    class EnergyXApp(PolicyXApp):
        name = "energy"
        task = "energy"                 # feature spec, action spec, guardrails, A1 model policy type
        baseline = "threshold"          # the fallback (ranpilot.baselines)

        def to_controls(self, node, cells, controls, previous):
            # E2SM-CCC states the believed old value; unknown (NaN) -> repeat the new one
            return [ControlRequest("CCC", *energy_saving_control(
                        cell_from_text(c), enable=bool(lvl > 0),
                        was_saving=bool(was > 0) if np.isfinite(was) else bool(lvl > 0)))
                    for c, lvl, was in zip(cells, controls["level"], previous["level"])]

and, if needed, ``measurements`` (extra KPM names), ``features(snapshot)`` (rows -> per-cell arrays, default
:class:`ric.policy.CellTable`'s) and ``neighbours(ctx, cells)`` (default: the config's neighbour map, else the
cells of one node are neighbours). The runtime part owns the rest: KPM subscriptions on every node (also after a
node comes up again), the decision loop (every ``decision_period_s``, in its own task so that loading a model or
waiting for an A1 answer never delays a decision), fallback to the baseline, guardrails, hot-swap (model file
followed, SDL key, A1 policy type :data:`ric.policy.MODEL_POLICY_TYPE_IDS`), controls of changed cells only (sent
to all nodes concurrently; a failed control makes the cell's state unknown again) and metrics.

Which cells a decision covers: every cell (R-NIB cells and cells seen in reports) of the connected nodes that
accepted the KPM subscription. A node that refuses it (it cannot report a measurement the feature spec needs) is
listed in ``unserved`` and its cells are never controlled - the policy does not act on cells it cannot observe.
A served cell without a (fresh) report makes the decision fall back to the baseline, with that cell held.

A1: a CREATE/UPDATE naming a model is enforced (``True``) once the model loaded and validated - it serves from the
next decision; a refused model returns ``False`` (status NOT_ENFORCED) and the previous model keeps serving.
DELETE restores the configured model (or the baseline when none is configured).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ric.a1.policy import A1Operation, A1Policy
from ric.errors import SubscriptionError
from ric.policy import (
    MODEL_POLICY_TYPE_IDS,
    CellTable,
    Decision,
    FileModelSource,
    LoadedModel,
    ModelRef,
    ModelSwapper,
    PolicyRunner,
    RunnerConfig,
    SdlModelSource,
    Snapshot,
    SwapOutcome,
    cell_key,
    policy_metrics,
    split_key,
)
from ric.policy.guardrails import GuardConfig
from ric.xapp.api import XApp, XAppContext
from ric.xapp.types import ControlRequest, ControlStatus, Indication, KpmReportSpec, NodeEvent, NodeInfo

__all__ = ["PolicyXApp", "PolicyXAppConfig"]

KPM = "ORAN-E2SM-KPM"


@dataclass(frozen=True)
class PolicyXAppConfig:
    """Typed configuration of a policy xApp (the CLI / O-RAN SC adapter reads files and env, not this class).

    ``model_path``: the model to serve at start, followed on disk (changes re-verified and hot-swapped);
    ``sdl_model_key``: an SDL key (the xApp's namespace) to follow as well; ``model_root``: refs from A1 / SDL
    must lie inside it (relative ones are taken from it); ``neighbours``: cell key -> neighbour cell keys
    (``"<node>|<MCC-MNC/NCI>"``); ``max_age_s``: default 3 decision periods.
    """

    model_path: str | Path | None = None
    sdl_model_key: str | None = None
    model_root: str | Path | None = None
    decision_period_s: float | None = None
    report_period_ms: int | None = None
    model_poll_s: float = 2.0
    max_age_s: float | None = None
    guard: GuardConfig | None = None
    baseline_params: dict[str, Any] | None = None
    neighbours: dict[str, Sequence[str]] | None = None
    control_timeout_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class PolicyXApp(XApp, abc.ABC):
    """Base class: see the module docstring. Subclasses set ``name``, ``task``, ``baseline``, ``to_controls``."""

    task: ClassVar[str] = ""
    baseline: ClassVar[str | None] = None
    measurements: ClassVar[tuple[str, ...]] = ()  # KPM names beyond the feature spec's
    decision_period_s: ClassVar[float] = 1.0
    report_period_ms: ClassVar[int] = 1000

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.task and not cls.__dict__.get("policy_types"):
            cls.policy_types = (MODEL_POLICY_TYPE_IDS[cls.task],)

    def __init__(self, config: PolicyXAppConfig | None = None) -> None:
        if not self.task:
            raise TypeError(f"{type(self).__name__} must set the class attribute 'task'")
        self.config = config or PolicyXAppConfig()
        self.period_s = self.config.decision_period_s or self.decision_period_s
        self.table: CellTable | None = None
        self.runner: PolicyRunner | None = None
        self.swapper: ModelSwapper | None = None
        self.last_decision: Decision | None = None
        self.decisions: list[Decision] = []  # the most recent ones (bounded), for inspection/tests
        self.control_failures = 0
        self.last_control_error = ""
        self.loop_errors = 0
        self._sources: list[Any] = []
        self._loop_task: asyncio.Task[None] | None = None
        self._poll: Any = None
        self._next_poll = 0.0
        self._subscribed: set[str] = set()
        self.unserved: dict[str, str] = {}  # node -> why its cells are not controlled (subscription refused)

    # -- hooks an author may override ---------------------------------------------------------------------
    @abc.abstractmethod
    def to_controls(self, node: str, cells: list[str], controls: dict[str, np.ndarray],
                    previous: dict[str, np.ndarray]) -> list[ControlRequest]:
        """The E2 controls that apply ``controls`` (guarded, decoded per cell: ``ActionSpec.decode`` keys) to
        ``cells`` (NR CGI texts ``MCC-MNC/NCI``) of ``node``. Called only for cells whose controls changed.
        ``previous``: the same keys, the state the runtime believes each cell is in (NaN: not known yet) - e.g.
        E2SM-CCC ``oldValuesOfAttributes``."""

    def features(self, snapshot: Snapshot) -> dict[str, np.ndarray]:
        """Per-cell KPM-named arrays (``FeatureSpec.build`` convention) from the latest reports."""
        return snapshot.arrays

    def neighbours(self, ctx: XAppContext, cells: list[str]) -> np.ndarray:
        """(C, C) bool neighbour relation over ``cells`` (cell keys): the configured map, else same node."""
        n = len(cells)
        nb = np.zeros((n, n), dtype=bool)
        if self.config.neighbours is not None:
            pos = {c: i for i, c in enumerate(cells)}
            for c, others in self.config.neighbours.items():
                if c in pos:
                    for o in others:
                        if o in pos:
                            nb[pos[c], pos[o]] = nb[pos[o], pos[c]] = True
        else:
            nodes = np.array([split_key(c)[0] for c in cells])
            nb = nodes[:, None] == nodes[None, :]
        np.fill_diagonal(nb, False)
        return nb

    # -- runtime part -------------------------------------------------------------------------------------------
    async def on_start(self, ctx: XAppContext) -> None:
        cfg = self.config
        metrics = policy_metrics(ctx.registry)
        runner_cfg = RunnerConfig(self.baseline, cfg.baseline_params, cfg.guard,
                                  cfg.max_age_s if cfg.max_age_s is not None else 3 * self.period_s)
        self.runner = PolicyRunner(self.task, runner_cfg, metrics=metrics, name=self.name,
                                   on_swap=lambda m: self._published(ctx, m))
        self.table = CellTable(self.runner.feature_spec, extra=self.measurements)
        self.swapper = ModelSwapper(self.runner, model_root=cfg.model_root)
        if cfg.model_path is not None:
            self._sources.append(FileModelSource(cfg.model_path))
        if cfg.sdl_model_key is not None:
            self._sources.append(SdlModelSource(ctx.sdl, cfg.sdl_model_key))
        ctx.set_model_version(self.runner.version)
        if self._sources:  # first load before the first decision (off the event loop)
            await asyncio.wrap_future(self.swapper.poll(*self._sources))
            self._next_poll = time.monotonic() + cfg.model_poll_s
        for node in ctx.nodes():
            if node.connected:
                await self._subscribe(ctx, node)
        self._loop_task = asyncio.create_task(self._loop(ctx), name=f"decisions:{self.name}")

    async def on_stop(self, ctx: XAppContext) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if self.swapper is not None:
            self.swapper.close()

    def healthy(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    async def on_node(self, ctx: XAppContext, node: NodeInfo, event: NodeEvent) -> None:
        if event is NodeEvent.UP:
            await self._subscribe(ctx, node)

    async def _subscribe(self, ctx: XAppContext, node: NodeInfo) -> None:
        if node.function(KPM) is None or node.node_id in self._subscribed or self.table is None:
            return
        names = tuple(self.table.cell_scoped + self.table.slice_scoped)
        period = self.config.report_period_ms or self.report_period_ms
        kpm = node.function(KPM)
        offered = set(kpm.kpm_measurements(1)) if kpm is not None else set()
        lacking = [m for m in names if offered and m not in offered]
        if lacking:  # the R-NIB knows the node's style-1 measurements: no need to ask to be refused
            self.unserved[node.node_id] = f"node does not offer {', '.join(lacking)}"
            ctx.log.warning("node %s not served: it does not offer %s", node.node_id, ", ".join(lacking))
            return
        try:
            await ctx.subscribe(node.node_id, KpmReportSpec(names, period_ms=period))
        except SubscriptionError as exc:
            # The policy cannot observe this node's cells, so it does not control them (never acts blind).
            self.unserved[node.node_id] = str(exc)
            ctx.log.warning("node %s not served: it refused the KPM subscription to the feature spec's "
                            "measurements (%s)", node.node_id, exc)
            return
        self.unserved.pop(node.node_id, None)
        self._subscribed.add(node.node_id)

    async def on_indication(self, ctx: XAppContext, ind: Indication) -> None:
        if self.table is not None:
            self.table.add(ind.rows, time.monotonic())

    async def on_a1_policy(self, ctx: XAppContext, policy: A1Policy) -> bool:
        from ric.policy import model_ref_from_a1

        if self.swapper is None:
            return False
        if policy.operation is A1Operation.DELETE:
            if self.config.model_path is not None:
                out = await asyncio.wrap_future(self.swapper.request(ModelRef(str(self.config.model_path),
                                                                              origin="config")))
                return out.ok
            self.swapper.withdraw()
            return True
        try:
            ref = model_ref_from_a1(policy.payload, self.task)
        except ValueError as exc:
            ctx.log.warning("A1 policy %s refused: %s", policy.instance_id, exc)
            return False
        outcome: SwapOutcome = await asyncio.wrap_future(self.swapper.request(ref))
        if not outcome.ok:
            ctx.log.warning("A1 policy %s: model refused (%s); the previous model keeps serving",
                            policy.instance_id, outcome.reason)
        return outcome.ok

    def _published(self, ctx: XAppContext, model: LoadedModel | None) -> None:
        assert self.runner is not None
        ctx.set_model_version(self.runner.version if model is None else model.version)

    # -- the decision loop ----------------------------------------------------------------------------------
    async def _loop(self, ctx: XAppContext) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time() + self.period_s
        while True:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            next_at += self.period_s
            if next_at < loop.time():  # fell behind (e.g. slow controls): skip, never burst
                next_at = loop.time() + self.period_s
            try:
                await self.decide_once(ctx)
            except Exception:
                self.loop_errors += 1
                ctx.log.exception("decision failed; the next one runs on schedule")

    def _cells(self, ctx: XAppContext) -> list[str]:
        assert self.table is not None
        up = {n.node_id: n for n in ctx.nodes() if n.connected and n.node_id in self._subscribed}
        cells = {c for c in self.table.cells() if split_key(c)[0] in up}
        for node in up.values():
            cells.update(cell_key(node.node_id, ci.nr_cgi) for ci in node.cells)
        return sorted(cells)

    async def decide_once(self, ctx: XAppContext) -> Decision | None:
        """One decision now (the loop calls this every period; tests may call it directly)."""
        assert self.runner is not None and self.table is not None and self.swapper is not None
        now = time.monotonic()
        if self._sources and now >= self._next_poll and (self._poll is None or self._poll.done()):
            self._poll = self.swapper.poll(*self._sources)  # runs in the loader thread; swaps land later
            self._next_poll = now + self.config.model_poll_s
        cells = self._cells(ctx)
        if not cells:
            return None
        snapshot = self.table.snapshot(cells, now, self.runner.config.max_age_s)
        snapshot.arrays = self.features(snapshot)
        decision = self.runner.decide_snapshot(snapshot, self.neighbours(ctx, cells), now)
        self.last_decision = decision
        self.decisions = [*self.decisions[-99:], decision]
        await self._apply(ctx, decision)
        return decision

    async def _apply(self, ctx: XAppContext, decision: Decision) -> None:
        by_node: dict[str, list[int]] = {}
        for i in np.flatnonzero(decision.changed):
            by_node.setdefault(split_key(decision.cells[i])[0], []).append(int(i))
        if not by_node:
            return

        async def send(node: str, idx: list[int]) -> None:
            keys = [decision.cells[i] for i in idx]
            try:
                requests = self.to_controls(node, [split_key(k)[1] for k in keys], decision.controls_of(idx),
                                            decision.controls_of(idx, previous=True))
            except Exception:
                ctx.log.exception("to_controls failed for %s", node)
                requests = None
            if requests is None:
                self.runner.mark_failed(keys)  # type: ignore[union-attr]
                return
            outcomes = await asyncio.gather(*(ctx.control(node, r, timeout_s=self.config.control_timeout_s)
                                              for r in requests))
            failed = [o for o in outcomes if o.status is not ControlStatus.ACK]
            if failed:
                self.control_failures += 1
                self.last_control_error = f"{node}: {failed[0].status.value} {failed[0].cause or ''}".strip()
                self.runner.mark_failed(keys)  # type: ignore[union-attr]

        await asyncio.gather(*(send(node, idx) for node, idx in by_node.items()))
