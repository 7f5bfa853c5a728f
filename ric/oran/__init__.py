"""O-RAN SC host: runs an unchanged ranpilot xApp inside an O-RAN SC near-RT RIC.

* :mod:`ric.oran.rmr` - the RMR message types and the small port interface the host needs; the real port wraps
  ``ricxappframe`` (imported lazily: it loads ``librmr_si.so`` at import, absent outside a RIC image)
* :mod:`ric.oran.submgr` - the subscription manager REST client (``/ric/v1/subscriptions``)
* :mod:`ric.oran.platform` - appmgr registration and e2mgr node queries (REST)
* :mod:`ric.oran.host` - :class:`~ric.oran.host.OranHost`, the :class:`~ric.xapp.host.Host` over all of these
* :mod:`ric.oran.main` - the container entry point (the edge: reads ``CONFIG_FILE`` and the platform env)
"""
