"""Waiting in tests for something another thread or process does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    probe: Callable[[], T | None], timeout: float = 20.0, what: str = "", interval: float = 0.02
) -> T:
    """Poll ``probe`` every ``interval`` seconds until it returns something truthy; return it.

    Fails with an ``AssertionError`` naming ``what`` (or the probe) after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or probe}")
        time.sleep(interval)
