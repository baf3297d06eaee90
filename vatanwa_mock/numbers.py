"""Recipient numbers: how they are normalised, and the test numbers that always fail.

Like a payment provider's test cards, some numbers fail deterministically, so that an
integration can exercise its failure path offline. A message to a number ending in one of
:data:`FAILING_SUFFIXES` is accepted and then moves to ``failed`` with that reason; so does a
message to a number that is not a valid phone number (``phonenumbers`` decides). Every other
number is ``sent``.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

#: Test numbers: a number ending in the key fails with the value as its reason.
FAILING_SUFFIXES: dict[str, str] = {
    "0000": "The number is not registered on WhatsApp.",
    "0001": "The recipient has blocked this sender.",
    "0002": "The recipient's phone could not be reached.",
}
INVALID_NUMBER = "Not a valid phone number."


def normalize(number: str) -> str:
    """``+90 545 926 0314`` / ``905459260314`` -> ``905459260314`` (digits, no ``+``)."""
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
