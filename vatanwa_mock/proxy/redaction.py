"""What an exchange looks like once it may leave the user's machine: no secret, no full phone
number.

- Credential headers (``client-secret``, ``client-id``, ``Authorization``, cookies, API keys)
  become ``***``; so does a query value or a form field named like a credential.
- Every spelling of the exchange's credentials that is left anywhere (an echo in a body, a
  message) is scrubbed with :func:`vatanwa_mock.redact.scrub`.
- Phone numbers keep their last 4 digits: in headers, query strings, JSON bodies and form
  fields, every run of 8 or more digits (with its ``+``) becomes ``+********0314``, except the
  values of fields that are identifiers, not numbers (``reg_id``, ``regId``, ``report_id``,
  ``callback_data``, ``code``...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from vatanwa_mock.redact import MASK, scrub

#: Headers whose whole value is a credential.
SECRET_HEADERS = frozenset(
    {
        "client-secret",
        "client-id",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
    }
)
#: Field and parameter names whose value is a credential, wherever they appear.
_SECRET_NAME = re.compile(
    r"secret|password|passwd|token|api[-_]?key|authorization|client[-_]id", re.I
)
#: Fields that hold identifiers made of digits, which are not phone numbers.
ID_FIELDS = frozenset(
    {"reg_id", "regId", "report_id", "callback_data", "code", "send_speed", "status", "id", "pid"}
)
_PHONE = re.compile(r"(?<![0-9])(\+?)([0-9]{4,})([0-9]{4})(?![0-9])")
_MIN_DIGITS = 8


def mask_phones(text: str) -> str:
    """Every run of 8 or more digits with all but its last 4 replaced by ``*``."""

    def mask(match: re.Match[str]) -> str:
        head, tail = match.group(2), match.group(3)
        if len(head) + len(tail) < _MIN_DIGITS:
            return match.group(0)
        return match.group(1) + "*" * len(head) + tail

    return _PHONE.sub(mask, text)


def redact_value(value: Any, name: str | None = None) -> Any:
    """A JSON value (or a form's fields) with credentials masked and phone numbers cut."""
    if name is not None and _SECRET_NAME.search(name):
        return MASK
    if isinstance(value, dict):
        return {key: redact_value(item, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, name) for item in value]
    if name in ID_FIELDS:
        return value
    if isinstance(value, str):
        return mask_phones(value)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and len(str(abs(value))) >= _MIN_DIGITS
    ):
        return mask_phones(str(value))
    return value


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as an object (repeated names joined with ``, ``), credentials masked."""
    found: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        shown = MASK if key in SECRET_HEADERS or _SECRET_NAME.search(key) else mask_phones(value)
        found[key] = f"{found[key]}, {shown}" if key in found else shown
    return found


def finish(record: dict[str, Any], secrets: Iterable[str]) -> dict[str, Any]:
    """The last pass over a whole record: every spelling of ``secrets`` left is scrubbed."""
    kept = [secret for secret in secrets if secret and len(secret) >= 4]
    if not kept:
        return record
    cleaned: dict[str, Any] = _scrub_all(record, kept)
    return cleaned


def _scrub_all(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {_scrub_all(k, secrets): _scrub_all(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_all(item, secrets) for item in value]
    if isinstance(value, str):
        return scrub(value, secrets)
    return value
