"""What public integrations send to ``POST /messages/send``, byte for byte.

Each :class:`Integration` writes the request its client library would put on the wire for the
code its authors wrote: the request line, every header in the library's order (its
``User-Agent``, ``Accept``, ``Content-Type`` and ``Content-Length``), and the body with the
library's own encoding (PHP's ``json_encode`` escapes non-ASCII and ``/``, Python's
``json.dumps`` puts a space after ``,`` and ``:``, ``URLSearchParams`` writes a space as ``+``).
The ``Host`` is the live host the integration talks to; the twin answers any host, as it must
to stand in for the live service and for a reseller's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from tests.support.tenants import CLIENT_ID, CLIENT_SECRET

PATH = "/api/whatsapp/v1/messages/send"
#: A Turkish text: every encoder above writes it differently.
TEXT = "Siparişiniz kargoya verildi / Order shipped"


@dataclass(frozen=True)
class Sent:
    """What the twin must have stored from one replayed request."""

    to: str
    message: str
    send_speed: int
    report_id: str | None


@dataclass(frozen=True)
class Integration:
    """A public integration: how it builds its request, and what it means."""

    name: str
    #: The code of the integration, as its authors wrote it (for the reader of a failure).
    source: str
    build: Callable[[str], tuple[bytes, Sent]]


def _request(host: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("latin-1") + b"\r\n" + body


def _php_json(value: dict[str, object]) -> bytes:
    """PHP's ``json_encode($value)`` (flags 0): ``\\uXXXX`` for non-ASCII, ``\\/`` for ``/``."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def laravel(reg_id: str, to: str = "905459260314") -> tuple[bytes, Sent]:
    """Laravel 10's ``Http`` client (Guzzle 7, PHP 8.2)."""
    report_id = 482913057  # `random_int(100000000, 999999999)`: a random 9-digit integer
    body = _php_json(
        {
            "reg_id": reg_id,
            "to": to,
            "message": TEXT,
            "send_speed": 1,
            "report_id": report_id,
        }
    )
    headers = [
        ("User-Agent", "GuzzleHttp/7"),
        ("client-id", CLIENT_ID),
        ("client-secret", CLIENT_SECRET),
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
    ]
    return _request("api.vatansms.net", headers, body), Sent(to, TEXT, 1, str(report_id))


def axios(reg_id: str) -> tuple[bytes, Sent]:
    """axios 1.6 on Node.js 20: ``JSON.stringify`` keeps non-ASCII as UTF-8."""
    body = json.dumps(
        {
            "reg_id": reg_id,
            "to": "+905459260314",
            "message": TEXT,
            "send_speed": "2",  # process.env.WHATSAPP_SPEED || "2"
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    headers = [
        ("Accept", "application/json, text/plain, */*"),
        ("Content-Type", "application/json"),
        ("client-id", CLIENT_ID),
        ("client-secret", CLIENT_SECRET),
        ("User-Agent", "axios/1.6.8"),
        ("Content-Length", str(len(body))),
        ("Accept-Encoding", "gzip, compress, deflate, br"),
        ("Connection", "close"),
    ]
    return _request("api.vatansms.com", headers, body), Sent("905459260314", TEXT, 2, None)


def python_requests(reg_id: str) -> tuple[bytes, Sent]:
    """requests 2.31 in a desktop bulk sender: ``json=`` is ``json.dumps`` with its defaults."""
    report_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "reg_id": reg_id,
            "to": "905459260314",
            "message": TEXT,
            "send_speed": 1,
            "report_id": report_id,
        }
    ).encode("ascii")
    headers = [
        ("User-Agent", "python-requests/2.31.0"),
        ("Accept-Encoding", "gzip, deflate"),
        ("Accept", "*/*"),
        ("Connection", "keep-alive"),
        ("client-id", CLIENT_ID),
        ("client-secret", CLIENT_SECRET),
        ("Content-Length", str(len(body))),
        ("Content-Type", "application/json"),
    ]
    return _request("api.vatansms.net", headers, body), Sent("905459260314", TEXT, 1, report_id)


def _url_search_params(fields: list[tuple[str, str]]) -> bytes:
    """``new URLSearchParams(fields).toString()``: UTF-8, ``+`` for a space, ``*-._`` kept."""
    return "&".join(
        f"{quote(k, safe='*-._').replace('%20', '+')}={quote(v, safe='*-._ ').replace(' ', '+')}"
        for k, v in fields
    ).encode("ascii")


def reseller_form(reg_id: str) -> tuple[bytes, Sent]:
    """``fetch`` with a ``URLSearchParams`` body (Node.js 20's undici), under a reseller's host."""
    body = _url_search_params(
        [("reg_id", reg_id), ("to", "905459260314"), ("message", TEXT), ("send_speed", "1")]
    )
    headers = [
        ("connection", "keep-alive"),
        ("client-id", CLIENT_ID),
        ("client-secret", CLIENT_SECRET),
        ("content-type", "application/x-www-form-urlencoded;charset=UTF-8"),
        ("accept", "*/*"),
        ("accept-language", "*"),
        ("sec-fetch-mode", "cors"),
        ("user-agent", "node"),
        ("accept-encoding", "gzip, deflate"),
        ("content-length", str(len(body))),
    ]
    return _request("api.whatsapp-reseller.example", headers, body), Sent(
        "905459260314", TEXT, 1, None
    )


def php_curl_multipart(reg_id: str) -> tuple[bytes, Sent]:
    """PHP's cURL with ``CURLOPT_POSTFIELDS`` an array: libcurl writes ``multipart/form-data``.

    The pattern of the PHP snippets that every Turkish SMS panel documents; the values of a
    PHP array reach the wire as text, so ``send_speed`` and ``report_id`` are digits.
    """
    boundary = "------------------------5b9f2c4e1d7a3c80"
    fields = [
        ("reg_id", reg_id),
        ("to", "905459260314"),
        ("message", TEXT),
        ("send_speed", "3"),
        ("report_id", "0042"),
    ]
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
            for name, value in fields
        )
        + f"--{boundary}--\r\n".encode()
    )
    headers = [
        ("Accept", "*/*"),
        ("client-id", CLIENT_ID),
        ("client-secret", CLIENT_SECRET),
        ("Content-Length", str(len(body))),
        ("Content-Type", f"multipart/form-data; boundary={boundary}"),
    ]
    return _request("api.vatansms.net", headers, body), Sent("905459260314", TEXT, 3, "0042")


INTEGRATIONS = [
    Integration(
        "laravel-http-json",
        "Http::withHeaders(['client-id' => ..., 'client-secret' => ...])->post($url, ['reg_id' "
        "=> $regId, 'to' => '905...', 'message' => $text, 'send_speed' => 1, 'report_id' => "
        "random_int(100000000, 999999999)])",
        laravel,
    ),
    Integration(
        "node-axios-json",
        "axios.post(url, { reg_id, to: '+90...', message, send_speed: process.env.X || '2' }, "
        "{ headers: { 'client-id': ..., 'client-secret': ... } })",
        axios,
    ),
    Integration(
        "python-requests-uuid",
        "requests.post(url, json={..., 'send_speed': 1, 'report_id': str(uuid.uuid4())}, "
        "headers={'client-id': ..., 'client-secret': ...})",
        python_requests,
    ),
    Integration(
        "reseller-urlsearchparams",
        "fetch(`https://${resellerHost}/api/whatsapp/v1/messages/send`, { method: 'POST', "
        "headers: {...}, body: new URLSearchParams({ reg_id, to, message, send_speed: '1' }) })",
        reseller_form,
    ),
    Integration(
        "php-curl-postfields-array",
        "curl_setopt($ch, CURLOPT_POSTFIELDS, ['reg_id' => $regId, 'to' => '905...', 'message' "
        "=> $text, 'send_speed' => '3', 'report_id' => '0042'])",
        php_curl_multipart,
    ),
]
