"""When a failed delivery report is tried again, and when the mock gives up on it.

Exponential backoff with full jitter: after the n-th failed attempt since the report was
written (or replayed), the next one waits a random time between 0 and
``min(cap, base * factor ** (n - 1))``. A report is dead once ``max_attempts`` attempts have
failed, or when an attempt fails ``max_age`` or more after the first one; the last retry is
never scheduled later than that age, so the report gets its last chance at the limit. Every
duration here is simulated time: the settings' seconds times ``--speed-factor``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from vatanwa_mock.config import Settings


@dataclass(frozen=True)
class DeliverySchedule:
    """The retry schedule and its limits, in seconds after the speed factor."""

    base: float
    factor: float
    cap: float
    max_attempts: int
    max_age: float

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliverySchedule:
        """The policy of ``--retry-*``, scaled by ``--speed-factor``."""
        return cls(
            base=settings.scaled(settings.retry_base),
            factor=settings.retry_factor,
            cap=settings.scaled(settings.retry_cap),
            max_attempts=settings.retry_max_attempts,
            max_age=settings.scaled(settings.retry_max_age),
        )

    def ceiling(self, failed: int) -> float:
        """The longest wait after ``failed`` (>= 1) failed attempts."""
        try:
            raw = self.base * self.factor ** (failed - 1)
        except OverflowError:
            return self.cap
        return min(self.cap, raw)

    def gives_up(self, failed: int, first_attempt_at: float, now: float) -> bool:
        """Whether a report whose ``failed``-th attempt just failed at ``now`` is dead."""
        return failed >= self.max_attempts or now - first_attempt_at >= self.max_age

    def next_attempt_at(
        self, failed: int, first_attempt_at: float, now: float, rng: random.Random
    ) -> float:
        """When to try again after ``failed`` failed attempts (full jitter, within the age)."""
        wait = rng.uniform(0.0, self.ceiling(failed))
        return min(now + wait, first_attempt_at + self.max_age)
