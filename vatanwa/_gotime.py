"""Go's ``time.Time.String()`` format, which the provider uses for ``send_time``.

The layout is ``2006-01-02 15:04:05.999999999 -0700 MST``: the fraction of a second is left out
when it is zero and has no trailing zeros otherwise, and the zone is an abbreviation (``UTC``,
``EEST``) or, for zones that have none, the offset itself (``+03``, as Istanbul's entry in the
tz database says). A time read from Go's clock also carries a monotonic-clock reading
(`` m=+0.000123001``), which means nothing outside the process that made it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["format_go_time", "parse_go_time"]

_GO_TIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}) (?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?"
    r" (?P<sign>[+-])(?P<hours>[0-9]{2})(?P<minutes>[0-9]{2})"
    r" (?P<zone>[A-Za-z0-9+-]+)"
    r"(?: m=[+-][0-9]+\.[0-9]{1,9})?"
)
# What Go prints for a zone: letters (an abbreviation) or a numeric offset like the tz database's.
_ZONE_NAME = re.compile(r"[A-Za-z]{1,6}|[+-][0-9]{2}(?:[0-9]{2})?")


def parse_go_time(text: str) -> datetime:
    """Parse Go's ``time.Time.String()`` output into an aware :class:`~datetime.datetime`.

    ``"2024-05-20 14:49:55 +0300 +03"`` gives 14:49:55 at UTC+03:00. Fractional seconds are
    kept to the microsecond (Go prints up to nanoseconds; the rest is dropped) and a trailing
    monotonic-clock reading (``" m=+0.000123"``) is ignored. The numeric offset is what counts;
    the zone abbreviation becomes the name of the returned ``tzinfo``.

    Raises :class:`ValueError` when ``text`` is not in that format or names an impossible time.
    """
    match = _GO_TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not a Go time string: {text!r}")
    hours, minutes = int(match["hours"]), int(match["minutes"])
    if hours > 23 or minutes > 59:
        raise ValueError(f"impossible UTC offset in {text!r}")
    offset = timedelta(hours=hours, minutes=minutes)
    if match["sign"] == "-":
        offset = -offset
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    naive = datetime.fromisoformat(f"{match['date']}T{match['time']}")
    return naive.replace(
        microsecond=int(fraction), tzinfo=timezone(offset, _zone_label(match["zone"], offset))
    )


def format_go_time(moment: datetime) -> str:
    """Format an aware datetime the way Go's ``time.Time.String()`` does (without ``m=``).

    ``datetime(2024, 5, 20, 14, 49, 55, tzinfo=ZoneInfo("Europe/Istanbul"))`` gives
    ``"2024-05-20 14:49:55 +0300 +03"``. The zone is the datetime's own abbreviation when it has
    one Go could print (``UTC``, ``EEST``, ``+03``), else the offset in the tz database's style.

    Raises :class:`ValueError` for a naive datetime, or one whose UTC offset is not a whole
    number of minutes (Go's layout cannot carry it).
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a naive datetime has no zone; give it a tzinfo")
    total = int(offset.total_seconds())
    if offset != timedelta(seconds=total) or total % 60:
        raise ValueError(f"the UTC offset {offset} is not a whole number of minutes")
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total) // 60, 60)
    # Not strftime: it does not zero-pad years below 1000 on every platform, and Go does.
    text = f"{moment.year:04d}-{moment:%m-%d %H:%M:%S}"
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    return f"{text} {sign}{hours:02d}{minutes:02d} {_zone_label(moment.tzname(), offset)}"


def _zone_label(name: str | None, offset: timedelta) -> str:
    if name and _ZONE_NAME.fullmatch(name):
        return name
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}{minutes:02d}" if minutes else f"{sign}{hours:02d}"
