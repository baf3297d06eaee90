"""Go's time format, both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vatanwa import format_go_time, parse_go_time

from .scripted import spec

ISTANBUL = timezone(timedelta(hours=3))


def test_the_contracts_example() -> None:
    example = spec()["components"]["schemas"]["DeliveryReport"]["properties"]["send_time"]
    parsed = parse_go_time(example["example"])
    assert parsed == datetime(2024, 5, 20, 14, 49, 55, tzinfo=ISTANBUL)
    assert parsed.utcoffset() == timedelta(hours=3)
    assert parsed.tzname() == "+03"
    assert format_go_time(parsed) == example["example"]


def test_fractional_seconds_and_the_monotonic_reading() -> None:
    text = "2024-05-20 14:49:55.123456789 +0300 +03 m=+0.000123001"
    assert parse_go_time(text) == datetime(2024, 5, 20, 14, 49, 55, 123456, tzinfo=ISTANBUL)
    assert parse_go_time("2024-05-20 14:49:55.5 -0700 MST m=-3.25").utcoffset() == timedelta(
        hours=-7
    )
    assert parse_go_time("2024-05-20 14:49:55.5 +0000 UTC").microsecond == 500000


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 5, 20, 14, 49, 55, tzinfo=ZoneInfo("Europe/Istanbul")), "+0300 +03"),
        (datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), "+0000 UTC"),
        (datetime(2024, 7, 1, 12, tzinfo=ZoneInfo("Europe/Berlin")), "+0200 CEST"),
        (datetime(2024, 7, 1, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))), "+0530 +0530"),
        (datetime(2024, 7, 1, 12, tzinfo=timezone(-timedelta(hours=3, minutes=30))), "-0330 -0330"),
    ],
)
def test_format_names_the_zone_as_go_does(moment: datetime, text: str) -> None:
    assert format_go_time(moment).endswith(" " + text)


def test_format_of_a_fraction_drops_trailing_zeros() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)
    assert format_go_time(moment) == "2024-01-02 03:04:05.12 +0000 UTC"
    assert format_go_time(datetime(7, 1, 2, tzinfo=UTC)) == "0007-01-02 00:00:00 +0000 UTC"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-05-20 14:49:55",
        "2024-05-20T14:49:55 +0300 +03",
        "2024-05-20 14:49:55 +03:00 +03",
        "2024-13-20 14:49:55 +0300 +03",
        "2024-05-20 25:49:55 +0300 +03",
        "2024-05-20 14:49:55 +2400 +24",
        "2024-05-20 14:49:55 +0360 +03",
        "2024-05-20 14:49:55.1234567890 +0300 +03",
        "2024-05-20 14:49:55 +0300 +03 m=+",
        " 2024-05-20 14:49:55 +0300 +03",
    ],
)
def test_parse_refuses_what_go_does_not_print(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError: the message is for people
        parse_go_time(text)


def test_format_refuses_naive_and_sub_minute_offsets() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_go_time(datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="whole number of minutes"):
        format_go_time(datetime(2024, 1, 1, tzinfo=timezone(timedelta(seconds=30))))


fixed_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(timezones=fixed_offsets | st.just(UTC)))
def test_round_trip_with_fixed_offsets(moment: datetime) -> None:
    parsed = parse_go_time(format_go_time(moment))
    assert parsed == moment
    assert parsed.utcoffset() == moment.utcoffset()
    assert format_go_time(parsed) == format_go_time(moment)


@given(st.datetimes(timezones=st.timezones()))
def test_round_trip_with_real_zones(moment: datetime) -> None:
    offset = moment.utcoffset()
    assert offset is not None
    assume(offset.total_seconds() % 60 == 0)
    text = format_go_time(moment)
    parsed = parse_go_time(text)
    # Not ``parsed == moment``: Python says a time in a DST gap or fold never equals one in
    # another zone (PEP 495), so compare the wall time and the offset that Go's text carries.
    assert parsed.replace(tzinfo=None) == moment.replace(tzinfo=None)
    assert parsed.utcoffset() == offset
    assert format_go_time(parsed) == text


@given(
    st.datetimes(timezones=fixed_offsets),
    st.integers(min_value=0, max_value=999),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_parse_accepts_nanoseconds_and_a_monotonic_reading(
    moment: datetime, nanos: int, monotonic: float
) -> None:
    moment = moment.replace(microsecond=moment.microsecond or 1)
    base = format_go_time(moment)
    date, clock, rest = base.split(" ", 2)
    whole, _, fraction = clock.partition(".")
    go_text = f"{date} {whole}.{fraction.ljust(6, '0')}{nanos:03d} {rest} m=+{monotonic:.9f}"
    assert parse_go_time(go_text) == moment
