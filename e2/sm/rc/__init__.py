"""E2SM-RC v01.03 (O-RAN.WG3.E2SM-RC-R003-v01.03): CONTROL payloads, typed, plus the two controls ranpilot uses."""

from e2.sm.rc.controls import (
    HANDOVER_ACTION,
    HANDOVER_STYLE,
    SLICE_PRB_QUOTA_ACTION,
    SLICE_PRB_QUOTA_STYLE,
    HandoverParam,
    SlicePrbQuotaParam,
    SliceQuota,
    control_styles,
    handover_control,
    parse_handover,
    parse_slice_prb_quota,
    slice_prb_quota_control,
)
from e2.sm.rc.model import RC_SHORT_NAME, RcV1_03
from e2.sm.rc.types import *  # noqa: F403 (the typed payloads are this package's API)
from e2.sm.rc.types import __all__ as _types_all

__all__ = [
    "HANDOVER_ACTION",
    "HANDOVER_STYLE",
    "RC_SHORT_NAME",
    "SLICE_PRB_QUOTA_ACTION",
    "SLICE_PRB_QUOTA_STYLE",
    "HandoverParam",
    "RcV1_03",
    "SlicePrbQuotaParam",
    "SliceQuota",
    "control_styles",
    "handover_control",
    "parse_handover",
    "parse_slice_prb_quota",
    "slice_prb_quota_control",
    *_types_all,
]
