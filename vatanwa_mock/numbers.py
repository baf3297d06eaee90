"""Recipient numbers: how they are normalised, and the test numbers that always fail.

Like a payment provider's test cards, some numbers fail deterministically, so that an
integration can exercise its failure path offline. A message to a number ending in one of
:data:`FAILING_SUFFIXES` is accepted and then moves to ``failed`` with that reason; so does a
message to a number that is not a valid phone number (``phonenumbers`` decides). Every other
number is ``sent``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

#: Test numbers: a number ending in the key fails with the value as its reason.
FAILING_SUFFIXES: dict[str, str] = {
    "0000": "The number is not registered on WhatsApp.",
    "0001": "The recipient has blocked this sender.",
    "0002": "The recipient's phone could not be reached.",
}
INVALID_NUMBER = "Not a valid phone number."
#: A number as people write it: digits with spaces, dots, dashes or brackets, maybe a + or 00.
_WRITTEN = re.compile(r"^\s*\+?[0-9][0-9 .()\-]{5,}[0-9]\s*$")


def normalize(number: str) -> str:
    """``+90 545 926 0314`` / ``905459260314`` -> ``905459260314`` (digits, no ``+``)."""
    digits = number[1:] if number.startswith("+") else number
    if digits.isascii() and digits.isdigit():  # the usual form: nothing to take out
        return digits
    return "".join(ch for ch in number if ch.isdigit())


@lru_cache(maxsize=4096)
def is_valid(digits: str) -> bool:
    """Whether ``digits`` (international form without ``+``) is a valid phone number."""
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse("+" + digits)))
    except phonenumbers.NumberParseException:
        return False


def failure_reason(digits: str) -> str | None:
    """Why a message to ``digits`` fails, or None when it is sent."""
    if not is_valid(digits):
        return INVALID_NUMBER
    for suffix, reason in FAILING_SUFFIXES.items():
        if digits.endswith(suffix):
            return reason
    return None


def international(written: str) -> str | None:
    """A number written the way people write it, in the contract's international form.

    ``0532 123 45 67`` -> ``+905321234567``; ``0090 532 ...`` -> ``+90532...``;
    ``+90 (532) 123-45-67`` -> ``+905321234567``. A national number (one leading ``0``) is
    read as Turkish, the provider's country: an assumption, so the result is a suggestion for
    an error message, never applied to what was sent. None when ``written`` is not a number.
    """
    if not _WRITTEN.match(written):
        return None
    digits = normalize(written)
    if written.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+90" + digits[1:]
    return "+" + digits


def international_hint(value: str) -> str | None:
    """What to write instead of ``value`` (one number or a comma-separated list), or None."""
    parts = [part.strip() for part in value.split(",")]
    fixed = [international(part) for part in parts]
    suggestion = [f for f in fixed if f is not None]
    if len(suggestion) != len(parts) or all(
        f in (part, "+" + part) for f, part in zip(suggestion, parts, strict=True)
    ):
        return None
    return ", ".join(suggestion)
