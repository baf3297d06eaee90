"""Phone numbers as people type them, made into the international form the service takes.

``0532 123 45 67``, ``+90 (532) 123-45-67`` and ``905321234567`` (region ``TR``) are all
``+905321234567``. A number written without ``+`` that is not valid in the region is tried
once more as an international number (``4915112345678`` is a German mobile).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

DEFAULT_REGION = "TR"


@dataclass(frozen=True, slots=True)
class Normalised:
    """A number in E.164 (``+905321234567``), or why the input is not a phone number."""

    number: str | None
    error: str | None = None

    @property
    def digits(self) -> str | None:
        """The number without ``+``, as delivery reports and the twin write it."""
        return self.number[1:] if self.number else None


@cache
def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


def check_region(region: str) -> str:
    """``region`` in upper case, or :class:`ValueError` when phonenumbers does not know it."""
    code = region.strip().upper()
    if code not in _phonenumbers().SUPPORTED_REGIONS:
        raise ValueError(f"unknown region {region!r} (use a two-letter country code such as TR)")
    return code


def normalise(text: str, region: str = DEFAULT_REGION) -> Normalised:
    """Read ``text`` as a phone number of ``region`` (or an international one)."""
    lib = _phonenumbers()
    raw = text.strip()
    if not raw:
        return Normalised(None, "no number")
    candidates = [raw]
    if not raw.startswith("+") and raw.replace(" ", "").isdigit():
        candidates.append("+" + raw.replace(" ", ""))
    error = "not a valid phone number"
    for candidate in candidates:
        try:
            parsed = lib.parse(candidate, region)
        except lib.NumberParseException:
            error = "not a phone number"
            continue
        if lib.is_valid_number(parsed):
            return Normalised(lib.format_number(parsed, lib.PhoneNumberFormat.E164))
        error = "not a valid phone number"
    return Normalised(None, f"{error} (region {region})")
