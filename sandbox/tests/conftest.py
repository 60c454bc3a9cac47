"""Fixtures of the emulator tests."""

from __future__ import annotations

import pytest

from sandbox.emulators import amocrm


@pytest.fixture(autouse=True)
def _amocrm_rate_window_empty():
    """Each test starts with a fresh amoCRM per-second window: the emulator
    answers 429 past 7 requests a second per account, as amoCRM does, and
    tests run faster than that."""
    with amocrm._hits_lock:
        amocrm._hits.clear()
    yield
