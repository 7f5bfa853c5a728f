"""kpm-monitor: the reference "how to write an xApp" example (see :mod:`xapps.kpm_monitor.xapp`).

Run it in the embedded RIC with ``ranpilot ric --xapp xapps.kpm_monitor:KpmMonitor``, or see it at work in
``ranpilot demo``.
"""

from xapps.kpm_monitor.store import CellKpm, KpmStore
from xapps.kpm_monitor.xapp import DEFAULT_MEASUREMENTS, KpmMonitor, MonitorConfig

__all__ = ["DEFAULT_MEASUREMENTS", "CellKpm", "KpmMonitor", "KpmStore", "MonitorConfig"]
