"""E2SM-KPM (O-RAN.WG3.E2SM-KPM v03.00 and v02.03): typed payloads, codecs and tidy rows."""

from e2.sm.kpm.model import KPM_SHORT_NAME, KpmV2_03, KpmV3_00, ntp_to_unix, unix_to_ntp
from e2.sm.kpm.rows import KpmRow, kpm_rows
from e2.sm.kpm.types import *  # noqa: F403 (the typed payloads are this package's API)
from e2.sm.kpm.types import __all__ as _types_all

__all__ = [
    "KPM_SHORT_NAME",
    "KpmRow",
    "KpmV2_03",
    "KpmV3_00",
    "kpm_rows",
    "ntp_to_unix",
    "unix_to_ntp",
    *_types_all,
]
