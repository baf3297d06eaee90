"""The checker reads every kind of body the contract may declare and names each break."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

from vatanwa_mock.proxy.bodies import read_body
from vatanwa_mock.proxy.contract import ContractChecker, Problem
from vatanwa_mock.spec import Contract, load_contract

FORM_SPEC: dict[str, Any] = {
    "paths": {
        "/things/{id}": {
            "post": {
                "operationId": "make_thing",
                "parameters": [
                    {"name": "dry", "in": "query", "schema": {"type": "boolean"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["n", "flag"],
                                "properties": {
                                    "n": {"type": "integer", "maximum": 4},
                                    "flag": {"type": "boolean"},
                                    "tags": {"type": "array", "items": {"type": "string"}},
                                    "name": {"type": "string", "pattern": "^[a-z]+$"},
                                },
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "made"}},
            }
        }
    }
}


def checker(spec: dict[str, Any]) -> ContractChecker:
    return ContractChecker(
        Contract(source=load_contract().source, resolved=spec, base_path="/", operations={})
    )


def request_problems(
    check: ContractChecker, path: str, body: bytes, content_type: str, query: str = ""
) -> set[tuple[str, str, str]]:
    route, _ = check.match("POST", path)
    assert route is not None
    read = asyncio.run(read_body(body, content_type))
    problems: list[Problem] = check.check_request(
        route,
        {"content-type": content_type, "client-id": "i", "client-secret": "s"},
        parse_qsl(query),
        read,
        content_type,
    )
    assert all(p.side == "request" for p in problems)
    return {(p.location, p.pointer, p.rule) for p in problems}


def test_form_fields_are_read_as_their_schema_types_them() -> None:
    check = checker(FORM_SPEC)
    form = "application/x-www-form-urlencoded"
    assert request_problems(check, "/things/1", b"n=3&flag=true&tags=a&tags=b", form) == set()
    assert request_problems(check, "/things/1", b"n=5&flag=yes&name=X1", form, "dry=maybe") == {
        ("body", "/n", "maximum"),
        ("body", "/flag", "type"),
        ("body", "/name", "pattern"),
        ("query", "/dry", "type"),
    }
    assert request_problems(check, "/things/1", b"flag=false", form) == {("body", "/n", "required")}
    assert request_problems(check, "/things/1", b'{"n": 1}', "application/json") == {
        ("header", "/content-type", "content-type")
    }
    assert request_problems(check, "/things/1", b"", form) == {("body", "", "required")}
    assert check.match("GET", "/things/1") == (None, True)
    assert check.match("POST", "/other") == (None, False)


def test_multipart_bodies_of_the_contract() -> None:
    check = ContractChecker(load_contract())
    boundary = "b0undary"

    def multipart(parts: list[tuple[str, str, str | None]]) -> bytes:
        out = b""
        for name, value, file_type in parts:
            disposition = f'form-data; name="{name}"'
            head = f"--{boundary}\r\nContent-Disposition: {disposition}"
            if file_type is not None:
                head += f'; filename="{value}"\r\nContent-Type: {file_type}'
            out += (head + "\r\n\r\n" + ("%PDF" if file_type else value) + "\r\n").encode()
        return out + f"--{boundary}--\r\n".encode()

    content_type = f"multipart/form-data; boundary={boundary}"
    good = multipart(
        [
            ("reg_id", "42", None),
            ("to", "+905459260314", None),
            ("message", "Merhaba", None),
            ("send_speed", "1", None),
            ("attachment", "fatura.pdf", "application/pdf"),
        ]
    )
    assert request_problems(check, "/messages/send", good, content_type) == set()
    bad = multipart(
        [
            ("reg_id", "42", None),
            ("to", "05459260314", None),
            ("message", "Merhaba", None),
            ("send_speed", "1", None),
            ("attachment", "run.sh", "application/x-sh"),
        ]
    )
    assert request_problems(check, "/messages/send", bad, content_type) == {
        ("body", "/to", "pattern"),
        ("body", "/attachment", "encoding"),
    }
    assert request_problems(check, "/messages/send", b"{not json", "application/json") == {
        ("body", "", "syntax")
    }


def test_an_envelope_repeats_its_status() -> None:
    check = ContractChecker(load_contract())
    route, _ = check.match("GET", "/devices")
    assert route is not None
    body = asyncio.run(
        read_body(b'{"code": 401, "status": "error", "description": "no"}', "application/json")
    )
    problems = check.check_response(route, 429, {}, body, "application/json")
    assert {(p.location, p.pointer, p.rule) for p in problems} == {
        ("header", "/retry-after", "required"),
        ("body", "/code", "envelope"),
    }


def test_a_media_range_covers_its_types() -> None:
    spec: dict[str, Any] = {
        "paths": {
            "/picture": {
                "get": {
                    "operationId": "picture",
                    "responses": {
                        "200": {
                            "description": "a picture",
                            "content": {"image/*": {"schema": {"type": "string"}}},
                        }
                    },
                }
            }
        }
    }
    check = checker(spec)
    route, _ = check.match("GET", "/picture")
    assert route is not None
    png = asyncio.run(read_body(b"\x89PNG", "image/png"))
    assert check.check_response(route, 200, {}, png, "image/png") == []
    text = asyncio.run(read_body(b"hello", "text/plain"))
    problems = check.check_response(route, 200, {}, text, "text/plain")
    assert [(p.pointer, p.rule) for p in problems] == [("/content-type", "content-type")]
