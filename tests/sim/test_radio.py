"""Physics against hand-computed values (TR 38.901, TS 38.214, TS 38.101-1, EARTH, TR 38.864)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from e2sim.scenarios import PowerModel, default_sleep_states, prb_count
from e2sim.sim import energy, radio

FC, HBS, HUT = 3.5, 25.0, 1.5
LOGF = 20 * math.log10(3.5)  # 10.8814 dB


def test_breakpoint_distance():
    # d'_BP = 4 * 24 * 0.5 * 3.5e9 / c
    assert radio.breakpoint_distance_m(25, 1.5, 3.5) == pytest.approx(4 * 24 * 0.5 * 3.5e9 / 299792458.0)
    assert radio.breakpoint_distance_m(25, 1.5, 3.5) == pytest.approx(560.39, abs=0.01)


@pytest.mark.parametrize(
    ("d2d", "los", "expected"),
    [
        # LOS, before the breakpoint: 28 + 22 log10(sqrt(100^2 + 23.5^2)) + 20 log10(3.5)
        (100.0, True, 28 + 22 * math.log10(math.sqrt(100**2 + 23.5**2)) + LOGF),
        # NLOS at 300 m: 13.54 + 39.08 log10(d3D) + 20 log10(fc) dominates PL_LOS
        (300.0, False, 13.54 + 39.08 * math.log10(math.sqrt(300**2 + 23.5**2)) + LOGF),
        # LOS beyond the breakpoint (1 km): PL2
        (1000.0, True, 28 + 40 * math.log10(math.sqrt(1000**2 + 23.5**2)) + LOGF
         - 9 * math.log10(560.3916**2 + 23.5**2)),
    ],
)
def test_uma_pathloss_hand_values(d2d, los, expected):
    got = radio.pathloss_uma_db(np.array([d2d]), FC, HBS, HUT, np.array([los]))[0]
    assert got == pytest.approx(expected, abs=1e-3)


def test_uma_pathloss_numbers():
    pl = radio.pathloss_uma_db(np.array([100.0, 300.0]), FC, HBS, HUT, np.array([True, False]))
    assert pl == pytest.approx([83.14, 121.28], abs=0.01)


def test_nlos_never_below_los():
    d = np.linspace(10, 2000, 200)
    los = radio.pathloss_uma_db(d, FC, HBS, HUT, np.ones_like(d, bool))
    nlos = radio.pathloss_uma_db(d, FC, HBS, HUT, np.zeros_like(d, bool))
    assert np.all(nlos >= los)
    assert np.all(np.diff(los) > 0) and np.all(np.diff(nlos) > 0)


def test_umi_pathloss_hand_values():
    # UMi LOS at 50 m, h_BS 10 m: 32.4 + 21 log10(d3D) + 20 log10(fc)
    d3d = math.sqrt(50**2 + 8.5**2)
    got = radio.pathloss_umi_db(np.array([50.0]), FC, 10.0, HUT, np.array([True]))[0]
    assert got == pytest.approx(32.4 + 21 * math.log10(d3d) + LOGF, abs=1e-3)
    assert got == pytest.approx(79.09, abs=0.01)
    # NLOS at 150 m: 35.3 log10(d3D) + 22.4 + 21.3 log10(fc)
    d3d = math.sqrt(150**2 + 8.5**2)
    got = radio.pathloss_umi_db(np.array([150.0]), FC, 10.0, HUT, np.array([False]))[0]
    assert got == pytest.approx(35.3 * math.log10(d3d) + 22.4 + 21.3 * math.log10(3.5), abs=1e-3)


def test_los_probability():
    p = radio.los_probability(np.array([10.0, 18.0, 100.0]), "UMa")
    assert p[0] == 1.0 and p[1] == 1.0
    assert p[2] == pytest.approx(0.18 + math.exp(-100 / 63) * 0.82)  # 0.3477
    assert p[2] == pytest.approx(0.3477, abs=1e-4)
    assert radio.los_probability(np.array([100.0]), "UMi")[0] == pytest.approx(0.18 + math.exp(-100 / 36) * 0.82)
    with pytest.raises(ValueError):
        radio.los_probability(np.array([1.0]), "RMa")


def test_antenna_pattern_table_7_3_1():
    tilt = 102.0
    g = radio.antenna_gain_db(np.array([0.0, 32.5, 65.0, 180.0, -32.5]), np.full(5, tilt), tilt)
    assert g == pytest.approx([8.0, 8.0 - 3.0, 8.0 - 12.0, 8.0 - 30.0, 5.0])
    # combined H+V attenuation is capped at 30 dB
    assert radio.antenna_gain_db(np.array([90.0]), np.array([170.0]), tilt)[0] == pytest.approx(-22.0)


def test_noise_per_prb():
    assert radio.noise_per_prb_dbm(30, 9.0) == pytest.approx(-174 + 10 * math.log10(360e3) + 9)
    assert radio.noise_per_prb_dbm(30, 9.0) == pytest.approx(-109.44, abs=0.01)


def test_cqi_mapping_table1():
    thr = radio.cqi_thresholds_db(1, 3.0)
    # 0 dB: log2(1 + 1/10^0.3) = 0.585 -> best efficiency <= 0.585 is 0.3770 (CQI 3)
    # 20 dB: log2(1 + 100/10^0.3) = 5.68 -> CQI 15 (5.5547); -10 dB -> out of range (CQI 0)
    cqi = radio.sinr_to_cqi(np.array([-10.0, 0.0, 20.0]), thr)
    assert cqi.tolist() == [0, 3, 15]
    assert radio.cqi_to_efficiency(cqi, 1).tolist() == [0.0, 0.3770, 5.5547]
    # thresholds increase and CQI 1 sits near -6.6 dB
    assert np.all(np.diff(thr) > 0)
    assert thr[0] == pytest.approx(10 * math.log10(2**0.1523 - 1) + 3.0)
    assert radio.cqi_to_efficiency(np.array([15]), 2)[0] == pytest.approx(7.4063)


def test_prb_table_38_101():
    assert prb_count(20, 30) == 51
    assert prb_count(100, 30) == 273
    assert prb_count(20, 15) == 106
    assert prb_count(40, 30) == 106
    assert prb_count(100, 60) == 135


def test_prb_rate():
    # 12 subcarriers * 30 kHz * 2 layers * (1 - 0.14)
    assert radio.prb_rate_bps(30, 2, 0.14) == pytest.approx(12 * 30e3 * 2 * 0.86)


def _macro() -> PowerModel:
    return PowerModel(states=default_sleep_states())


def test_earth_macro_numbers():
    pm = _macro()
    # P_in = N_TRX (P0 + dp * load * Pmax) with N_TRX = 2, P0 = 130 W, dp = 4.7, Pmax = 20 W
    assert energy.active_power_w(np.array([0.0, 0.5, 1.0]), pm) == pytest.approx([260.0, 354.0, 448.0])
    assert pm.tx_power_dbm == pytest.approx(10 * math.log10(40_000))  # 46.02 dBm


def test_sleep_state_tables():
    power, wake_ms, energy_j = energy.state_tables(_macro())
    unit = 2 * 75.0 / 45.0  # N_TRX * P_sleep is micro sleep (45 relative units)
    assert power == pytest.approx([0.0, 150.0, 20 * unit, 1 * unit, 0.0])
    assert wake_ms.tolist() == [0.0, 0.0, 6.0, 50.0, 2000.0]
    assert energy_j == pytest.approx([0.0, 0.0, 100 * unit * 1e-3, 1000 * unit * 1e-3, 0.0])
