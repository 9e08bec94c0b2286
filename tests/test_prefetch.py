"""prefetch.settled: what lives for the run is kept out of the garbage collector's full passes."""

from __future__ import annotations

import gc

import pytest

from collect_fix.prefetch import settled


def test_what_lives_now_is_frozen_for_the_block_and_given_back_after() -> None:
    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(10)]
    with settled():
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_given_back_when_the_block_raises() -> None:
    with pytest.raises(KeyboardInterrupt):
        with settled():
            raise KeyboardInterrupt
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_objects_itself_keeps_them_as_they_were() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with settled():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
