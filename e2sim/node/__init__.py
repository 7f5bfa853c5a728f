"""e2sim's E2 node agent: every gNB (site) of a simulated RAN as its own E2 node speaking E2AP to a near-RT RIC.

* :mod:`e2sim.node.profiles` - vendor profiles (``vendors/*.yaml``) and the scenario's ``e2:`` section;
* :mod:`e2sim.node.ran` - E2 identities of the simulator's gNBs, cells, slices, UEs; counter aggregation;
* :mod:`e2sim.node.kpm` - the E2SM-KPM REPORT service on the simulator's measurement periods;
* :mod:`e2sim.node.control` - E2SM-RC / E2SM-CCC controls carried out on the simulator;
* :mod:`e2sim.node.agent` - the sans-I/O E2 node (PDUs and time in, PDUs out);
* :mod:`e2sim.node.runner` - one asyncio loop: the simulation clock and one association per gNB;
* :mod:`e2sim.node.cli` - ``ranpilot e2sim``.
"""
