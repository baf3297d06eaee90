"""Phone numbers as people type them, made into the international form the service takes.

``0532 123 45 67``, ``+90 (532) 123-45-67`` and ``905321234567`` (region ``TR``) are all
``+905321234567``. A number written without ``+`` that is not valid in the region is tried
once more as an international number (``4915112345678`` is a German mobile).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import UsageProblem

DEFAULT_REGION = "TR"
#: The contract's ``PhoneNumber`` pattern: what the service takes.
_SERVICE_FORM = re.compile(r"\+?[1-9][0-9]{7,14}")


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


def recipient(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The number to send ``text`` to: normalised, or as typed when it already has the form
    the service takes (international digits) although phonenumbers does not know its range.

    A single number typed on the command line is passed on rather than refused, so that the
    command line is never stricter than the service; ``None`` when it cannot be a number.
    """
    found = normalise(text, region)
    if found.number is not None:
        return found.number
    compact = text.strip().replace(" ", "")
    return compact if _SERVICE_FORM.fullmatch(compact) else None


def region_value(region: str) -> str:
    """A ``--region`` in upper case, or a usage error when phonenumbers does not know it."""
    code = region.strip().upper()
    if code not in _phonenumbers().SUPPORTED_REGIONS:
        raise UsageProblem(
            f"--region: unknown region {region!r} (use a two-letter country code such as TR)"
        )
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
