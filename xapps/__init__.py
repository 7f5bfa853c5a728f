"""xApps: each supplies features, policy and control mapping only; the runtime (:mod:`ric.xapp`) owns the rest."""
