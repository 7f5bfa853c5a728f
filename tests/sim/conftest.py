"""Shared helpers for the simulator tests."""

from __future__ import annotations

import copy

import pytest
import yaml

from e2sim.scenarios import SCENARIO_DIR


@pytest.fixture
def dense_urban_dict() -> dict:
    return yaml.safe_load((SCENARIO_DIR / "dense-urban.yaml").read_text())


@pytest.fixture
def small_scenario():
    """Factory of a 1-site, 3-cell scenario mapping (fast); keyword overrides replace top-level sections."""
    return _small_scenario


def _small_scenario(**overrides: object) -> dict:
    """A 1-site, 3-cell scenario (fast) as a mapping; ``overrides`` replace whole top-level sections."""
    base = yaml.safe_load((SCENARIO_DIR / "dense-urban.yaml").read_text())
    base = copy.deepcopy(base)
    base["name"] = "tiny"
    base["layout"]["num_sites"] = 1
    base["time"]["episode_decisions"] = 5
    base.update(overrides)
    return base
