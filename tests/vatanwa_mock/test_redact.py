"""Secrets out of what the mock shows: URLs redacted, echoes scrubbed, byte for byte."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from vatanwa_mock.redact import read_window, redact_url, scrub, scrubbed_snippet, url_secrets

SECRET = "vatanwa-local-secret"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:8000/hook", "http://127.0.0.1:8000/hook"),
        ("http://user:pa55@127.0.0.1:8000/hook", "http://***:***@127.0.0.1:8000/hook"),
        ("https://token@hooks.example/x", "https://***@hooks.example/x"),
        (
            "http://127.0.0.1/hook?token=abc&x=1&flag",
            "http://127.0.0.1/hook?token=***&x=***&flag",
        ),
        ("http://u:p@[::1]:9/h?k=v#frag", "http://***:***@[::1]:9/h?k=***#***"),
        ("http://127.0.0.1:notaport/h?k=v", "***"),
    ],
)
def test_urls_are_shown_without_credentials_or_query_values(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_the_secrets_of_a_url_are_its_credentials_and_long_query_values() -> None:
    url = "http://me:pa55@127.0.0.1/h?token=abcdefgh123&short=1"
    assert url_secrets(url) == ["me", "pa55", "abcdefgh123"]


def test_every_spelling_of_the_secret_is_scrubbed() -> None:
    basic = base64.b64encode(f"vatanwa-local-id:{SECRET}".encode()).decode()
    echoes = [
        SECRET,
        SECRET.upper(),
        "VaTaNwA-LoCaL-sEcReT",
        quote(SECRET, safe=""),
        "".join(f"%{b:02x}" for b in SECRET.encode()),
        "".join(f"%{b:02X}" for b in SECRET.encode()),
        json.dumps(SECRET),
        "".join(f"\\u{ord(c):04x}" for c in SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.urlsafe_b64encode(b"x" + SECRET.encode()).decode(),
    ]
    for echo in echoes:
        scrubbed = scrub(f"<{echo}>", [SECRET])
        assert "ecret" not in scrubbed.lower(), echo
        assert scrubbed.startswith("<")
        assert scrubbed.endswith(">")
        assert "***" in scrubbed
    # Inside an Authorization header echoed back: only the bytes around the secret stay.
    assert scrub(f"Basic {basic}", [SECRET]) == "Basic dmF0YW53YS1sb2NhbC1pZDp2***dA=="
    assert scrub(f'{{"secret": {json.dumps(SECRET)}}}', [SECRET]) == '{"secret": "***"}'
    assert scrub("nothing to hide", [SECRET]) == "nothing to hide"


def test_a_secret_across_the_cut_leaves_nothing_behind() -> None:
    # The old order (cut at 200 bytes, then scrub) kept 'vatanwa-local-secre' here.
    for before in range(170, 201):
        answer = ("x" * before + SECRET + "." * 400).encode()
        window = answer[: read_window(200, [SECRET])]
        snippet = scrubbed_snippet(window, limit=200, complete=False, secrets=[SECRET])
        assert snippet == ("x" * before + "***" + "." * 400)[:200]
        assert len(snippet.encode()) == 200


def test_a_secret_cut_by_the_read_itself_is_dropped() -> None:
    # The read stopped inside a secret; scrubbing the echoes before it shortened the text,
    # which must not pull that stump into the kept part.
    answer = (SECRET * 10 + "." * 10 + SECRET[:5]).encode()
    snippet = scrubbed_snippet(answer, limit=200, complete=False, secrets=[SECRET])
    assert snippet == "***" * 10 + "." * 10
    encoded = (SECRET * 10 + "." * 10 + quote(SECRET.upper())[:7]).encode()
    snippet = scrubbed_snippet(encoded, limit=200, complete=False, secrets=[SECRET])
    assert snippet == "***" * 10 + "." * 10
    # A complete answer ends where it ends: nothing is dropped.
    whole = ("." * 10 + SECRET[:5]).encode()
    assert scrubbed_snippet(whole, limit=200, complete=True, secrets=[SECRET]) == "." * 10 + "vatan"


def test_a_complete_short_answer_is_kept_whole_and_scrubbed() -> None:
    answer = f"refused {SECRET.upper()} \u015f".encode()
    snippet = scrubbed_snippet(answer, limit=200, complete=True, secrets=[SECRET])
    assert snippet == "refused *** \u015f"


def test_a_multibyte_character_is_not_split_by_the_cut() -> None:
    answer = ("a" * 199 + "\u015f" + "b" * 50).encode()
    snippet = scrubbed_snippet(answer, limit=200, complete=True, secrets=[SECRET])
    assert snippet == "a" * 199
