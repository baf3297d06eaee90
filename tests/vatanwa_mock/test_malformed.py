"""A battery of malformed requests: each gets its documented status in the envelope.

The bulk runs in-process (connexion's test client, lifespan included); the kinds of input
that depend on the HTTP server itself (declared lengths, chunked bodies, raw bytes) also run
against the real process. After every request the server must still answer, never with 500.
"""

from __future__ import annotations

import email.message
import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from tests.support.servers import CLIENT_ID, CLIENT_SECRET, MockServer, run_mock
from tests.support.tenants import headers
from tests.vatanwa_mock import conformance
from tests.vatanwa_mock.support import FAST
from vatanwa_mock.app import create_app
from vatanwa_mock.config import Credentials, Settings
from vatanwa_mock.spec import load_contract
from vatanwa_mock.validation import BoundedParameterValidator

BASE = "/api/whatsapp/v1"
AUTH = headers()
LIMIT = load_contract().attachments.max_bytes
PHONE = "+905459260314"
#: More digits than Python converts to an int (``sys.get_int_max_str_digits()``).
HUGE = b"9" * 5000
LONE = "\ud800"
#: ``--max-recipients`` of the in-process app: small, so that "one more" stays cheap to send.
MAX_RECIPIENTS = 1000
#: One more recipient than that, all the same number (the amplification probe's shape).
TOO_MANY = ",".join([PHONE] * (MAX_RECIPIENTS + 1))


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    kwargs: dict[str, Any] = field(default_factory=dict)
    auth: bool = True
    #: Words the description must contain.
    mentions: tuple[str, ...] = ()


def send(reg: str, **overrides: Any) -> dict[str, Any]:
    body = {"reg_id": reg, "to": PHONE, "message": "x", "send_speed": 1}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def form(reg: str, **overrides: Any) -> dict[str, Any]:
    return {key: str(value) for key, value in send(reg, **overrides).items()}


def parts(fields: dict[str, str]) -> list[tuple[str, tuple[None, str]]]:
    """Text parts of a multipart body (httpx sends ``data`` alone as urlencoded)."""
    return [(name, (None, value)) for name, value in fields.items()]


def _with(body: dict[str, Any], key: str) -> bytes:
    """``body`` as JSON whose ``key`` holds a lone surrogate escape."""
    return json.dumps({**body, key: LONE}).encode()


def _multipart(fields: dict[str, str]) -> bytes:
    return (
        b"".join(
            b'--zz\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (name.encode(), value.encode())
            for name, value in fields.items()
        )
        + b"--zz--\r\n"
    )


def cases(connected: str, pending: str) -> list[Case]:
    raw = {"content": b"", "headers": {"content-type": "application/json"}}

    def raw_json(text: bytes, content_type: str = "application/json") -> dict[str, Any]:
        return {"content": text, "headers": {"content-type": content_type}}

    pdf = ("doc.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    return [
        # credentials
        Case("no headers", "POST", "/login/qr", 401, auth=False),
        Case(
            "only client-id",
            "POST",
            "/login/qr",
            401,
            {"headers": {"client-id": CLIENT_ID}},
            auth=False,
        ),
        Case(
            "wrong secret",
            "POST",
            "/login/qr",
            401,
            {"headers": {"client-id": CLIENT_ID, "client-secret": "nope"}},
            auth=False,
        ),
        Case(
            "secret of another tenant",
            "POST",
            "/login/qr",
            401,
            {"headers": {"client-id": CLIENT_ID, "client-secret": "tenant-b-secret"}},
            auth=False,
        ),
        Case(
            "non-ASCII credentials",
            "GET",
            "/devices",
            401,
            {"headers": {"client-id": "ı".encode(), "client-secret": "ş".encode()}},
            auth=False,
        ),
        Case("credentials on the control API", "GET", "/_mock/messages", 401, auth=False),
        # schema violations
        Case("missing phone", "POST", "/login/phone", 422, {"json": {}}, mentions=("phone",)),
        Case(
            "phone not a number",
            "POST",
            "/login/phone",
            422,
            {"json": {"phone": "abc"}},
            mentions=("phone",),
        ),
        Case("body is an array", "POST", "/login/phone", 422, {"json": [PHONE]}),
        Case("body is null", "POST", "/login/phone", 422, raw_json(b"null")),
        Case(
            "NaN phone",
            "POST",
            "/login/phone",
            422,
            raw_json(b'{"phone": NaN}'),
            mentions=("phone",),
        ),
        Case(
            "send_speed 5",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, send_speed=5)},
            mentions=("send_speed", "maximum"),
        ),
        Case(
            "send_speed 0",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, send_speed=0)},
            mentions=("send_speed",),
        ),
        Case(
            "send_speed as text out of range",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, send_speed="5")},
            mentions=("send_speed", "1", "4"),
        ),
        Case(
            "send_speed as text with a space",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, send_speed=" 1")},
            mentions=("send_speed",),
        ),
        Case(
            "missing send_speed",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, send_speed=None)},
            mentions=("send_speed",),
        ),
        Case(
            "empty message",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, message="")},
            mentions=("message",),
        ),
        Case(
            "negative report_id",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, report_id=-1)},
            mentions=("report_id",),
        ),
        Case(
            "report_id longer than 64 characters",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, report_id="r" * 65)},
            mentions=("report_id", "64"),
        ),
        Case(
            "empty report_id",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, report_id="")},
            mentions=("report_id",),
        ),
        Case(
            "recipient in national form",
            "POST",
            "/messages/send",
            422,
            {"json": send(connected, to="0532 123 45 67")},
            mentions=("to", "'+905321234567'", "international"),
        ),
        Case(
            "reg_id with a leading zero",
            "POST",
            "/login/check/active",
            422,
            {"json": {"reg_id": "0123"}},
            mentions=("reg_id",),
        ),
        Case("reg_id 0", "POST", "/logout", 422, {"json": {"reg_id": "0"}}, mentions=("reg_id",)),
        Case(
            "reg_id as a number where a string is documented",
            "POST",
            "/profile-picture",
            404,
            {"json": {"reg_id": 123}},
            mentions=("reg_id 123",),
        ),
        Case(
            "bad number in the oneToN list",
            "POST",
            "/messages/send/oneToN",
            422,
            {"json": send(connected, to="+905459260314,,12")},
            mentions=("to",),
        ),
        Case(
            "empty n_to_n",
            "POST",
            "/messages/send/nToN",
            422,
            {"json": {"reg_id": connected, "n_to_n": [], "send_speed": 1}},
            mentions=("n_to_n",),
        ),
        Case(
            "n_to_n item without message",
            "POST",
            "/messages/send/nToN",
            422,
            {"json": {"reg_id": connected, "n_to_n": [{"to": PHONE}], "send_speed": 1}},
            mentions=("n_to_n[0]", "message"),
        ),
        # bodies that do not parse
        Case("empty body", "POST", "/login/phone", 400, raw),
        Case("truncated JSON", "POST", "/login/phone", 400, raw_json(b'{"phone": "+9054')),
        Case(
            "invalid UTF-8 in JSON",
            "POST",
            "/login/phone",
            400,
            raw_json(b'{"phone": "\xff\xfe"}'),
            mentions=("utf-8",),
        ),
        Case(
            "deeply nested JSON",
            "POST",
            "/login/phone",
            400,
            raw_json(b"[" * 100_000 + b"]" * 100_000),
        ),
        Case(
            "multipart without boundary",
            "POST",
            "/messages/send",
            400,
            raw_json(b"--x\r\n", "multipart/form-data"),
        ),
        Case(
            "broken multipart",
            "POST",
            "/messages/send",
            400,
            raw_json(
                b'--zz\r\nContent-Disposition: form-data; name="to"\r\n\r\n+90',
                "multipart/form-data; boundary=zz",
            ),
        ),
        Case(
            "empty multipart",
            "POST",
            "/messages/send",
            400,
            raw_json(b"", "multipart/form-data; boundary=zz"),
        ),
        # multipart schema violations
        Case(
            "multipart reg_id not a number",
            "POST",
            "/messages/send",
            422,
            {"files": parts(form(connected, reg_id="abc"))},
            mentions=("reg_id",),
        ),
        Case(
            "multipart send_speed 9",
            "POST",
            "/messages/send/oneToN",
            422,
            {"files": parts(form(connected, send_speed=9))},
            mentions=("send_speed",),
        ),
        Case(
            "attachment sent as text",
            "POST",
            "/messages/send",
            422,
            {"files": parts({**form(connected), "attachment": "not a file"})},
            mentions=("attachment",),
        ),
        Case(
            "text part sent as a file",
            "POST",
            "/messages/send",
            422,
            {"data": form(connected, message=None), "files": {"message": ("m.txt", b"hi")}},
            mentions=("message",),
        ),
        Case(
            "n_to_n part not JSON",
            "POST",
            "/messages/send/nToN",
            422,
            {"files": parts({"reg_id": connected, "n_to_n": "[{", "send_speed": "1"})},
            mentions=("n_to_n",),
        ),
        Case(
            "n_to_n part breaks NToNList",
            "POST",
            "/messages/send/nToN",
            422,
            {
                "files": parts(
                    {
                        "reg_id": connected,
                        "n_to_n": json.dumps([{"to": "x", "message": "m"}]),
                        "send_speed": "1",
                    }
                )
            },
            mentions=("n_to_n[0].to",),
        ),
        # media types and sizes
        Case("text/plain body", "POST", "/login/phone", 415, raw_json(b"hi", "text/plain")),
        Case(
            "form-urlencoded body without the required fields",
            "POST",
            "/messages/send",
            422,
            raw_json(b"reg_id=1", "application/x-www-form-urlencoded"),
            mentions=("to",),
        ),
        Case(
            "form-urlencoded send_speed 5",
            "POST",
            "/messages/send",
            422,
            raw_json(
                f"reg_id={connected}&to=905459260314&message=x&send_speed=5".encode(),
                "application/x-www-form-urlencoded",
            ),
            mentions=("send_speed",),
        ),
        Case(
            "form-urlencoded body not UTF-8",
            "POST",
            "/login/phone",
            400,
            raw_json(b"phone=%FF%FE", "application/x-www-form-urlencoded"),
            mentions=("utf-8",),
        ),
        Case(
            "form-urlencoded body in UTF-7 with a lone surrogate",
            "POST",
            "/login/phone",
            400,
            raw_json(b"phone=%2B2AA-", "application/x-www-form-urlencoded; charset=utf-7"),
            mentions=("phone", "surrogate"),
        ),
        Case(
            "form-urlencoded body with thousands of fields",
            "POST",
            "/logout",
            400,
            raw_json(b"reg_id=1&" * 5000, "application/x-www-form-urlencoded"),
            mentions=("fields",),
        ),
        Case(
            "empty form-urlencoded body",
            "POST",
            "/logout",
            400,
            raw_json(b"", "application/x-www-form-urlencoded"),
            mentions=("required",),
        ),
        Case(
            "multipart where only JSON is documented",
            "POST",
            "/logout",
            415,
            {"data": {"reg_id": connected}, "files": {"x": ("x.txt", b"x")}},
        ),
        Case(
            "attachment of a refused type",
            "POST",
            "/messages/send",
            415,
            {
                "data": form(connected),
                "files": {"attachment": ("run.exe", b"MZ", "application/x-msdownload")},
            },
            mentions=("attachment", "pdf"),
        ),
        Case(
            "pdf name with a foreign type",
            "POST",
            "/messages/send",
            415,
            {"data": form(connected), "files": {"attachment": ("a.pdf", b"x", "text/html")}},
        ),
        Case(
            "attachment over the limit",
            "POST",
            "/messages/send",
            413,
            {
                "data": form(connected),
                "files": {"attachment": ("big.pdf", b"0" * (LIMIT + 1), "application/pdf")},
            },
            mentions=("attachment",),
        ),
        Case(
            "body over the limit",
            "POST",
            "/messages/send",
            413,
            {
                "data": form(connected),
                "files": {
                    "attachment": ("huge.pdf", b"0" * (LIMIT + 2 * 1024 * 1024), "application/pdf")
                },
            },
        ),
        # devices
        Case(
            "unknown reg_id",
            "POST",
            "/messages/send",
            404,
            {"json": send("9999999999")},
            mentions=("9999999999",),
        ),
        Case(
            "unknown reg_id, multipart",
            "POST",
            "/messages/send",
            404,
            {"data": form("9999999999"), "files": {"attachment": pdf}},
        ),
        # Beyond int64 (the contract's format): a schema violation, not an unknown device.
        Case("huge reg_id", "POST", "/login/check/active", 422, {"json": {"reg_id": 10**30}}),
        Case(
            "pending reg_id",
            "POST",
            "/messages/send",
            400,
            {"json": send(pending)},
            mentions=("pending",),
        ),
        Case(
            "pending reg_id, profile",
            "POST",
            "/profile-picture",
            400,
            {"json": {"reg_id": pending}},
        ),
        # routes and methods
        Case("unknown route", "POST", "/messages/unknown", 404),
        Case("unknown control route", "GET", "/_mock/nothing", 404, auth=False),
        Case("wrong method", "GET", "/login/phone", 405),
        Case("wrong method on the control API", "GET", "/_mock/reset", 405),
        # control API
        Case("chaos share over 1", "PUT", "/_mock/chaos", 422, {"json": {"error_rate": 2}}),
        Case(
            "chaos shares summing over 1",
            "PUT",
            "/_mock/chaos",
            422,
            {"json": {"error_rate": 0.6, "rate_limit_rate": 0.6}},
        ),
        Case("chaos unknown field", "PUT", "/_mock/chaos", 422, {"json": {"boom": 1}}),
        Case(
            "pair with a bad number",
            "POST",
            f"/_mock/logins/{pending}/pair",
            422,
            {"json": {"device_number": "abc"}},
        ),
        Case(
            "messages filter not in the enum",
            "GET",
            "/_mock/messages",
            400,
            {"params": {"status": "lost"}},
        ),
        Case("callback without url", "PUT", "/_mock/callback", 422, {"json": {}}),
        *(
            Case(
                f"callback to {url}",
                "PUT",
                "/_mock/callback",
                422,
                {"json": {"url": url}},
                mentions=("refused",),
            )
            for url in (
                "http://169.254.169.254/latest/meta-data/",
                "http://[fe80::1]:8000/hook",
                "http://[::ffff:169.254.169.254]/hook",
                "http://0x7f.1:8000/hook",
                "http://2130706433:8000/hook",
                "http://0177.0.0.1/hook",
                "http://127.1/hook",
            )
        ),
        Case(
            "callback with a port that is not a number",
            "PUT",
            "/_mock/callback",
            422,
            {"json": {"url": "http://127.0.0.1:http/hook"}},
        ),
        Case("media token unknown", "GET", "/_mock/media/avatars/AAAAAAAAAAAA", 404, auth=False),
        # numbers Python will not convert (more than 4,300 digits) and integers beyond int64
        Case("seed of 5,000 digits", "PUT", "/_mock/chaos", 400, raw_json(b'{"seed": %s}' % HUGE)),
        Case(
            "negative seed of 5,000 digits",
            "PUT",
            "/_mock/chaos",
            400,
            raw_json(b'{"seed": -%s}' % HUGE),
        ),
        Case(
            "phone of 5,000 digits", "POST", "/login/phone", 400, raw_json(b'{"phone": %s}' % HUGE)
        ),
        Case(
            "report_id of 5,000 digits",
            "POST",
            "/messages/send",
            400,
            raw_json(json.dumps(send(connected)).encode()[:-1] + b', "report_id": %s}' % HUGE),
        ),
        # report_id filters are text (as sent), up to the contract's 64 characters.
        Case(
            "report_id filter longer than 64 characters",
            "GET",
            "/_mock/messages",
            400,
            {"params": {"report_id": "1" * 65}},
            mentions=("report_id",),
        ),
        Case(
            "report_id filter longer than 64 characters, deliveries",
            "GET",
            "/_mock/deliveries",
            400,
            {"params": {"report_id": "r" * 65}},
            mentions=("report_id",),
        ),
        Case(
            "query integer of 5,000 digits",
            "GET",
            "/_mock/deliveries",
            400,
            {"params": {"report_id": HUGE.decode()}},
            mentions=("report_id",),
        ),
        Case(
            "path integer beyond int64",
            "POST",
            "/_mock/deliveries/100000000000000000000/replay",
            400,
            mentions=("id",),
        ),
        Case(
            "path integer of 5,000 digits",
            "POST",
            f"/_mock/deliveries/{HUGE.decode()}/replay",
            400,
            mentions=("id",),
        ),
        # the cost of one request is bounded: recipients per send, list pages
        Case(
            "oneToN over --max-recipients, one number repeated, a 64 KiB message",
            "POST",
            "/messages/send/oneToN",
            413,
            {"json": send(connected, to=TOO_MANY, message="m" * 65536, report_id=1)},
            mentions=("recipients", str(MAX_RECIPIENTS)),
        ),
        Case(
            "oneToN over --max-recipients in multipart",
            "POST",
            "/messages/send/oneToN",
            413,
            {"files": parts(form(connected, to=TOO_MANY))},
            mentions=("recipients",),
        ),
        Case(
            "nToN over --max-recipients",
            "POST",
            "/messages/send/nToN",
            413,
            {
                "json": {
                    "reg_id": connected,
                    "n_to_n": [{"to": PHONE, "message": "x"}] * (MAX_RECIPIENTS + 1),
                    "send_speed": 1,
                }
            },
            mentions=("recipients",),
        ),
        Case(
            "nToN over --max-recipients in multipart",
            "POST",
            "/messages/send/nToN",
            413,
            {
                "files": parts(
                    {
                        "reg_id": connected,
                        "n_to_n": json.dumps(
                            [{"to": PHONE, "message": "x"}] * (MAX_RECIPIENTS + 1)
                        ),
                        "send_speed": "1",
                    }
                )
            },
            mentions=("recipients",),
        ),
        Case(
            "a JSON body of more objects than any send holds",
            "POST",
            "/messages/send/nToN",
            413,
            raw_json(b"[" + b",".join([b"{}"] * (MAX_RECIPIENTS * 3)) + b"]"),
            mentions=("objects",),
        ),
        Case(
            "objects hidden in nested arrays of the control API",
            "PUT",
            "/_mock/chaos",
            413,
            raw_json(b'{"seed": 1, "x": [' + b",".join([b"[]"] * (MAX_RECIPIENTS * 3)) + b"]}"),
            mentions=("objects",),
        ),
        Case(
            "an n_to_n part of more objects than any send holds",
            "POST",
            "/messages/send/nToN",
            413,
            {
                "files": parts(
                    {
                        "reg_id": connected,
                        "n_to_n": "[" + ",".join(["{}"] * (MAX_RECIPIENTS * 3)) + "]",
                        "send_speed": "1",
                    }
                )
            },
            mentions=("objects",),
        ),
        Case("page limit 0", "GET", "/_mock/messages", 400, {"params": {"limit": "0"}}),
        Case(
            "page limit over the maximum",
            "GET",
            "/_mock/deliveries",
            400,
            {"params": {"limit": "5001"}},
            mentions=("limit",),
        ),
        Case(
            "page limit of 5,000 digits",
            "GET",
            "/_mock/messages",
            400,
            {"params": {"limit": HUGE.decode()}},
            mentions=("limit",),
        ),
        Case(
            "cursor that is not one",
            "GET",
            "/_mock/messages",
            400,
            {"params": {"cursor": "abc"}},
            mentions=("cursor",),
        ),
        Case(
            "cursor beyond int64",
            "GET",
            "/_mock/deliveries",
            400,
            {"params": {"cursor": "9" * 25}},
            mentions=("cursor",),
        ),
        # lone surrogates: valid JSON escapes, but no character (nothing can store or send them)
        *(
            Case(f"lone surrogate in {where}", method, path, 400, raw_json(body), mentions=(where,))
            for where, method, path, body in (
                ("message", "POST", "/messages/send", _with(send(connected), "message")),
                ("to", "POST", "/messages/send/oneToN", _with(send(connected), "to")),
                ("phone", "POST", "/login/phone", _with({"phone": PHONE}, "phone")),
                (
                    "n_to_n[0].message",
                    "POST",
                    "/messages/send/nToN",
                    json.dumps(
                        {
                            "reg_id": connected,
                            "n_to_n": [{"to": PHONE, "message": LONE}],
                            "send_speed": 1,
                        }
                    ).encode(),
                ),
                ("url", "PUT", "/_mock/callback", _with({"url": "http://127.0.0.1/"}, "url")),
                (
                    "user_name",
                    "POST",
                    f"/_mock/logins/{pending}/pair",
                    _with({"user_name": "a"}, "user_name"),
                ),
            )
        ),
        Case(
            "lone low surrogate",
            "POST",
            "/messages/send",
            400,
            raw_json(json.dumps(send(connected, message="a\udc00")).encode()),
            mentions=("message",),
        ),
        Case(
            "lone surrogate in a key",
            "PUT",
            "/_mock/chaos",
            400,
            raw_json(b'{"\\ud800": 1}'),
        ),
        Case(
            "lone surrogate in an n_to_n part",
            "POST",
            "/messages/send/nToN",
            422,
            {
                "files": parts(
                    {
                        "reg_id": connected,
                        "n_to_n": json.dumps([{"to": PHONE, "message": LONE}]),
                        "send_speed": "1",
                    }
                )
            },
            mentions=("n_to_n",),
        ),
        Case(
            "lone surrogate through UTF-7 in a multipart part",
            "POST",
            "/messages/send",
            400,
            raw_json(
                _multipart({**form(connected), "message": "+2AA-"}),
                "multipart/form-data; boundary=zz; charset=utf-7",
            ),
            mentions=("message",),
        ),
        # charsets: any spelling of the parameter is read; one that decodes nothing is refused
        Case(
            "charset=undefined",
            "POST",
            "/login/phone",
            400,
            raw_json(b'{"phone": "%s"}' % PHONE.encode(), "application/json;charset=undefined"),
            mentions=("undefined",),
        ),
        Case(
            "charset=bogus after a space",
            "POST",
            "/login/phone",
            400,
            raw_json(b'{"phone": "%s"}' % PHONE.encode(), "application/json; charset=bogus"),
            mentions=("bogus",),
        ),
        Case(
            "quoted upper-case bogus charset",
            "POST",
            "/login/phone",
            400,
            raw_json(b'{"phone": "%s"}' % PHONE.encode(), 'application/json; Charset="BOGUS"'),
            mentions=("bogus",),
        ),
        Case(
            "charset that is not a text encoding",
            "PUT",
            "/_mock/chaos",
            400,
            raw_json(b"{}", "application/json; charset=base64"),
        ),
        Case(
            "multipart charset=undefined",
            "POST",
            "/messages/send",
            400,
            raw_json(
                _multipart(form(connected)), "multipart/form-data; boundary=zz; charset=undefined"
            ),
            mentions=("undefined",),
        ),
        Case(
            "body not valid in its declared charset",
            "POST",
            "/login/phone",
            400,
            raw_json(b'{"phone": "\xff"}', "application/json; charset=utf-8"),
        ),
    ]


def _url(case: Case) -> str:
    return case.path if case.path.startswith("/_mock") else BASE + case.path


@pytest.fixture(scope="module")
def app() -> Any:
    settings = Settings(
        credentials=(
            Credentials(CLIENT_ID, CLIENT_SECRET),
            Credentials("tenant-b", "tenant-b-secret"),
        ),
        login_delay=0,
        speed_factor=0.01,
        validate_responses=True,
        max_recipients=MAX_RECIPIENTS,
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[Any]:
    with app.test_client() as test_client:
        yield test_client
    # No request of the whole module reached the last-resort handler (the one test that
    # provokes it on purpose puts the count back).
    assert app.twin.unexpected_errors == 0


@pytest.fixture(scope="module")
def devices(client: Any) -> tuple[str, str]:
    connected = client.post(BASE + "/login/qr", headers=AUTH).json()["data"]["regId"]
    assert client.post(f"/_mock/logins/{connected}/pair", headers=AUTH).status_code == 200
    pending = client.post(BASE + "/login/qr", headers=AUTH).json()["data"]["regId"]
    return connected, pending


def _check(response: httpx.Response, case: Case) -> None:
    assert response.status_code == case.status, (case.name, response.text[:300])
    body = response.json()
    assert body["code"] == case.status
    assert body["status"] == "error"
    assert isinstance(body["description"], str)
    assert body["description"]
    assert "Traceback" not in body["description"]
    assert CLIENT_SECRET not in response.text
    for word in case.mentions:
        assert word.lower() in body["description"].lower(), (case.name, body["description"])
    conformance.check(response)


def test_every_malformed_request_gets_its_documented_status(
    app: Any, client: Any, devices: tuple[str, str]
) -> None:
    connected, pending = devices
    for case in cases(connected, pending):
        kwargs = dict(case.kwargs)
        kwargs["headers"] = {**(AUTH if case.auth else {}), **kwargs.get("headers", {})}
        response = client.request(case.method, _url(case), **kwargs)
        _check(response, case)
        # ...and the server keeps serving.
        assert client.get(BASE + "/devices", headers=AUTH).status_code == 200
    with_device = client.post(
        BASE + "/login/check/active", headers=AUTH, json={"reg_id": connected}
    )
    assert with_device.status_code == 200
    # Every answer came from its own check: none from the last-resort handler.
    assert app.twin.unexpected_errors == 0


def test_the_last_resort_answers_500_in_the_envelope_logs_and_counts(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr(app.twin.store, "messages", broken)
    before = app.twin.unexpected_errors
    with caplog.at_level(logging.ERROR, logger="vatanwa_mock"):
        response = client.get("/_mock/messages", headers=AUTH)
    assert response.status_code == 500
    assert response.json() == {
        "code": 500,
        "status": "error",
        "description": "Internal server error.",
    }
    assert "a defect" not in response.text
    assert app.twin.unexpected_errors == before + 1
    assert any(
        record.exc_info and "a defect" in str(record.exc_info[1]) for record in caplog.records
    )
    monkeypatch.undo()
    assert client.get("/_mock/messages", headers=AUTH).status_code == 200
    app.twin.unexpected_errors = before


def test_a_json_body_in_another_charset_reaches_the_handler_as_sent(
    client: Any, devices: tuple[str, str]
) -> None:
    connected, _ = devices
    text = "Günaydın, şöyle çay içelim"
    for charset, body in (
        ("iso-8859-9", json.dumps(send(connected, message=text, report_id=71), ensure_ascii=False)),
        ("UTF-16", json.dumps(send(connected, message=text, report_id=72))),
    ):
        response = client.post(
            BASE + "/messages/send",
            headers={**AUTH, "content-type": f'application/json; charset="{charset}"'},
            content=body.encode(charset),
        )
        assert response.status_code == 200, response.text
    for report_id in (71, 72):
        found = client.get("/_mock/messages", headers=AUTH, params={"report_id": report_id})
        assert [m["message"] for m in found.json()] == [text]


ODD_NAMES = {
    "fatura_ş.pdf": ("fatura_s.pdf", "fatura_ş.pdf"),
    "Işık İçin.pdf": ("Isik Icin.pdf", "Işık İçin.pdf"),
    "a\nb.pdf": ("a_b.pdf", None),
    "a\x00b.pdf": ("a_b.pdf", None),
    "a\x7fb.pdf": ("a_b.pdf", None),
    'a"; filename=evil.exe; x=.pdf': (
        "a__ filename=evil.exe_ x=.pdf",
        'a"; filename=evil.exe; x=.pdf',
    ),
    "100%25.pdf": ("100_25.pdf", "100%25.pdf"),
}


def _raw_name(name: str) -> bytes:
    # python-multipart reads a backslash-escaped quote inside the quoted file name.
    return name.replace("\\", "\\\\").replace('"', '\\"').encode()


def _check_odd_names(client: Any, connected: str) -> None:
    """Upload an attachment under each of ``ODD_NAMES`` and download it again."""
    for number, name in enumerate(ODD_NAMES, start=100):
        fields = _multipart(form(connected, report_id=number))[: -len(b"--zz--\r\n")]
        body = (
            fields
            + b'--zz\r\nContent-Disposition: form-data; name="attachment"; filename="'
            + _raw_name(name)
            + b'"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--zz--\r\n'
        )
        response = client.post(
            BASE + "/messages/send",
            headers={**AUTH, "content-type": "multipart/form-data; boundary=zz"},
            content=body,
        )
        assert response.status_code == 200, (name, response.text)
        (message,) = client.get(
            "/_mock/messages", headers=AUTH, params={"report_id": number}
        ).json()
        assert message["attachment"]["filename"] == name
        download = client.get(message["attachment"]["url"])
        assert download.status_code == 200
        assert download.content == b"%PDF-1.4"
        header = download.headers["content-disposition"]
        assert header.isascii()
        assert all(" " <= c <= "~" for c in header), repr(header)
        fallback, full = ODD_NAMES[name]
        parsed = email.message.Message()
        parsed["content-disposition"] = header
        assert parsed.get_param("filename", header="content-disposition") == fallback
        params = [p.strip() for p in header.split(";")]
        assert params[0] == "attachment"
        assert len([p for p in params if p.startswith("filename=")]) == 1
        if full is None:
            assert "filename*" not in header
        else:
            assert params[-1] == "filename*=UTF-8''" + quote(full, safe="!#$&+^`|")
            assert unquote(params[-1].split("''", 1)[1], errors="strict") == full


def test_attachment_names_download_with_rfc_6266_headers(
    client: Any, devices: tuple[str, str]
) -> None:
    _check_odd_names(client, devices[0])


# Requests that only a real HTTP server sees: raw bytes on a socket.


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with run_mock(*FAST, "--login-delay", "0", tmp_path=tmp_path_factory.mktemp("raw")) as server:
        yield server
        assert server.process.poll() is None
        assert "Traceback" not in server.log(), server.log()


def _raw(server: MockServer, request: bytes) -> tuple[int, dict[str, Any]]:
    host, port = server.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split()[1]), json.loads(body)


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            return int(line.split(":", 1)[1])
    return 0


def _head(path: str, extra: str) -> bytes:
    auth = f"client-id: {CLIENT_ID}\r\nclient-secret: {CLIENT_SECRET}\r\n"
    return f"POST {BASE}{path} HTTP/1.1\r\nhost: 127.0.0.1\r\n{auth}{extra}\r\n".encode()


def test_a_declared_length_over_the_limit_is_refused_before_the_body(real: MockServer) -> None:
    status, body = _raw(
        real,
        _head(
            "/messages/send", f"content-type: application/json\r\ncontent-length: {LIMIT * 2}\r\n"
        ),
    )
    assert status == 413
    assert body["code"] == 413


@pytest.mark.parametrize(("method", "path"), [("post", "/login/qr"), ("get", "/devices")])
def test_a_body_over_the_limit_is_refused_on_operations_without_a_body(
    real: MockServer, method: str, path: str
) -> None:
    # The limit applies before routing, so the contract declares 413 for these operations too.
    assert "413" in load_contract().resolved["paths"][path][method]["responses"]
    auth = f"client-id: {CLIENT_ID}\r\nclient-secret: {CLIENT_SECRET}\r\n"
    head = (
        f"{method.upper()} {BASE}{path} HTTP/1.1\r\nhost: 127.0.0.1\r\n{auth}"
        f"content-type: application/json\r\ncontent-length: {LIMIT * 2}\r\n\r\n"
    )
    status, body = _raw(real, head.encode())
    assert status == 413
    assert body["code"] == 413
    assert body["status"] == "error"


def test_a_chunked_body_over_the_limit_is_refused(real: MockServer) -> None:
    chunk = b"a" * (1024 * 1024)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // len(chunk) + 2))
    request = _head(
        "/messages/send", "content-type: application/json\r\ntransfer-encoding: chunked\r\n"
    )
    status, body = _raw(real, request + chunks + b"0\r\n\r\n")
    assert status == 413
    assert body["status"] == "error"


def test_invalid_utf8_and_garbage_over_the_wire(real: MockServer) -> None:
    for payload, expected in (
        (b'{"phone": "\xc3\x28"}', 400),
        (b"\x00\x01\x02", 400),
        (b'{"phone": "+905459260314"}', 200),
    ):
        request = _head(
            "/login/phone",
            f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n",
        )
        status, body = _raw(real, request + payload)
        assert status == expected, body
    assert httpx.get(real.root_url + "/_mock/health").status_code == 200


def test_attachment_names_over_the_wire(real: MockServer) -> None:
    # A name with LF or NUL used to drop the connection, and one with 'ş' answered 500.
    with httpx.Client(base_url=real.root_url, timeout=30) as client:
        reg_id = client.post(BASE + "/login/qr", headers=AUTH).json()["data"]["regId"]
        assert client.post(f"/_mock/logins/{reg_id}/pair", headers=AUTH).status_code == 200
        _check_odd_names(client, reg_id)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json;charset=undefined", 400),
        ("application/json; charset=bogus", 400),
        ('application/json; charset="utf-8"', 200),
        ("application/json;CHARSET=UTF-8", 200),
        ("application/json; charset=base64", 400),
    ],
)
def test_charsets_over_the_wire(real: MockServer, content_type: str, expected: int) -> None:
    payload = b'{"phone": "+905459260314"}'
    request = _head(
        "/login/phone", f"content-type: {content_type}\r\ncontent-length: {len(payload)}\r\n"
    )
    status, body = _raw(real, request + payload)
    assert status == expected, body
    if expected == 400:
        assert body["status"] == "error"
        assert "charset" in body["description"].lower()


@pytest.mark.parametrize(
    ("schema", "value", "refused"),
    [
        ({"type": "integer"}, 2**63, True),
        ({"type": "integer"}, -(2**63) - 1, True),
        ({"type": "integer"}, 2**63 - 1, False),
        ({"type": "integer", "format": "int32"}, 2**31, True),
        ({"type": "integer", "format": "int64", "minimum": 1}, 10**20, True),
        ({"type": "integer", "maximum": 5000}, 5000, False),
    ],
)
def test_every_integer_parameter_is_held_to_int64(
    schema: dict[str, Any], value: int, refused: bool
) -> None:
    param = {"name": "n", "in": "query", "schema": schema}
    error = BoundedParameterValidator.validate_parameter("query", value, param)
    assert (error is not None) == refused, error
    if refused:
        assert error is not None
        assert error.startswith("n: ")
