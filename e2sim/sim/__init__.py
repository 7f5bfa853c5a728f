"""e2sim physics: the batched RAN simulator and its pure array functions (radio, energy, scheduler)."""

from e2sim.sim.measurements import Measurements
from e2sim.sim.simulator import RanSimulator

__all__ = ["Measurements", "RanSimulator"]
