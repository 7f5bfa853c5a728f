"""Keep garbage collection out of the control loop's latency.

After start-up a RIC or xApp process holds a large, long-lived heap (compiled ASN.1 codecs, generated
encoder/decoder code, FastAPI/pydantic models). CPython's full (generation 2) collections walk all of it: measured
here at up to ~125 ms per pass, during which no indication is handled. ``gc.freeze()`` moves everything alive now
into a permanent generation that collections skip, so later passes only walk objects created by the loop itself.

The loop's own objects (PDUs, decoded messages, futures, tasks) die young by reference counting, but the default
generation-0 threshold (700 net container allocations) still ran a young pass about 3 times a second at 3,000
indications/s, and every tenth one a generation-1 pass of 1-2 ms (``benchmarks/ric_loop.py`` prints them). With
:data:`GEN0_THRESHOLD` those passes become rare (none in a 10 s run at 3,000/s); cyclic garbage is still
collected, later. Called once by the process owners (embedded RIC start, xApp entry points) after their codecs
are warm.
"""

from __future__ import annotations

import gc

__all__ = ["GEN0_THRESHOLD", "freeze_startup_heap"]

GEN0_THRESHOLD = 20_000


def freeze_startup_heap(gen0_threshold: int | None = GEN0_THRESHOLD) -> int:
    """Collect once, freeze the surviving objects and raise the generation-0 threshold to ``gen0_threshold``
    (None: keep the interpreter's); returns how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    if gen0_threshold is not None:
        gen0, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(max(gen0_threshold, gen0), gen1, gen2)
    return gc.get_freeze_count()
