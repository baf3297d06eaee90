"""How hard the contract tests push: one place, scaled by ``VATANWA_CONTRACT_SCALE``.

``make test`` runs the default budget; ``make fuzz`` sets a larger scale for a nightly run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("VATANWA_CONTRACT_SCALE", "1"))


def examples(default: int) -> int:
    """``default`` generated cases, scaled (never fewer than one)."""
    return max(1, round(default * SCALE))


def hypothesis_settings(default_examples: int) -> settings:
    """Settings of one property test: no deadline (real servers answer), no flaky health checks."""
    return settings(
        max_examples=examples(default_examples),
        deadline=None,
        # Generated bodies are as large as the schemas allow, and servers add latency.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
