"""E2SM-CCC (cell configuration and control): JSON payloads, schema-validated, typed, plus ranpilot's controls."""

from e2.sm.ccc.controls import *  # noqa: F403
from e2.sm.ccc.controls import __all__ as _controls_all
from e2.sm.ccc.model import CCC_SHORT_NAME, CccV3_00, cell_from_json, cell_to_json, json_path
from e2.sm.ccc.types import *  # noqa: F403
from e2.sm.ccc.types import __all__ as _types_all

__all__ = [
    "CCC_SHORT_NAME",
    "CccV3_00",
    "cell_from_json",
    "cell_to_json",
    "json_path",
    *_controls_all,
    *_types_all,
]
