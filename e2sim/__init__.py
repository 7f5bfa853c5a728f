"""e2sim: ranpilot's RAN simulator, its gymnasium environments and (later) its E2 node agent.

Importing ``e2sim`` registers the gymnasium ids ``ranpilot/Slicing-v0``, ``ranpilot/CellSleep-v0`` and
``ranpilot/Handover-v0``. The import is light (gymnasium's registry only; the simulator and the envs load on
``gymnasium.make``): no torch, no E2 codecs.
"""

from __future__ import annotations

import gymnasium

ENV_IDS: dict[str, str] = {
    "ranpilot/Slicing-v0": "e2sim.envs.tasks:SlicingEnv",
    "ranpilot/CellSleep-v0": "e2sim.envs.tasks:CellSleepEnv",
    "ranpilot/Handover-v0": "e2sim.envs.tasks:HandoverEnv",
}


def _register() -> None:
    for env_id, entry in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry, vector_entry_point=entry.replace("Env", "VectorEnv"))


_register()
