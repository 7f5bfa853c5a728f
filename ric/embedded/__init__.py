"""The embedded near-RT RIC: E2 termination, R-NIB, subscription manager, control routing, A1 and xApp hosting
in one asyncio process (``ranpilot ric`` or :class:`ric.embedded.ric.EmbeddedRic` in-process)."""
