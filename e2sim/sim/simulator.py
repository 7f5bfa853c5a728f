"""RanSimulator: B independent system-level RAN instances advanced by the same numpy array operations.

Data flow of one tick (``scenario.time.tick_ms``), all arrays over (batch, UEs, cells) or (batch, cells):

    mobility -> geometry (TR 38.901 path loss, LOS, shadowing, antenna) -> RSRP -> L3 filter (38.331)
    -> SINR with load-scaled interference -> mobility management (forced HO off sleeping cells, A3 + TTT,
    HO failure, T310 RLF, re-establishment) -> traffic arrivals -> slice PRB split (TS 28.541) and PF per slice
    -> served bits, queues, delay -> EARTH power / sleep-state energy -> measurement accumulators.

Every ``decision_period_ms`` the instance closes a measurement period (TS 28.552-named values, see
:mod:`e2sim.sim.measurements`). Randomness: one ``numpy.random.Generator`` per model component per instance,
derived from the instance seed by ``SeedSequence``; instance i of a batch seeded with s behaves exactly like a
single simulator seeded with s + i (the gymnasium vector-env convention). There is no global RNG.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from e2sim.scenarios import CIO_VALUES_DB, SLICE_NAMES, TTT_VALUES_MS, Scenario, load_scenario
from e2sim.sim import energy, radio
from e2sim.sim.layout import build_geometry
from e2sim.sim.measurements import Measurements
from e2sim.sim.scheduler import rrm_policy_split, water_fill

RNG_COMPONENTS: tuple[str, ...] = ("placement", "mobility", "shadowing", "traffic")
NO_CELL = -1
NEG_DBM = -200.0  # RSRP of a cell that does not transmit
MAX_DELAY_S = 10.0
MAX_QUEUE_BITS = 200e6

_CELL_ACC = ("prb_used", "prb_avail", "conn", "energy", "bits", "thp_time", "delay_w", "delay_sum",
             "ho_intra_req", "ho_intra_succ", "ho_inter_req", "ho_inter_succ", "rlf", "pingpong", "drop",
             "outage")
_SLICE_ACC = ("prb_used", "bits", "thp_time", "delay_w", "delay_sum", "conn")
_UE_ACC = ("bits", "thp_time", "sinr_sum", "conn_ticks")


def _seed_generators(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(int(seed)).spawn(len(RNG_COMPONENTS))
    return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(RNG_COMPONENTS, children, strict=True)}


class RanSimulator:
    """B independent instances of one scenario.

    Construction: ``RanSimulator(scenario, batch=B, seed=S)``; ``scenario`` may be a name, a path or a
    :class:`~e2sim.scenarios.Scenario`. The instances start reset (instance i seeded with S + i).

    Controls (validated, ``ValueError`` on bad arguments) take effect at the next tick:
    :meth:`set_slice_rrm_policy`, :meth:`set_cell_state`, :meth:`set_cio`, :meth:`set_handover_params`,
    :meth:`handover`; vectorised versions (``*_array``) take (B, C, ...) arrays for the envs.
    """

    def __init__(self, scenario: Scenario | str, batch: int = 1, seed: int | None = 0) -> None:
        if not isinstance(batch, (int, np.integer)) or batch < 1:
            raise ValueError(f"batch must be a positive integer, got {batch!r}")
        sc = load_scenario(scenario)
        self.scenario = sc
        self.batch = int(batch)
        self.geometry = geo = build_geometry(sc.layout)
        self.num_cells = int(geo.cell_site.shape[0])
        self.num_sites = int(geo.site_xy.shape[0])
        self.cell_ids = geo.cell_ids
        self.site_of_cell = geo.cell_site
        self.neighbours = geo.neighbours
        self.slice_names: list[str] = list(SLICE_NAMES)
        self.num_slices = len(SLICE_NAMES)
        self.tick_s = sc.time.tick_ms / 1000.0
        self.ticks_per_period = sc.ticks_per_decision
        self.period_s = self.tick_s * self.ticks_per_period
        self.episode_s = self.period_s * sc.time.episode_decisions

        # --- static per-UE attributes (identical for every instance so that array shapes match)
        counts = [int(round(sc.traffic[s].ues_per_cell * self.num_cells)) for s in SLICE_NAMES]
        self.num_ues = int(sum(counts))
        self.ue_slice = np.repeat(np.arange(self.num_slices), counts)
        tr = [sc.traffic[s] for s in SLICE_NAMES]
        self.ue_packet_bits = np.array([tr[k].packet_bytes * 8.0 for k in self.ue_slice])
        self.ue_rate_hz = np.array([tr[k].arrival_rate_hz for k in self.ue_slice])
        fb = np.zeros(self.num_ues, dtype=bool)
        start = 0
        for k, n in enumerate(counts):
            fb[start:start + int(round(tr[k].full_buffer_fraction * n))] = True
            start += n
        self.ue_full_buffer = fb

        # --- radio constants
        car = sc.carrier
        self.num_prbs = car.num_prbs
        self.tx_power_dbm = sc.power.tx_power_dbm
        self.rs_power_dbm = self.tx_power_dbm - 10.0 * np.log10(12.0 * self.num_prbs)  # per RE (RSRP reference)
        self.noise_re_mw = 10.0 ** ((radio.THERMAL_NOISE_DBM_HZ + 10.0 * np.log10(car.scs_khz * 1e3)
                                     + car.ue_noise_figure_db) / 10.0)
        self.cqi_thr = radio.cqi_thresholds_db(car.cqi_table, car.snr_gap_db)
        self.prb_bps_per_eff = radio.prb_rate_bps(car.scs_khz, car.mimo_layers, car.overhead)
        # TS 38.331 5.5.3.2: a = 1/2^(k/4) for a 200 ms input period; other periods keep the filter's time
        # characteristics, so per tick a' = 1 - (1 - a)^(tick / 200 ms)
        a = 1.0 / 2.0 ** (sc.handover.l3_filter_k / 4.0)
        self.l3_a = 1.0 - (1.0 - a) ** (sc.time.tick_ms / 200.0)
        self.sleep_power_w, self.wake_ms, self.transition_j = energy.state_tables(sc.power)
        self.idle_power_w = energy.idle_power_w(sc.power)
        self.max_power_w = float(energy.active_power_w(np.array(1.0), sc.power))
        prof = np.asarray(sc.profile.hourly, dtype=float)
        self._profile = prof / max(prof.max(), 1e-12)

        self._rngs: list[dict[str, np.random.Generator] | None] = [None] * self.batch
        self._base_seed = 0 if seed is None else int(seed)
        self._alloc_state()
        self.reset(seed=seed)

    # ------------------------------------------------------------------------------------------ state
    def _alloc_state(self) -> None:
        B, U, C, S, K = self.batch, self.num_ues, self.num_cells, self.num_sites, self.num_slices
        z = np.zeros
        self.time_s = z(B)
        self._ticks = z(B, dtype=np.int64)
        self._tick_in_period = z(B, dtype=np.int64)
        self.pos = z((B, U, 2))
        self.waypoint = z((B, U, 2))
        self.speed = z((B, U))
        self.direction = z((B, U))  # corridor vehicles: +1 / -1 along x, 0 otherwise
        self.shadow = z((B, U, S))
        self.los_u = z((B, U, S))
        self.activity_u = z((B, U))
        self.l3 = np.full((B, U, C), NEG_DBM)
        self.serving = np.full((B, U), NO_CELL, dtype=np.int64)
        self.ttt_timer = np.full((B, U), -1.0)
        self.ttt_target = np.full((B, U), NO_CELL, dtype=np.int64)
        self.t310 = z((B, U))
        self.reest_ms = z((B, U))
        self.interrupt_ms = z((B, U))
        self.prev_cell = np.full((B, U), NO_CELL, dtype=np.int64)
        self.last_ho_s = np.full((B, U), -1e9)
        self.queue = z((B, U))
        self.cqi = z((B, U), dtype=np.int8)
        self.sinr_db = z((B, U))
        self.load = z((B, C))
        self.cell_state = z((B, C), dtype=np.int64)
        self.wake_rem_ms = z((B, C))
        self.pending_j = z((B, C))
        self.rrm_min = z((B, C, K))
        self.rrm_max = z((B, C, K))
        self.rrm_ded = z((B, C, K))
        self.cio = z((B, C, C))
        self.hyst = z((B, C))
        self.ttt = z((B, C))
        self._acc_cell = {k: z((B, C)) for k in _CELL_ACC}
        self._acc_cell["conn_max"] = z((B, C))
        self._acc_slice = {k: z((B, C, K)) for k in _SLICE_ACC}
        self._acc_ue = {k: z((B, U)) for k in _UE_ACC}
        self._last: Measurements | None = None
        self.total_energy_j = z((B, C))  # since reset (for tests and benchmarks)

    def _all(self, mask: np.ndarray | None) -> np.ndarray:
        if mask is None:
            return np.ones(self.batch, dtype=bool)
        m = np.asarray(mask, dtype=bool)
        if m.shape != (self.batch,):
            raise ValueError(f"mask must have shape ({self.batch},), got {m.shape}")
        return m

    def reset(self, seed: int | Sequence[int | None] | None = None, mask: np.ndarray | None = None) -> None:
        """Reset the instances selected by ``mask`` ((B,) bool, default all).

        ``seed``: int s -> instance i is reseeded with s + i; a sequence gives one seed (or None) per instance;
        None keeps each instance's random streams running (an instance never seeded uses the constructor seed
        + i).
        """
        m = self._all(mask)
        if seed is not None and not isinstance(seed, (int, np.integer)):
            seeds = list(seed)
            if len(seeds) != self.batch:
                raise ValueError(f"seed sequence must have {self.batch} entries, got {len(seeds)}")
        else:
            seeds = [None if seed is None else int(seed) + i for i in range(self.batch)]
        sc, geo = self.scenario, self.geometry
        U, S = self.num_ues, self.num_sites
        mob = sc.mobility
        for b in np.flatnonzero(m):
            if seeds[b] is not None:
                self._rngs[b] = _seed_generators(seeds[b])
            elif self._rngs[b] is None:
                self._rngs[b] = _seed_generators(self._base_seed + b)
            rng = self._rngs[b]
            rp = rng["placement"]
            kind = rp.choice(3, size=U, p=[mob.static, mob.pedestrian, mob.vehicular])
            if geo.road:
                x = rp.uniform(geo.area_lo[0], geo.area_hi[0], U)
                y = rp.uniform(-7.5, 7.5, U)
                self.pos[b] = np.stack([x, y], axis=1)
            else:
                site = rp.integers(0, S, U)
                rmax = sc.layout.isd_m / np.sqrt(3.0)
                rmin = min(sc.layout.min_distance_m, rmax * 0.5)
                r = np.sqrt(rp.uniform(rmin * rmin, rmax * rmax, U))
                a = rp.uniform(0.0, 2 * np.pi, U)
                self.pos[b] = geo.site_xy[site] + np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
            self.los_u[b] = rp.random((U, S))
            self.activity_u[b] = rp.random(U)
            rm = rng["mobility"]
            ped = rm.uniform(*mob.pedestrian_speed_mps, U)
            veh = rm.uniform(*mob.vehicular_speed_mps, U)
            self.speed[b] = np.where(kind == 1, ped, np.where(kind == 2, veh, 0.0))
            self.direction[b] = np.where((kind == 2) & geo.road, np.sign(self.pos[b, :, 1]) + (self.pos[b, :, 1] == 0), 0.0)
            self.waypoint[b] = rm.uniform(geo.area_lo, geo.area_hi, (U, 2))
            rs = rng["shadowing"]
            self.shadow[b] = rs.standard_normal((U, S)) if sc.carrier.shadowing else 0.0
        # per-instance state back to the scenario's initial values
        hv = sc.handover
        for name, val in (("time_s", 0.0), ("ttt_timer", -1.0), ("t310", 0.0), ("reest_ms", 0.0),
                          ("interrupt_ms", 0.0), ("last_ho_s", -1e9), ("queue", 0.0), ("load", 0.0),
                          ("wake_rem_ms", 0.0), ("pending_j", 0.0), ("hyst", hv.hysteresis_db),
                          ("ttt", float(hv.ttt_ms)), ("sinr_db", 0.0), ("total_energy_j", 0.0)):
            getattr(self, name)[m] = val
        for name in ("ttt_target", "prev_cell", "serving"):
            getattr(self, name)[m] = NO_CELL
        self.cqi[m] = 0
        self._tick_in_period[m] = 0
        self._ticks[m] = 0
        self.cell_state[m] = 0
        self.cio[m] = hv.cio_db
        for k, s in enumerate(sc.slices):
            self.rrm_min[m, :, k] = s.min_ratio
            self.rrm_max[m, :, k] = s.max_ratio
            self.rrm_ded[m, :, k] = s.dedicated_ratio
        for acc in (self._acc_cell, self._acc_slice, self._acc_ue):
            for v in acc.values():
                v[m] = 0.0
        # initial attachment: strongest cell (filter initialised with the first measurement)
        rsrp = self._rsrp()
        self.l3[m] = rsrp[m]
        best = np.argmax(rsrp, axis=2)
        self.serving[m] = best[m]
        self._last = self._empty_measurements() if self._last is None else self._last
        self._last = self._snapshot_into(self._last, m, reset=True)

    # ------------------------------------------------------------------------------------------ physics
    def _profile_factor(self) -> np.ndarray:
        p = self.scenario.profile
        hour = (p.start_hour + p.hours_per_episode * (self.time_s / self.episode_s)) % 24.0
        h0 = np.floor(hour).astype(np.int64) % 24
        frac = hour - np.floor(hour)
        return (1.0 - frac) * self._profile[h0] + frac * self._profile[(h0 + 1) % 24]

    def home_cell(self) -> np.ndarray:
        """(B, U) each UE's home cell: the strongest with every cell on air, i.e. where an always-on network
        would serve it (training credits a sleeping cell's decision with the SLA of the UEs it pushed away)."""
        return self._rsrp_raw().argmax(-1)

    def _rsrp(self) -> np.ndarray:
        """RSRP (dBm per RE) of every cell at every UE, (B, U, C); cells not transmitting get NEG_DBM."""
        return np.where(self._transmitting()[:, None, :], self._rsrp_raw(), NEG_DBM)

    def _rsrp_raw(self) -> np.ndarray:
        """RSRP every cell would give at every UE if it were on air, (B, U, C)."""
        sc, geo = self.scenario, self.geometry
        lay, car = sc.layout, sc.carrier
        dx = self.pos[:, :, None, :] - geo.site_xy[None, None, :, :]  # (B,U,S,2)
        d2d = np.maximum(np.sqrt(dx[..., 0] ** 2 + dx[..., 1] ** 2), lay.min_distance_m)
        los = self.los_u < radio.los_probability(d2d, lay.environment)
        pl = radio.pathloss_db(d2d, lay.environment, car.frequency_ghz, lay.bs_height_m, lay.ue_height_m, los)
        if car.shadowing:
            pl = pl + self.shadow * radio.shadowing_std_db(lay.environment, los)
        phi_site = np.degrees(np.arctan2(dx[..., 1], dx[..., 0]))  # (B,U,S)
        theta_site = 90.0 + np.degrees(np.arctan2(lay.bs_height_m - lay.ue_height_m, d2d))
        cs = geo.cell_site
        # TR 38.901 Table 7.3-1 pattern; the vertical part depends on the site only, so compute it per site
        a_v = radio.antenna_v_att_db(theta_site, 90.0 + lay.downtilt_deg, car.antenna_hpbw_deg,
                                     car.antenna_max_attenuation_db)
        a_h = radio.antenna_h_att_db(phi_site[..., cs] - geo.cell_azimuth_deg, car.antenna_hpbw_deg,
                                     car.antenna_max_attenuation_db)
        gain_minus_pl = np.maximum(a_h + a_v[..., cs], -car.antenna_max_attenuation_db) - pl[..., cs]
        return self.rs_power_dbm + car.antenna_max_gain_dbi + gain_minus_pl

    def _transmitting(self) -> np.ndarray:
        """(B, C) cells on air for at least part of this tick (active and not still waking the whole tick)."""
        return (self.cell_state == 0) & (self.wake_rem_ms < self.scenario.time.tick_ms)

    def _move(self) -> None:
        dt = self.tick_s
        geo = self.geometry
        vec = self.waypoint - self.pos
        dist = np.sqrt(vec[..., 0] ** 2 + vec[..., 1] ** 2)
        step = self.speed * dt
        road = self.direction != 0.0
        frac = np.where(dist > 0, np.minimum(step / np.maximum(dist, 1e-9), 1.0), 0.0)
        frac = np.where(road, 0.0, frac)
        moved = frac[..., None] * vec
        moved[..., 0] += np.where(road, self.direction * step, 0.0)
        self.pos += moved
        if geo.road:
            span = geo.area_hi[0] - geo.area_lo[0]
            self.pos[..., 0] = geo.area_lo[0] + (self.pos[..., 0] - geo.area_lo[0]) % span
        arrived = (dist <= step) & (self.speed > 0) & ~road
        new_wp = np.stack([r["mobility"].uniform(geo.area_lo, geo.area_hi, (self.num_ues, 2)) for r in self._rngs])
        self.waypoint = np.where(arrived[..., None], new_wp, self.waypoint)
        if self.scenario.carrier.shadowing:
            # Gudmundson AR(1) correlation of shadowing along the track, decorrelation distance d_corr
            rho = np.exp(-step / self.scenario.carrier.shadow_decorrelation_m)[..., None]
            innov = np.stack([r["shadowing"].standard_normal((self.num_ues, self.num_sites)) for r in self._rngs])
            self.shadow = np.where(rho < 1.0, rho * self.shadow + np.sqrt(1.0 - rho * rho) * innov, self.shadow)

    def _sinr_all(self, rsrp: np.ndarray) -> np.ndarray:
        """SINR (dB) a UE would have on every cell, (B, U, C): interference from the other transmitting cells
        scaled by their PRB load of the previous tick (floored by ``interference_load_floor``)."""
        lin = np.exp(rsrp * (np.log(10.0) / 10.0))
        tx = self._transmitting()
        lf = np.where(tx, np.maximum(self.load, self.scenario.carrier.interference_load_floor), 0.0)
        weighted = lin * lf[:, None, :]
        total = weighted.sum(axis=2, keepdims=True)
        interf = np.maximum(total - weighted, 0.0)
        return 10.0 * np.log10(lin / (interf + self.noise_re_mw) + 1e-30)

    # ------------------------------------------------------------------------------------------ step
    def step(self, n_ticks: int = 1) -> None:
        """Advance every instance by ``n_ticks`` ticks of ``scenario.time.tick_ms``."""
        if not isinstance(n_ticks, (int, np.integer)) or n_ticks < 0:
            raise ValueError(f"n_ticks must be a non-negative integer, got {n_ticks!r}")
        for _ in range(int(n_ticks)):
            self._tick()

    def _tick(self) -> None:
        sc = self.scenario
        B, U, C, K = self.batch, self.num_ues, self.num_cells, self.num_slices
        tick_ms, dt = sc.time.tick_ms, self.tick_s
        hv = sc.handover
        bi = np.arange(B)[:, None]
        ui = np.arange(U)[None, :]
        acc, accs, accu = self._acc_cell, self._acc_slice, self._acc_ue

        # cell availability in this tick (waking cells serve only after their wake-up time)
        active = self.cell_state == 0
        avail = np.where(active, np.clip(1.0 - self.wake_rem_ms / tick_ms, 0.0, 1.0), 0.0)  # (B,C)
        tx = self._transmitting()

        self._move()
        raw = self._rsrp_raw()
        rsrp = np.where(tx[:, None, :], raw, NEG_DBM)
        # L3 filter, TS 38.331 5.5.3.2: F_n = (1 - a) F_{n-1} + a M_n; (re)initialised on first measurement
        fresh = self.l3 <= NEG_DBM + 1.0
        self.l3 = np.where(tx[:, None, :], np.where(fresh, rsrp, (1.0 - self.l3_a) * self.l3 + self.l3_a * rsrp),
                           NEG_DBM)
        sinr = self._sinr_all(rsrp)
        l3 = self.l3

        serving = self.serving
        conn = serving >= 0
        sv = np.maximum(serving, 0)
        site = self.site_of_cell
        cell_flat = bi * C  # + cell index -> flat (b, c)

        def count(mask: np.ndarray, cell: np.ndarray, name: str) -> None:
            idx = (cell_flat + np.maximum(cell, 0)).ravel()
            acc[name] += np.bincount(idx, weights=mask.ravel(), minlength=B * C).reshape(B, C)

        def ho_counters(mask: np.ndarray, src: np.ndarray, dst: np.ndarray, ok: np.ndarray) -> None:
            intra = site[src] == site[np.maximum(dst, 0)]
            count(mask & intra, src, "ho_intra_req")
            count(mask & ~intra, src, "ho_inter_req")
            count(mask & ok & intra, src, "ho_intra_succ")
            count(mask & ok & ~intra, src, "ho_inter_succ")

        any_tx = tx.any(axis=1)[:, None]
        best_cell = np.argmax(l3, axis=2)
        best_sinr = sinr[bi, ui, best_cell]

        # (a) serving cell went off air: blind network-triggered HO to the strongest cell, or drop
        lost = conn & ~tx[bi, sv]
        ok = lost & any_tx & (best_sinr >= hv.ho_failure_sinr_db)
        ho_counters(lost, sv, best_cell, ok)
        count(lost & ~ok, sv, "drop")
        # (b) event A3: neighbour + CIO(serving, n) > serving + hysteresis for TTT
        cio = self.cio[bi, sv]  # (B,U,C)
        metric = np.where(tx[:, None, :], l3 + cio, -np.inf)
        metric[bi, ui, sv] = -np.inf
        cand = np.argmax(metric, axis=2)
        cand_val = metric[bi, ui, cand]
        serv_l3 = l3[bi, ui, sv]
        hyst = self.hyst[bi, sv]
        ttt = self.ttt[bi, sv]
        a3 = conn & ~lost & (cand_val > serv_l3 + hyst)
        same = a3 & (cand == self.ttt_target) & (self.ttt_timer >= 0)
        self.ttt_timer = np.where(same, self.ttt_timer + tick_ms, np.where(a3, 0.0, -1.0))
        self.ttt_target = np.where(a3, cand, NO_CELL)
        trig = a3 & (self.ttt_timer >= ttt)
        cand_sinr = sinr[bi, ui, cand]
        ho_ok = trig & (cand_sinr >= hv.ho_failure_sinr_db)
        ho_counters(trig, sv, cand, ho_ok)
        # ping-pong: back to the previous cell within the window (counted at the cell left behind)
        pp = ho_ok & (cand == self.prev_cell) & (self.time_s[:, None] - self.last_ho_s <= hv.ping_pong_window_s)
        count(pp, sv, "pingpong")
        moved_ok = ok | ho_ok
        new_cell = np.where(ok, best_cell, cand)
        self.prev_cell = np.where(moved_ok, sv, self.prev_cell)
        self.last_ho_s = np.where(moved_ok, self.time_s[:, None], self.last_ho_s)
        self.interrupt_ms = np.where(moved_ok, hv.interruption_ms, self.interrupt_ms)
        serving = np.where(moved_ok, new_cell, serving)
        self.ttt_timer = np.where(trig, -1.0, self.ttt_timer)
        failed = (lost & ~ok) | (trig & ~ho_ok)
        # (c) radio link failure: SINR below Qout for T310 (timer stops when back above Qin)
        sv = np.maximum(serving, 0)
        serv_sinr = sinr[bi, ui, sv]
        still = conn & ~failed & ~moved_ok
        self.t310 = np.where(still & (serv_sinr < hv.qout_sinr_db), self.t310 + tick_ms,
                             np.where(serv_sinr > hv.qin_sinr_db, 0.0, self.t310))
        rlf = still & (self.t310 >= hv.t310_ms) & (serv_sinr < hv.qout_sinr_db)
        count(rlf, sv, "rlf")
        down = failed | rlf
        serving = np.where(down, NO_CELL, serving)
        self.reest_ms = np.where(down, hv.reestablishment_ms, np.maximum(self.reest_ms - tick_ms, 0.0))
        self.t310 = np.where(down | moved_ok, 0.0, self.t310)
        # (d) re-establishment / attach of unconnected UEs to the strongest cell once its SINR is above Qin
        attach = (serving < 0) & ~down & (self.reest_ms <= 0.0) & any_tx & (best_sinr >= hv.qin_sinr_db)
        serving = np.where(attach, best_cell, serving)
        self.ttt_timer = np.where(down | attach, -1.0, self.ttt_timer)
        self.serving = serving
        conn = serving >= 0
        sv = np.maximum(serving, 0)
        # outage: UEs without a link, attributed to the cell that would serve them best if it were on air
        count(~conn, np.argmax(raw, axis=2), "outage")

        # --- traffic arrivals (Poisson files/packets; full-buffer UEs active per the daily profile)
        prof = self._profile_factor()  # (B,)
        lam = self.ue_rate_hz[None, :] * prof[:, None] * dt
        n_pkt = np.stack([r["traffic"].poisson(lam[b]) for b, r in enumerate(self._rngs)])
        arrivals = n_pkt * self.ue_packet_bits
        fb_on = self.ue_full_buffer[None, :] & (self.activity_u < prof[:, None])
        q0 = self.queue
        self.queue = np.minimum(self.queue + arrivals, MAX_QUEUE_BITS)

        # --- link adaptation and scheduling
        sinr_s = sinr[bi, ui, sv]
        self.sinr_db = np.where(conn, sinr_s, self.sinr_db)
        cqi = radio.sinr_to_cqi(sinr_s, self.cqi_thr)
        self.cqi = np.where(conn, cqi, 0).astype(np.int8)
        eff = radio.cqi_to_efficiency(self.cqi, sc.carrier.cqi_table)
        cell_avail = avail[bi, sv]
        ue_frac = np.where(conn, cell_avail * np.clip(1.0 - self.interrupt_ms / tick_ms, 0.0, 1.0), 0.0)
        self.interrupt_ms = np.maximum(self.interrupt_ms - tick_ms, 0.0)
        bits_per_prb = eff * self.prb_bps_per_eff * dt * ue_frac  # bits one PRB carries for the UE this tick
        can = conn & (bits_per_prb > 0)
        nprb = float(self.num_prbs)
        need = np.where(can, np.where(fb_on, nprb, np.minimum(self.queue / np.maximum(bits_per_prb, 1e-9), nprb)),
                        0.0)
        has_data = can & (need > 0)
        grp = ((cell_flat + sv) * K + self.ue_slice[None, :]).ravel()
        ng = B * C * K
        demand = np.bincount(grp, weights=need.ravel(), minlength=ng).reshape(B, C, K)
        backlogged = np.bincount(grp, weights=has_data.ravel(), minlength=ng).reshape(B, C, K)
        n_avail = nprb * avail
        # allocation for the real demand plus, per slice, with that slice's demand unbounded (its potential)
        dem = np.broadcast_to(demand, (K + 1, B, C, K)).copy()
        for k in range(K):
            dem[k, ..., k] = np.inf
        alloc_all, _idle_dedicated = rrm_policy_split(dem, np.broadcast_to(n_avail, (K + 1, B, C)), self.rrm_ded,
                                               self.rrm_min, self.rrm_max, backlogged)
        alloc = alloc_all[K]
        potential = np.stack([alloc_all[k, ..., k] for k in range(K)], axis=-1)  # (B,C,K)
        prb_ue = water_fill(need.ravel(), grp, alloc.ravel()).reshape(B, U)
        capacity = prb_ue * bits_per_prb
        served = np.where(fb_on & can, capacity, np.minimum(self.queue, capacity))
        self.queue = np.where(self.ue_full_buffer[None, :], 0.0, self.queue - served)
        # delay: M/D/1-style estimate at the UE's PF service rate mu = (slice potential / backlogged UEs) * rate
        n_b = np.maximum(backlogged, 1.0).ravel()[grp].reshape(B, U)
        mu = potential.ravel()[grp].reshape(B, U) / n_b * bits_per_prb / dt  # bit/s
        lam_bits = self.ue_rate_hz[None, :] * prof[:, None] * self.ue_packet_bits[None, :]
        rho = np.minimum(lam_bits / np.maximum(mu, 1e-9), 0.99)
        pkt = self.ue_packet_bits[None, :]
        delay = np.where(mu > 0, pkt / np.maximum(mu, 1e-9) * (1.0 + rho / (2.0 * (1.0 - rho)))
                         + self.queue / np.maximum(mu, 1e-9), MAX_DELAY_S)
        delay = np.minimum(delay, MAX_DELAY_S)
        w_delay = np.where(self.ue_full_buffer[None, :], 0.0, arrivals)
        active_ue = (has_data | (q0 > 0)) & conn

        used = alloc.sum(axis=-1)  # (B,C)
        self.load = used / nprb

        # --- energy: EARTH while serving, N_TRX*P0 while waking, sleep-state power while asleep
        load_active = np.where(avail > 0, used / np.maximum(n_avail, 1e-9), 0.0)
        p_active = avail * energy.active_power_w(load_active, sc.power) + (1.0 - avail) * self.idle_power_w
        power = np.where(active, p_active, self.sleep_power_w[self.cell_state])
        e_tick = power * dt + self.pending_j
        self.pending_j[:] = 0.0
        self.total_energy_j += e_tick
        self.wake_rem_ms = np.maximum(self.wake_rem_ms - tick_ms, 0.0)

        # --- accumulate the measurement period
        conn_f = conn.astype(float)
        idx_c = (cell_flat + sv).ravel()
        ncon = np.bincount(idx_c, weights=conn_f.ravel(), minlength=B * C).reshape(B, C)
        acc["prb_used"] += used
        acc["prb_avail"] += n_avail
        acc["conn"] += ncon
        acc["conn_max"] = np.maximum(acc["conn_max"], ncon)
        acc["energy"] += e_tick

        def sl(w: np.ndarray) -> np.ndarray:  # per (batch, cell, slice) sum over UEs
            return np.bincount(grp, weights=np.asarray(w, float).ravel(), minlength=ng).reshape(B, C, K)

        s_bits = sl(served)
        s_time = sl(active_ue * dt)
        s_dw = sl(w_delay * conn)
        s_ds = sl(w_delay * delay * conn)
        accs["prb_used"] += alloc
        accs["bits"] += s_bits
        accs["thp_time"] += s_time
        accs["delay_w"] += s_dw
        accs["delay_sum"] += s_ds
        accs["conn"] += sl(conn_f)
        acc["bits"] += s_bits.sum(-1)
        acc["thp_time"] += s_time.sum(-1)
        acc["delay_w"] += s_dw.sum(-1)
        acc["delay_sum"] += s_ds.sum(-1)
        accu["bits"] += served
        accu["thp_time"] += active_ue * dt
        accu["sinr_sum"] += np.where(conn, sinr_s, 0.0)
        accu["conn_ticks"] += conn_f

        self._ticks += 1
        self.time_s = self._ticks * dt
        self._tick_in_period += 1
        close = self._tick_in_period >= self.ticks_per_period
        if close.any():
            self._last = self._snapshot_into(self._last, close)
            for a in (acc, accs, accu):
                for v in a.values():
                    v[close] = 0.0
            self._tick_in_period[close] = 0

    # ------------------------------------------------------------------------------------------ measurements
    def _empty_measurements(self) -> Measurements:
        from e2sim.sim.measurements import CELL_MEASUREMENTS, SLICE_MEASUREMENTS, UE_MEASUREMENTS

        B, C, K, U = self.batch, self.num_cells, self.num_slices, self.num_ues
        return Measurements(
            cell={k: np.zeros((B, C)) for k in CELL_MEASUREMENTS},
            slice={k: np.zeros((B, C, K)) for k in SLICE_MEASUREMENTS},
            ue={k: np.zeros((B, U)) for k in UE_MEASUREMENTS},
            time_s=np.zeros(B), period_s=self.period_s, slice_names=tuple(self.slice_names),
            cell_ids=self.cell_ids, ue_slice=self.ue_slice)

    def _snapshot_into(self, out: Measurements, mask: np.ndarray, reset: bool = False) -> Measurements:
        """Turn the accumulators of the instances in ``mask`` into the period's measurement values."""
        n = float(self.ticks_per_period)
        T = self.period_s
        a, s, u = self._acc_cell, self._acc_slice, self._acc_ue
        sc = self.scenario
        if reset:
            for d in (out.cell, out.slice, out.ue):
                for v in d.values():
                    v[mask] = 0.0
            out.cell["RRU.PrbAvailDl"][mask] = self.num_prbs
            out.ue["E2SIM.ServingCell"][mask] = self.serving[mask]
            out.ue["L1M.SS-RSRP"][mask] = np.take_along_axis(self.l3, np.maximum(self.serving, 0)[..., None],
                                                              axis=2)[..., 0][mask]
            out.time_s[mask] = self.time_s[mask]
            return out

        def ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.where(y > 0, x / np.where(y > 0, y, 1.0), 0.0)

        cell = {
            "RRU.PrbUsedDl": a["prb_used"] / n,
            "RRU.PrbAvailDl": a["prb_avail"] / n,
            "RRU.PrbTotDl": 100.0 * ratio(a["prb_used"], a["prb_avail"]),
            "RRC.ConnMean": a["conn"] / n,
            "RRC.ConnMax": a["conn_max"],
            "DRB.UEThpDl": ratio(a["bits"], a["thp_time"]) / 1e3,
            "DRB.PdcpSduVolumeDL": a["bits"] / 1e6,
            "DRB.RlcSduDelayDl": 1e3 * ratio(a["delay_sum"], a["delay_w"]),
            "PEE.AvgPower": a["energy"] / T,
            "PEE.Energy": a["energy"].copy(),
            "MM.HoExeIntraReq": a["ho_intra_req"].copy(),
            "MM.HoExeIntraSucc": a["ho_intra_succ"].copy(),
            "MM.HoExeInterReq": a["ho_inter_req"].copy(),
            "MM.HoExeInterSucc": a["ho_inter_succ"].copy(),
            "E2SIM.RlfCount": a["rlf"].copy(),
            "E2SIM.PingPongCount": a["pingpong"].copy(),
            "E2SIM.DropCount": a["drop"].copy(),
            "E2SIM.OutageUeMean": a["outage"] / n,
            "E2SIM.CellState": self.cell_state.astype(float),
        }
        thp = ratio(s["bits"], s["thp_time"]) / 1e3
        dly = 1e3 * ratio(s["delay_sum"], s["delay_w"])
        viol = np.zeros_like(thp)
        for k, cfg in enumerate(sc.slices):
            if cfg.min_rate_mbps is not None:
                viol[..., k] = np.maximum(viol[..., k], (s["thp_time"][..., k] > 0)
                                          & (thp[..., k] < cfg.min_rate_mbps * 1e3))
            if cfg.max_delay_ms is not None:
                viol[..., k] = np.maximum(viol[..., k], (s["delay_w"][..., k] > 0) & (dly[..., k] > cfg.max_delay_ms))
        slc = {
            "RRU.PrbUsedDl.SNSSAI": s["prb_used"] / n,
            "DRB.UEThpDl.SNSSAI": thp,
            "DRB.PdcpSduVolumeDL.SNSSAI": s["bits"] / 1e6,
            "DRB.RlcSduDelayDl.SNSSAI": dly,
            "RRC.ConnMean.SNSSAI": s["conn"] / n,
            "E2SIM.SlaViolation.SNSSAI": viol,
        }
        cell["E2SIM.SlaViolations"] = viol.sum(-1)
        sv = np.maximum(self.serving, 0)
        ue = {
            "DRB.UEThpDl": ratio(u["bits"], u["thp_time"]) / 1e3,
            "DRB.PdcpSduVolumeDL": u["bits"] / 1e6,
            "L1M.SS-RSRP": np.where(self.serving >= 0, np.take_along_axis(self.l3, sv[..., None], axis=2)[..., 0],
                                    NEG_DBM),
            "L1M.SS-SINR": ratio(u["sinr_sum"], u["conn_ticks"]),
            "E2SIM.ServingCell": self.serving.astype(float),
            "E2SIM.CQI": self.cqi.astype(float),
        }
        for dst, src in ((out.cell, cell), (out.slice, slc), (out.ue, ue)):
            for k, v in src.items():
                dst[k][mask] = v[mask]
        out.time_s[mask] = self.time_s[mask]
        return out

    def measurements(self) -> Measurements:
        """The last closed measurement period of every instance (zeros right after a reset). The returned
        object is a copy: later steps do not change it."""
        m = self._last
        assert m is not None
        return Measurements({k: v.copy() for k, v in m.cell.items()}, {k: v.copy() for k, v in m.slice.items()},
                            {k: v.copy() for k, v in m.ue.items()}, m.time_s.copy(), m.period_s,
                            m.slice_names, m.cell_ids, m.ue_slice)

    # ------------------------------------------------------------------------------------------ controls
    def _check_b(self, b: int) -> int:
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 0 <= b < self.batch:
            raise ValueError(f"batch index must be an integer in [0, {self.batch}), got {b!r}")
        return int(b)

    def _check_cell(self, cell: int, what: str = "cell") -> int:
        if isinstance(cell, bool) or not isinstance(cell, (int, np.integer)) or not 0 <= cell < self.num_cells:
            raise ValueError(f"{what} must be a cell index in [0, {self.num_cells}), got {cell!r}")
        return int(cell)

    def set_slice_rrm_policy(self, b: int, cell: int, slice: str | int, min_ratio: float, max_ratio: float,
                             dedicated_ratio: float) -> None:
        """TS 28.541 RRMPolicyRatio for one slice of one cell, percentages 0..100 with dedicated <= min <= max
        and the cell's min ratios summing to <= 100."""
        b, cell = self._check_b(b), self._check_cell(cell)
        if isinstance(slice, str):
            if slice not in self.slice_names:
                raise ValueError(f"slice must be one of {self.slice_names}, got {slice!r}")
            k = self.slice_names.index(slice)
        elif isinstance(slice, (int, np.integer)) and not isinstance(slice, bool) and 0 <= slice < self.num_slices:
            k = int(slice)
        else:
            raise ValueError(f"slice must be a slice name {self.slice_names} or index, got {slice!r}")
        vals = {"min_ratio": min_ratio, "max_ratio": max_ratio, "dedicated_ratio": dedicated_ratio}
        for name, v in vals.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not 0.0 <= float(v) <= 100.0:
                raise ValueError(f"{name} must be a number in [0, 100] percent, got {v!r}")
        if not dedicated_ratio <= min_ratio <= max_ratio:
            raise ValueError(f"TS 28.541 requires dedicated_ratio <= min_ratio <= max_ratio, got "
                             f"{dedicated_ratio} / {min_ratio} / {max_ratio}")
        others = self.rrm_min[b, cell].sum() - self.rrm_min[b, cell, k]
        if others + float(min_ratio) > 100.0 + 1e-9:
            raise ValueError(f"sum of min_ratio over the cell's slices would be {others + float(min_ratio):g} > 100")
        self.rrm_min[b, cell, k] = float(min_ratio)
        self.rrm_max[b, cell, k] = float(max_ratio)
        self.rrm_ded[b, cell, k] = float(dedicated_ratio)

    def set_rrm_policy_array(self, min_ratio: np.ndarray, max_ratio: np.ndarray, dedicated_ratio: np.ndarray) -> None:
        """Vectorised :meth:`set_slice_rrm_policy`: (B, C, K) arrays of percentages."""
        shape = (self.batch, self.num_cells, self.num_slices)
        arrs = [np.asarray(x, dtype=float) for x in (min_ratio, max_ratio, dedicated_ratio)]
        for name, x in zip(("min_ratio", "max_ratio", "dedicated_ratio"), arrs, strict=True):
            if x.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {x.shape}")
            if not np.all((x >= 0) & (x <= 100)):
                raise ValueError(f"{name} must be within [0, 100] percent")
        mn, mx, dd = arrs
        if not (np.all(dd <= mn + 1e-9) and np.all(mn <= mx + 1e-9)):
            raise ValueError("TS 28.541 requires dedicated_ratio <= min_ratio <= max_ratio")
        if np.any(mn.sum(-1) > 100.0 + 1e-6):
            raise ValueError("sum of min_ratio over a cell's slices must be <= 100")
        self.rrm_min[:], self.rrm_max[:], self.rrm_ded[:] = mn, mx, dd

    def set_cell_state(self, b: int, cell: int, state: str | int) -> None:
        """Set a cell's power state: 'active' | 'micro' | 'light' | 'deep' | 'off' (or level 0..4).

        Going to sleep takes the cell off air at the next tick (its UEs hand over or drop); waking takes the
        state's transition time during which the cell consumes idle power but serves nobody. Half the state's
        additional transition energy is charged on entering and half on waking (TR 38.864). Moving between two
        sleep levels is immediate and free; the wake-up time is that of the level the cell wakes from.
        """
        b, cell = self._check_b(b), self._check_cell(cell)
        if isinstance(state, str):
            if state not in energy.STATE_NAMES:
                raise ValueError(f"state must be one of {energy.STATE_NAMES}, got {state!r}")
            level = energy.STATE_NAMES.index(state)
        elif isinstance(state, (int, np.integer)) and not isinstance(state, bool) and 0 <= state < 5:
            level = int(state)
        else:
            raise ValueError(f"state must be one of {energy.STATE_NAMES} or a level 0..4, got {state!r}")
        levels = self.cell_state.copy()
        levels[b, cell] = level
        self._apply_states(levels)

    def set_cell_states_array(self, levels: np.ndarray) -> None:
        """Vectorised :meth:`set_cell_state`: (B, C) integer levels 0..4."""
        lv = np.asarray(levels)
        if lv.shape != (self.batch, self.num_cells) or not np.issubdtype(lv.dtype, np.integer):
            raise ValueError(f"levels must be an integer array of shape {(self.batch, self.num_cells)}")
        if np.any((lv < 0) | (lv > 4)):
            raise ValueError("levels must be within 0..4 (active, micro, light, deep, off)")
        self._apply_states(lv.astype(np.int64))

    def _apply_states(self, levels: np.ndarray) -> None:
        old = self.cell_state
        sleep_now = (levels > 0) & (old == 0)
        wake_now = (levels == 0) & (old > 0)
        self.pending_j += np.where(sleep_now, 0.5 * self.transition_j[levels], 0.0)
        self.pending_j += np.where(wake_now, 0.5 * self.transition_j[old], 0.0)
        self.wake_rem_ms = np.where(wake_now, self.wake_ms[old], np.where(levels > 0, 0.0, self.wake_rem_ms))
        self.cell_state = levels.copy()

    def set_cio(self, b: int, cell: int, neighbour_cell: int, cio_db: float) -> None:
        """Cell individual offset of ``neighbour_cell`` as seen by UEs served by ``cell`` (TS 38.331
        Q-OffsetRange: -24..24 dB value set); positive values make the neighbour look stronger."""
        b, cell = self._check_b(b), self._check_cell(cell)
        nb = self._check_cell(neighbour_cell, "neighbour_cell")
        if nb == cell:
            raise ValueError("neighbour_cell must differ from cell")
        if cio_db not in CIO_VALUES_DB:
            raise ValueError(f"cio_db must be in the TS 38.331 Q-OffsetRange value set {CIO_VALUES_DB}, got {cio_db!r}")
        self.cio[b, cell, nb] = float(cio_db)

    def set_cio_array(self, cio_db: np.ndarray) -> None:
        """Vectorised CIO: (B, C, C) dB (values must be in the Q-OffsetRange set; the diagonal is ignored)."""
        x = np.asarray(cio_db, dtype=float)
        if x.shape != (self.batch, self.num_cells, self.num_cells):
            raise ValueError(f"cio_db must have shape {(self.batch, self.num_cells, self.num_cells)}, got {x.shape}")
        if not np.all(np.isin(x, CIO_VALUES_DB)):
            raise ValueError("cio_db values must be in the TS 38.331 Q-OffsetRange value set")
        self.cio[:] = x

    def set_handover_params(self, b: int, cell: int, hysteresis_db: float, ttt_ms: int) -> None:
        """A3 hysteresis (0..15 dB in 0.5 dB steps) and time-to-trigger (TS 38.331 value set) of a cell."""
        b, cell = self._check_b(b), self._check_cell(cell)
        self._check_hyst_ttt(np.asarray(hysteresis_db, dtype=float), np.asarray(ttt_ms))
        self.hyst[b, cell] = float(hysteresis_db)
        self.ttt[b, cell] = float(ttt_ms)

    def set_handover_params_array(self, hysteresis_db: np.ndarray, ttt_ms: np.ndarray) -> None:
        """Vectorised :meth:`set_handover_params`: (B, C) arrays."""
        h, t = np.asarray(hysteresis_db, dtype=float), np.asarray(ttt_ms)
        shape = (self.batch, self.num_cells)
        if h.shape != shape or t.shape != shape:
            raise ValueError(f"hysteresis_db and ttt_ms must have shape {shape}")
        self._check_hyst_ttt(h, t)
        self.hyst[:], self.ttt[:] = h, t

    @staticmethod
    def _check_hyst_ttt(h: np.ndarray, t: np.ndarray) -> None:
        if not np.all(np.isfinite(h) & (h >= 0) & (h <= 15) & (np.abs(h * 2 - np.round(h * 2)) < 1e-9)):
            raise ValueError(f"hysteresis_db must be 0..15 dB in 0.5 dB steps (TS 38.331), got {h!r}")
        if t.dtype == bool or not np.all(np.isin(t, TTT_VALUES_MS)):
            raise ValueError(f"ttt_ms must be in the TS 38.331 TimeToTrigger set {TTT_VALUES_MS}, got {t!r}")

    def handover(self, b: int, ue: int, target_cell: int) -> bool:
        """Network-triggered handover of one UE (E2SM-RC style 3 action 1). Returns True on success.

        Fails (False) if the UE is not connected, the target is its serving cell or off air, or the target's
        SINR is below ``handover.ho_failure_sinr_db`` - in that last case the UE loses its link and
        re-establishes, as a real HO failure does. Counted in the source cell's MM.HoExe* counters.
        """
        b = self._check_b(b)
        if isinstance(ue, bool) or not isinstance(ue, (int, np.integer)) or not 0 <= ue < self.num_ues:
            raise ValueError(f"ue must be a UE index in [0, {self.num_ues}), got {ue!r}")
        tgt = self._check_cell(target_cell, "target_cell")
        src = int(self.serving[b, ue])
        if src < 0 or src == tgt or not self._transmitting()[b, tgt]:
            return False
        sinr = self._sinr_all(self._rsrp())[b, ue, tgt]
        ok = bool(sinr >= self.scenario.handover.ho_failure_sinr_db)
        intra = self.site_of_cell[src] == self.site_of_cell[tgt]
        key = "intra" if intra else "inter"
        self._acc_cell[f"ho_{key}_req"][b, src] += 1
        if ok:
            self._acc_cell[f"ho_{key}_succ"][b, src] += 1
            if tgt == self.prev_cell[b, ue] and self.time_s[b] - self.last_ho_s[b, ue] <= \
                    self.scenario.handover.ping_pong_window_s:
                self._acc_cell["pingpong"][b, src] += 1
            self.prev_cell[b, ue] = src
            self.last_ho_s[b, ue] = self.time_s[b]
            self.serving[b, ue] = tgt
            self.interrupt_ms[b, ue] = self.scenario.handover.interruption_ms
        else:
            self.serving[b, ue] = NO_CELL
            self.reest_ms[b, ue] = self.scenario.handover.reestablishment_ms
        self.ttt_timer[b, ue] = -1.0
        self.t310[b, ue] = 0.0
        return ok
