"""Each public integration of :mod:`tests.compat.integrations`, replayed against the twin.

The request goes over a raw socket exactly as the integration's library writes it; the answer
is read by the generated client's own parsing; the twin must have stored the message as the
integration meant it, and the delivery report posted to a loopback receiver must carry the
``report_id`` unchanged, as text, in ``callback_data``.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from vatanwa_client import Client
from vatanwa_client.api.messages import send_message
from vatanwa_client.models import ErrorEnvelope, SuccessEnvelope

import vatanwa
from tests.compat.integrations import INTEGRATIONS, TEXT, Integration, laravel
from tests.delivery.receiver import Receiver
from tests.support.polling import eventually
from tests.support.servers import MockServer, run_mock
from tests.support.tenants import headers


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[MockServer]:
    args = ("--login-delay", "0", "--speed-factor", "0.01", "--callback-url", receiver.url)
    with run_mock(*args, tmp_path=tmp_path_factory.mktemp("compat")) as server:
        yield server
        assert "Traceback" not in server.log(), server.log()


def connected_device(twin: MockServer) -> str:
    """A fresh device of the tenant, paired through the control API."""
    with httpx.Client(base_url=twin.root_url, headers=headers()) as http:
        reg_id: str = http.post("/api/whatsapp/v1/login/qr").json()["data"]["regId"]
        assert http.post(f"/_mock/logins/{reg_id}/pair").status_code == 200
    return reg_id


def replay(twin: MockServer, request: bytes) -> httpx.Response:
    """Send ``request`` as it is on a new connection; the answer as an ``httpx.Response``."""
    host, port = twin.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        content = answer.read()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=content)


def parsed(twin: MockServer, response: httpx.Response) -> Any:
    """The answer as the generated client reads it."""
    client = Client(base_url=twin.base_url)
    return send_message._parse_response(client=client, response=response)


def stored(twin: MockServer, reg_id: str) -> dict[str, Any]:
    """The one message the twin captured from ``reg_id``, once it was sent."""

    def finished() -> list[dict[str, Any]] | None:
        with httpx.Client(base_url=twin.root_url, headers=headers()) as http:
            found: list[dict[str, Any]] = http.get(
                "/_mock/messages", params={"reg_id": reg_id}
            ).json()
        return found if found and all(m["status"] != "queued" for m in found) else None

    (message,) = eventually(finished, what=f"the message of {reg_id} sent")
    return message


@pytest.mark.parametrize("integration", INTEGRATIONS, ids=[i.name for i in INTEGRATIONS])
def test_the_integration_works_against_the_twin(
    twin: MockServer, receiver: Receiver, integration: Integration
) -> None:
    reg_id = connected_device(twin)
    request, meant = integration.build(reg_id)

    response = replay(twin, request)

    assert response.status_code == 200, (integration.source, response.text)
    answer = parsed(twin, response)
    assert isinstance(answer, SuccessEnvelope), answer
    assert answer.to_dict() == response.json()
    message = stored(twin, reg_id)
    assert (message["to"], message["message"], message["send_speed"], message["report_id"]) == (
        meant.to,
        meant.message,
        meant.send_speed,
        meant.report_id,
    )
    assert message["status"] == "sent"
    if meant.report_id is None:
        return
    with httpx.Client(base_url=twin.root_url, headers=headers()) as http:
        by_report = http.get("/_mock/messages", params={"report_id": meant.report_id}).json()
    assert [m["id"] for m in by_report] == [message["id"]]

    def posted() -> list[dict[str, Any]]:
        bodies = [json.loads(r.body) for r in receiver.accepted()]
        return [b for b in bodies if b["callback_data"] == meant.report_id]

    (report,) = eventually(posted, what=f"the delivery report of {meant.report_id}")
    assert (report["phone"], report["content"], report["status"]) == (meant.to, TEXT, "1")
    assert vatanwa.parse_delivery_report(report).report_id == meant.report_id


def test_a_national_number_is_refused_with_the_international_form_to_send(
    twin: MockServer,
) -> None:
    # No integration shows the live service reading a national number; the twin keeps the
    # documented international form and says what to write instead.
    reg_id = connected_device(twin)
    request, _ = laravel(reg_id, to="0532 123 45 67")
    response = replay(twin, request)

    assert response.status_code == 422, response.text
    answer = parsed(twin, response)
    assert isinstance(answer, ErrorEnvelope)
    assert answer.description.startswith("to: '0532 123 45 67' is not in international form")
    assert "'+905321234567'" in answer.description


def test_the_replayed_bytes_are_the_libraries_own() -> None:
    # Guards the builders: the encodings that differ between the libraries are really there.
    by_name = {i.name: i.build("3641473184")[0] for i in INTEGRATIONS}
    assert b"Sipari\\u015finiz kargoya verildi \\/ Order" in by_name["laravel-http-json"]
    assert "Siparişiniz".encode() in by_name["node-axios-json"]
    assert b'"send_speed":"2"' in by_name["node-axios-json"]
    assert b'"to": "905459260314", "message": "Sipari\\u015finiz' in by_name["python-requests-uuid"]
    assert (
        b"message=Sipari%C5%9Finiz+kargoya+verildi+%2F+Order+shipped&send_speed=1"
        in (by_name["reseller-urlsearchparams"])
    )
    assert b"Host: api.whatsapp-reseller.example\r\n" in by_name["reseller-urlsearchparams"]
    for request in by_name.values():
        head, body = request.split(b"\r\n\r\n", 1)
        lengths = [
            line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")
        ]
        assert lengths == [f"content-length: {len(body)}".encode()], head


@pytest.mark.parametrize("per_item", [False, True], ids=["one-part", "one-part-per-item"])
def test_a_multipart_n_to_n_is_read_in_either_shape(twin: MockServer, per_item: bool) -> None:
    # One part with the JSON array (the SDK, hand-written clients), or one part per item (how
    # OpenAPI tools serialise an array part declared `application/json`).
    reg_id = connected_device(twin)
    items = [
        {"to": "+905459260314", "message": "bir"},
        {"to": "+903222450353", "message": "iki"},
    ]
    parts = [json.dumps(item) for item in items] if per_item else [json.dumps(items)]
    files: list[tuple[str, tuple[Any, ...]]] = [
        ("reg_id", (None, reg_id)),
        ("send_speed", (None, "1")),
    ]
    files += [("n_to_n", (None, text, "application/json")) for text in parts]
    with httpx.Client(base_url=twin.base_url, headers=headers()) as http:
        response = http.post("/messages/send/nToN", files=files)
    assert response.status_code == 200, response.text

    def both() -> list[dict[str, Any]] | None:
        with httpx.Client(base_url=twin.root_url, headers=headers()) as http:
            found: list[dict[str, Any]] = http.get(
                "/_mock/messages", params={"reg_id": reg_id}
            ).json()
        return found if len(found) == 2 else None

    found = eventually(both, what="both messages captured")
    assert sorted((m["to"], m["message"]) for m in found) == [
        ("903222450353", "iki"),
        ("905459260314", "bir"),
    ]
