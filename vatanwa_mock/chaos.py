"""Chaos: added latency, a share of 500s and of 429s, set per tenant through the control API.

Each tenant's settings carry their own random generator; with a ``seed`` the sequence of
outcomes is the same on every run, so tests that use chaos are deterministic.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["pass", "error", "rate_limited"]


@dataclass
class Chaos:
    """One tenant's chaos: every API request waits ``latency_ms``, then fails with 500 with
    probability ``error_rate`` or with 429 (``Retry-After: retry_after``) with probability
    ``rate_limit_rate``."""

    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    seed: int | None = None
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - simulation, not security

    def roll(self) -> Outcome:
        """The outcome of the next request."""
        draw = self._random.random()
        if draw < self.error_rate:
            return "error"
        if draw < self.error_rate + self.rate_limit_rate:
            return "rate_limited"
        return "pass"

    def as_dict(self) -> dict[str, Any]:
        """The settings as the control API shows them."""
        values = asdict(self)
        values.pop("_random", None)
        return values


class ChaosRegistry:
    """The chaos of each tenant; a tenant without chaos is served normally."""

    def __init__(self) -> None:
        self._by_tenant: dict[str, Chaos] = {}

    def get(self, tenant: str) -> Chaos | None:
        """The tenant's chaos, if any is set."""
        return self._by_tenant.get(tenant)

    def set(self, tenant: str, chaos: Chaos | None) -> None:
        """Set the tenant's chaos, or clear it with None."""
        if chaos is None:
            self._by_tenant.pop(tenant, None)
        else:
            self._by_tenant[tenant] = chaos
