"""The retry schedule: exponential ceilings with a cap, full jitter, limits, speed factor."""

from __future__ import annotations

import random

import pytest

from vatanwa_mock.config import ConfigError, load_settings
from vatanwa_mock.delivery import DeliverySchedule

POLICY = DeliverySchedule(base=1.0, factor=2.0, cap=30.0, max_attempts=5, max_age=100.0)


def test_ceilings_grow_by_the_factor_up_to_the_cap() -> None:
    assert [POLICY.ceiling(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert POLICY.ceiling(5000) == 30.0  # no overflow


def test_full_jitter_stays_between_now_and_the_ceiling_and_within_the_age() -> None:
    rng = random.Random(1)
    waits = [POLICY.next_attempt_at(3, 0.0, 10.0, rng) - 10.0 for _ in range(2000)]
    assert min(waits) >= 0.0
    assert max(waits) <= 4.0
    assert min(waits) < 0.5 < 3.5 < max(waits)  # spread over the whole range
    # Near the age limit the last retry comes at the limit, not after it.
    assert POLICY.next_attempt_at(6, 0.0, 99.0, rng) <= 100.0


def test_a_report_dies_at_the_attempt_or_age_limit() -> None:
    assert not POLICY.gives_up(4, first_attempt_at=0.0, now=99.9)
    assert POLICY.gives_up(5, first_attempt_at=0.0, now=1.0)
    assert POLICY.gives_up(1, first_attempt_at=0.0, now=100.0)


def test_settings_scale_durations_by_the_speed_factor() -> None:
    settings = load_settings(
        ["--speed-factor", "0.5", "--retry-base", "2", "--retry-cap", "10"],
        {"VATANWA_MOCK_RETRY_MAX_AGE": "60", "VATANWA_MOCK_RETRY_MAX_ATTEMPTS": "4"},
    )
    assert DeliverySchedule.from_settings(settings) == DeliverySchedule(
        base=1.0, factor=2.0, cap=5.0, max_attempts=4, max_age=30.0
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--retry-base", "0"],
        ["--retry-factor", "0.5"],
        ["--retry-cap", "-1"],
        ["--retry-max-attempts", "0"],
        ["--retry-max-attempts", "two"],
        ["--retry-max-age", "nan"],
        ["--delivery-timeout", "0"],
        ["--delivery-concurrency", "0"],
    ],
)
def test_bad_retry_settings_are_refused(argv: list[str]) -> None:
    with pytest.raises(ConfigError, match=argv[0]):
        load_settings(argv, {})
