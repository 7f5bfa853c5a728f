"""Baseline policies: the benchmark's references and the xApps' fallback when no model is trusted.

Pure numpy over per-cell arrays (no simulator, no torch): energy (``always_on``, ``threshold``), slicing
(``static``, ``proportional``) and handover (``set1``, ``set5``, ``mro``).
"""
