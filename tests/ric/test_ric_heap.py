"""ric.heap: the start-up heap is frozen and young collections are made rare, never more frequent."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ric.heap import GEN0_THRESHOLD, freeze_startup_heap


@pytest.fixture
def gc_state() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_freeze_moves_the_heap_out_of_collections_and_raises_gen0(gc_state: None) -> None:
    gc.set_threshold(700, 10, 10)
    frozen = freeze_startup_heap()
    assert frozen == gc.get_freeze_count() > 0
    assert gc.get_threshold() == (GEN0_THRESHOLD, 10, 10)


def test_a_higher_threshold_is_kept_and_none_leaves_it_alone(gc_state: None) -> None:
    gc.set_threshold(GEN0_THRESHOLD * 2, 10, 10)
    freeze_startup_heap()
    assert gc.get_threshold()[0] == GEN0_THRESHOLD * 2
    gc.set_threshold(700, 10, 10)
    freeze_startup_heap(None)
    assert gc.get_threshold() == (700, 10, 10)
