"""Keeping secrets out of what the mock shows and stores: logs, the attempt log, the control API.

Two kinds of secret pass through the mock: a tenant's ``client-secret`` (sent with every
delivery report, and sometimes echoed back by a receiver that refuses it), and whatever a
callback URL carries in its ``user:password@`` part and its query string (receivers are often
protected by a token there).

- :func:`redact_url` replaces a URL's credentials and query values with ``***``; it is applied
  wherever a callback URL is shown, logged or stored for display.
- :func:`scrub` replaces every echo of a secret in a text: in any letter case, percent-encoded
  (``%2F`` or ``%2f``, ``+`` for a space, or every byte encoded), JSON-escaped (``\\"`` or
  ``\\u0041``), HTML-escaped, and inside base64 (standard or URL-safe, at any alignment).
- :func:`scrubbed_snippet` cuts a receiver's answer to a length *after* scrubbing it, so that
  no cut can leave part of a secret behind.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit, urlunsplit

MASK = "***"
#: Query values shorter than this are not scrubbed from answers (``?v=1`` would mask every 1).
MIN_QUERY_SECRET = 8


def redact_url(url: str) -> str:
    """``url`` with its user, password and every query value replaced by ``***``.

    ``http://user:pw@host:8000/hook?token=abc&x=1`` ->
    ``http://***:***@host:8000/hook?token=***&x=***``. Text that does not parse as a URL is
    returned masked whole.
    """
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = (f"{MASK}:{MASK}" if ":" in userinfo else MASK) + "@" + host
    query = "&".join(
        f"{name.split('=', 1)[0]}={MASK}" if "=" in name else name
        for name in parts.query.split("&")
        if name
    )
    fragment = MASK if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def url_secrets(url: str) -> list[str]:
    """What a callback URL carries that a receiver's answer must not show back."""
    try:
        parts = urlsplit(url)
        found = [parts.username or "", parts.password or ""]
        found += [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    except ValueError:
        return []
    return [value for value in found if len(value) >= MIN_QUERY_SECRET or value in found[:2]]


def _base64_cores(data: bytes) -> set[str]:
    """The part of any base64 text holding ``data`` that depends on ``data`` alone, for each of
    the three alignments ``data`` can have in the encoded stream."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        first = 1 if offset else 0
        last = (offset + len(data)) // 3
        core = encoded[4 * first : 4 * last]
        if len(core) >= 4:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def forms(secret: str) -> set[str]:
    """The spellings of ``secret`` that :func:`scrub` recognises (letter case aside)."""
    data = secret.encode("utf-8")
    found = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        "".join(f"%{byte:02X}" for byte in data),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        "".join(f"\\u{ord(char):04x}" for char in secret),
        html.escape(secret),
        *_base64_cores(data),
    }
    return {form for form in found if form}


@lru_cache(maxsize=64)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    spellings = {form for secret in secrets if secret for form in forms(secret)}
    if not spellings:
        return None
    # Longest first, so that an encoded form wins over a shorter one inside it.
    alternatives = sorted(spellings, key=len, reverse=True)
    return re.compile("|".join(re.escape(form) for form in alternatives), re.IGNORECASE)


def longest_form(secrets: Iterable[str]) -> int:
    """The length of the longest spelling of any of ``secrets``."""
    return max((len(form) for secret in secrets if secret for form in forms(secret)), default=0)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every spelling of every secret replaced by ``***``."""
    pattern = _pattern(frozenset(secrets))
    return text if pattern is None else pattern.sub(MASK, text)


def read_window(limit: int, secrets: Iterable[str]) -> int:
    """How many bytes of an answer to read to keep ``limit`` of it: every secret that begins
    within the kept part is then read whole, with room for what scrubbing removes."""
    return limit + 2 * longest_form(secrets)


def _stump(text: str, secrets: Iterable[str]) -> int:
    """How many characters at the end of ``text`` could begin a spelling of a secret."""
    spellings = [form.lower() for secret in secrets if secret for form in forms(secret)]
    tail = text[-max((len(form) for form in spellings), default=0) :].lower()
    for size in range(len(tail), 0, -1):
        if any(form.startswith(tail[-size:]) for form in spellings):
            return size
    return 0


def scrubbed_snippet(raw: bytes, *, limit: int, complete: bool, secrets: Iterable[str]) -> str:
    """The first ``limit`` bytes (UTF-8) of a receiver's answer, scrubbed before it is cut.

    ``raw`` is what was read of the answer (:func:`read_window` bytes, or all of it). When more
    followed (``complete`` is false) the read itself may have cut a secret at the end of
    ``raw``: a tail that could begin one is dropped before the cut, since scrubbing the echoes
    before it may have brought it within ``limit``.
    """
    secrets = list(secrets)
    text = scrub(raw.decode("utf-8", "replace"), secrets)
    if not complete:
        text = text[: len(text) - _stump(text, secrets)]
    kept = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
    return kept.strip()
