"""Radio propagation and link abstraction as pure numpy array functions.

Every function is elementwise over arrays of any shape (batch, UEs, cells, ...), has no state and no RNG; the
simulator passes the random draws (shadowing, LOS uniforms) in. Units: metres, GHz, dB/dBm.
"""

from __future__ import annotations

import numpy as np

C_LIGHT = 299_792_458.0
THERMAL_NOISE_DBM_HZ = -174.0

# TS 38.214 Table 5.2.2.1-2 (CQI table 1, up to 64QAM): spectral efficiency (bit/s/Hz) for CQI 1..15.
CQI_TABLE_1 = np.array([0.1523, 0.2344, 0.3770, 0.6016, 0.8770, 1.1758, 1.4766, 1.9141, 2.4063, 2.7305,
                        3.3223, 3.9023, 4.5234, 5.1152, 5.5547])
# TS 38.214 Table 5.2.2.1-3 (CQI table 2, up to 256QAM).
CQI_TABLE_2 = np.array([0.1523, 0.3770, 0.8770, 1.4766, 1.9141, 2.4063, 2.7305, 3.3223, 3.9023, 4.5234,
                        5.1152, 5.5547, 6.2266, 6.9141, 7.4063])
CQI_TABLES = {1: CQI_TABLE_1, 2: CQI_TABLE_2}


def breakpoint_distance_m(h_bs: float, h_ut: float, fc_ghz: float, h_e: float = 1.0) -> float:
    """TR 38.901 Table 7.4.1-1 note 1: d'_BP = 4 h'_BS h'_UT f_c / c with effective heights h' = h - h_E."""
    return 4.0 * (h_bs - h_e) * (h_ut - h_e) * fc_ghz * 1e9 / C_LIGHT


def pathloss_uma_db(d2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float, los: np.ndarray) -> np.ndarray:
    """TR 38.901 Table 7.4.1-1 UMa path loss (dB). ``los``: bool array, LOS where True, NLOS otherwise.

    LOS: PL1 = 28 + 22 log10(d3D) + 20 log10(fc) up to d'_BP, then
         PL2 = 28 + 40 log10(d3D) + 20 log10(fc) - 9 log10(d'_BP^2 + (h_BS - h_UT)^2).
    NLOS: max(PL_LOS, 13.54 + 39.08 log10(d3D) + 20 log10(fc) - 0.6 (h_UT - 1.5)).
    h_E = 1 m (the value for UT heights below 13 m).
    """
    d3d = np.sqrt(d2d * d2d + (h_bs - h_ut) ** 2)
    dbp = breakpoint_distance_m(h_bs, h_ut, fc_ghz)
    lf = 20.0 * np.log10(fc_ghz)
    l3 = np.log10(d3d)
    pl1 = 28.0 + 22.0 * l3 + lf
    pl2 = 28.0 + 40.0 * l3 + lf - 9.0 * np.log10(dbp * dbp + (h_bs - h_ut) ** 2)
    pl_los = np.where(d2d <= dbp, pl1, pl2)
    pl_nlos = 13.54 + 39.08 * l3 + lf - 0.6 * (h_ut - 1.5)
    return np.where(los, pl_los, np.maximum(pl_los, pl_nlos))


def pathloss_umi_db(d2d: np.ndarray, fc_ghz: float, h_bs: float, h_ut: float, los: np.ndarray) -> np.ndarray:
    """TR 38.901 Table 7.4.1-1 UMi street canyon path loss (dB).

    LOS: PL1 = 32.4 + 21 log10(d3D) + 20 log10(fc); beyond d'_BP
         PL2 = 32.4 + 40 log10(d3D) + 20 log10(fc) - 9.5 log10(d'_BP^2 + (h_BS - h_UT)^2).
    NLOS: max(PL_LOS, 35.3 log10(d3D) + 22.4 + 21.3 log10(fc) - 0.3 (h_UT - 1.5)).
    """
    d3d = np.sqrt(d2d * d2d + (h_bs - h_ut) ** 2)
    dbp = breakpoint_distance_m(h_bs, h_ut, fc_ghz)
    l3 = np.log10(d3d)
    lf = 20.0 * np.log10(fc_ghz)
    pl1 = 32.4 + 21.0 * l3 + lf
    pl2 = 32.4 + 40.0 * l3 + lf - 9.5 * np.log10(dbp * dbp + (h_bs - h_ut) ** 2)
    pl_los = np.where(d2d <= dbp, pl1, pl2)
    pl_nlos = 35.3 * l3 + 22.4 + 21.3 * np.log10(fc_ghz) - 0.3 * (h_ut - 1.5)
    return np.where(los, pl_los, np.maximum(pl_los, pl_nlos))


def los_probability(d2d: np.ndarray, environment: str) -> np.ndarray:
    """TR 38.901 Table 7.4.2-1 LOS probability (UMa with h_UT <= 13 m, so C'(h_UT) = 0; UMi street canyon)."""
    d = np.maximum(d2d, 1e-9)
    near = d <= 18.0
    if environment == "UMa":
        far = 18.0 / d + np.exp(-d / 63.0) * (1.0 - 18.0 / d)
    elif environment == "UMi":
        far = 18.0 / d + np.exp(-d / 36.0) * (1.0 - 18.0 / d)
    else:
        raise ValueError(f"environment must be 'UMa' or 'UMi', got {environment!r}")
    return np.where(near, 1.0, far)


def shadowing_std_db(environment: str, los: np.ndarray) -> np.ndarray:
    """TR 38.901 Table 7.4.1-1 shadow-fading std: UMa 4 (LOS) / 6 (NLOS) dB, UMi 4 / 7.82 dB."""
    nlos_std = 6.0 if environment == "UMa" else 7.82
    return np.where(los, 4.0, nlos_std)


def pathloss_db(d2d: np.ndarray, environment: str, fc_ghz: float, h_bs: float, h_ut: float,
                los: np.ndarray) -> np.ndarray:
    if environment == "UMa":
        return pathloss_uma_db(d2d, fc_ghz, h_bs, h_ut, los)
    if environment == "UMi":
        return pathloss_umi_db(d2d, fc_ghz, h_bs, h_ut, los)
    raise ValueError(f"environment must be 'UMa' or 'UMi', got {environment!r}")


def antenna_h_att_db(phi_deg: np.ndarray, hpbw_deg: float = 65.0, max_att_db: float = 30.0) -> np.ndarray:
    """Horizontal pattern A_H = -min(12 (phi / phi_3dB)^2, A_m); phi off boresight, wrapped to [-180, 180]."""
    phi = phi_deg - 360.0 * np.round(phi_deg / 360.0)
    return -np.minimum(12.0 * (phi / hpbw_deg) ** 2, max_att_db)


def antenna_v_att_db(theta_deg: np.ndarray, tilt_theta_deg: float, hpbw_deg: float = 65.0,
                     max_att_db: float = 30.0) -> np.ndarray:
    """Vertical pattern A_V = -min(12 ((theta - theta_tilt) / theta_3dB)^2, SLA_V); theta is the zenith angle."""
    return -np.minimum(12.0 * ((theta_deg - tilt_theta_deg) / hpbw_deg) ** 2, max_att_db)


def antenna_gain_db(phi_deg: np.ndarray, theta_deg: np.ndarray, tilt_theta_deg: float, hpbw_deg: float = 65.0,
                    max_att_db: float = 30.0, max_gain_dbi: float = 8.0) -> np.ndarray:
    """TR 38.901 Table 7.3-1 sector antenna element pattern (dBi): A = G_max - min(-(A_H + A_V), A_m)."""
    a_h = antenna_h_att_db(phi_deg, hpbw_deg, max_att_db)
    a_v = antenna_v_att_db(theta_deg, tilt_theta_deg, hpbw_deg, max_att_db)
    return max_gain_dbi + np.maximum(a_h + a_v, -max_att_db)


def noise_per_prb_dbm(scs_khz: float, noise_figure_db: float) -> float:
    """Thermal noise over one PRB (12 subcarriers): -174 dBm/Hz + 10 log10(12 * SCS) + NF."""
    return THERMAL_NOISE_DBM_HZ + 10.0 * np.log10(12.0 * scs_khz * 1e3) + noise_figure_db


def cqi_thresholds_db(table: int = 1, snr_gap_db: float = 3.0) -> np.ndarray:
    """SINR (dB) at which each CQI 1..15 becomes usable: efficiency_k <= log2(1 + SINR / gap).

    TS 38.214 leaves the SINR -> CQI mapping to the UE; the SNR-gap rule stands in for link-level BLER=10%
    curves (gap 3 dB puts CQI 1 at about -6.6 dB, close to the commonly used link-level value).
    """
    eff = CQI_TABLES[table]
    return 10.0 * np.log10(2.0 ** eff - 1.0) + snr_gap_db


def sinr_to_cqi(sinr_db: np.ndarray, thresholds_db: np.ndarray) -> np.ndarray:
    """CQI index 0..15 (0 = out of range) for each SINR value."""
    return np.searchsorted(thresholds_db, sinr_db, side="right").astype(np.int8)


def cqi_to_efficiency(cqi: np.ndarray, table: int = 1) -> np.ndarray:
    """Spectral efficiency (bit/s/Hz) of a CQI (0 -> 0)."""
    eff = np.concatenate(([0.0], CQI_TABLES[table]))
    return eff[cqi]


def prb_rate_bps(scs_khz: float, layers: int, overhead: float) -> float:
    """Bit rate of one PRB per unit spectral efficiency: 12 subcarriers * SCS * layers * (1 - OH) (TS 38.306
    4.1.2 peak-rate formula without the scaling factor)."""
    return 12.0 * scs_khz * 1e3 * layers * (1.0 - overhead)
