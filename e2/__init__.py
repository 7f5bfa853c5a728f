"""E2 protocol library: E2AP and E2SM codecs (sans-I/O) and E2 transports.

The codecs take bytes and return typed dataclasses (and the reverse); nothing in ``e2.ap`` or ``e2.sm`` touches
a socket or reads a clock. Transports (``e2.transport``) are thin asyncio adapters around them.
Every failure is an :class:`e2.errors.E2Error`.
"""
