"""Model registry format: model cards, the ONNX loader used by xApps (no torch), export helpers (torch, lazily).

``from ranpilot.models import load_model`` is all a serving process needs; ``ranpilot.models.export`` imports
torch and is used only by ``training/``.
"""

from ranpilot.models.card import (
    CARD_FORMAT,
    ModelCard,
    ModelRejected,
    card_path_for,
    sha256_file,
    spec_fingerprint,
    spec_to_dict,
)
from ranpilot.models.loader import OnnxPolicy, load_model

__all__ = [
    "CARD_FORMAT",
    "ModelCard",
    "ModelRejected",
    "OnnxPolicy",
    "card_path_for",
    "load_model",
    "sha256_file",
    "spec_fingerprint",
    "spec_to_dict",
]
