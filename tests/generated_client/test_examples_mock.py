"""Every operation, called through the generated client against ``--mode examples``,
answers the example documented in openapi/vatanwa.yaml; without credentials, the 401 envelope.

The send operations are called with both content types, the multipart ones with a real file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from vatanwa_client import Client
from vatanwa_client.api.devices import list_devices
from vatanwa_client.api.login import login_check, login_check_active, login_phone, login_qr, logout
from vatanwa_client.api.messages import send_message, send_message_n_to_n, send_message_one_to_n
from vatanwa_client.api.profile import get_profile_picture
from vatanwa_client.models import (
    LoginPhoneUrlencoded,
    RegIdUrlencoded,
    SendMessageNToNUrlencoded,
    SendMessageOneToNUrlencoded,
    SendMessageUrlencoded,
    ErrorEnvelope,
    LoginPhoneRequest,
    NToNItem,
    RegIdNumberRequest,
    RegIdStringRequest,
    SendMessageForm,
    SendMessageNToNForm,
    SendMessageNToNRequest,
    SendMessageOneToNForm,
    SendMessageOneToNRequest,
    SendMessageRequest,
)
from vatanwa_client.types import File, Response

from tests.openapi import document as d
from tests.support.servers import MockServer, run_mock
from tests.support.tenants import headers
from tests.vatanwa_mock import conformance

DOCUMENT = d.load()
REG_ID = "3641473184"
PHONE = "+905459260314"


def documented_example(operation_id: str) -> Any:
    operation = d.operation_by_id(DOCUMENT, operation_id)
    response = d.deref(DOCUMENT, operation.node["responses"]["200"])
    return response["content"]["application/json"]["example"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with run_mock(
        "--mode", "examples", "--validate-responses", tmp_path=tmp_path_factory.mktemp("examples")
    ) as running:
        yield running
        assert running.process.poll() is None


@pytest.fixture
def api(server: MockServer) -> Iterator[Client]:
    client = Client(
        base_url=server.base_url,
        headers=headers(),
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": conformance.event_hooks()},
    )
    with client:
        yield client


@pytest.fixture
def attachment(tmp_path: Path) -> Callable[[], File]:
    path = tmp_path / "brosur.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    return lambda: File(payload=path.open("rb"), file_name=path.name, mime_type="application/pdf")


def calls(attachment: Callable[[], File]) -> list[tuple[str, Callable[[Client], Response[Any]]]]:
    n_to_n = [NToNItem(to=PHONE, message="test mesaj 1"), NToNItem(to="+903222450353", message="2")]
    return [
        (
            "login_phone",
            lambda c: login_phone.sync_detailed(client=c, body=LoginPhoneRequest(phone=PHONE)),
        ),
        ("login_qr", lambda c: login_qr.sync_detailed(client=c)),
        (
            "login_check",
            lambda c: login_check.sync_detailed(
                client=c, body=RegIdNumberRequest(reg_id=int(REG_ID))
            ),
        ),
        (
            "login_check_active",
            lambda c: login_check_active.sync_detailed(
                client=c, body=RegIdNumberRequest(reg_id=REG_ID)
            ),
        ),
        (
            "send_message",
            lambda c: send_message.sync_detailed(
                client=c,
                body=SendMessageRequest(
                    reg_id=REG_ID, to=PHONE, message="m", send_speed=1, report_id=1
                ),
            ),
        ),
        (
            "send_message",
            lambda c: send_message.sync_detailed(
                client=c,
                body=SendMessageForm(
                    reg_id=int(REG_ID), to=PHONE, message="m", send_speed=2, attachment=attachment()
                ),
            ),
        ),
        (
            "send_message_one_to_n",
            lambda c: send_message_one_to_n.sync_detailed(
                client=c,
                body=SendMessageOneToNRequest(
                    reg_id=REG_ID, to=f"{PHONE}, +903222450353", message="m", send_speed=3
                ),
            ),
        ),
        (
            "send_message_one_to_n",
            lambda c: send_message_one_to_n.sync_detailed(
                client=c,
                body=SendMessageOneToNForm(
                    reg_id=int(REG_ID),
                    to=PHONE,
                    message="m",
                    send_speed=4,
                    report_id=2,
                    attachment=attachment(),
                ),
            ),
        ),
        (
            "send_message_n_to_n",
            lambda c: send_message_n_to_n.sync_detailed(
                client=c, body=SendMessageNToNRequest(reg_id=REG_ID, n_to_n=n_to_n, send_speed=1)
            ),
        ),
        (
            "send_message_n_to_n",
            lambda c: send_message_n_to_n.sync_detailed(
                client=c,
                body=SendMessageNToNForm(
                    reg_id=int(REG_ID), n_to_n=n_to_n, send_speed=1, attachment=attachment()
                ),
            ),
        ),
        (
            "get_profile_picture",
            lambda c: get_profile_picture.sync_detailed(
                client=c, body=RegIdStringRequest(reg_id=REG_ID)
            ),
        ),
        (
            "logout",
            lambda c: logout.sync_detailed(client=c, body=RegIdStringRequest(reg_id=REG_ID)),
        ),
        ("list_devices", lambda c: list_devices.sync_detailed(client=c)),
        # The same operations with a form body (application/x-www-form-urlencoded).
        (
            "login_phone",
            lambda c: login_phone.sync_detailed(client=c, body=LoginPhoneUrlencoded(phone=PHONE)),
        ),
        (
            "login_check",
            lambda c: login_check.sync_detailed(client=c, body=RegIdUrlencoded(reg_id=REG_ID)),
        ),
        (
            "login_check_active",
            lambda c: login_check_active.sync_detailed(
                client=c, body=RegIdUrlencoded(reg_id=int(REG_ID))
            ),
        ),
        (
            "send_message",
            lambda c: send_message.sync_detailed(
                client=c,
                body=SendMessageUrlencoded(
                    reg_id=REG_ID,
                    to=PHONE,
                    message="m",
                    send_speed="3",
                    report_id=str(uuid.uuid4()),
                ),
            ),
        ),
        (
            "send_message_one_to_n",
            lambda c: send_message_one_to_n.sync_detailed(
                client=c,
                body=SendMessageOneToNUrlencoded(
                    reg_id=REG_ID, to=f"{PHONE}, +903222450353", message="m", send_speed=1
                ),
            ),
        ),
        (
            "send_message_n_to_n",
            lambda c: send_message_n_to_n.sync_detailed(
                client=c,
                body=SendMessageNToNUrlencoded(
                    reg_id=REG_ID,
                    n_to_n=json.dumps([item.to_dict() for item in n_to_n]),
                    send_speed=4,
                    report_id=9,
                ),
            ),
        ),
        (
            "get_profile_picture",
            lambda c: get_profile_picture.sync_detailed(
                client=c, body=RegIdUrlencoded(reg_id=REG_ID)
            ),
        ),
        (
            "logout",
            lambda c: logout.sync_detailed(client=c, body=RegIdUrlencoded(reg_id=int(REG_ID))),
        ),
    ]


def test_every_operation_answers_its_documented_example(
    api: Client, attachment: Callable[[], File]
) -> None:
    called = set()
    for operation_id, call in calls(attachment):
        response = call(api)
        assert response.status_code == 200, (operation_id, response.content)
        assert json.loads(response.content) == documented_example(operation_id), operation_id
        assert response.parsed is not None
        called.add(operation_id)
    assert called == {op.operation_id for op in d.operations(DOCUMENT)}


def test_without_credentials_every_operation_is_401_in_the_envelope(
    server: MockServer, attachment: Callable[[], File]
) -> None:
    anonymous = Client(
        base_url=server.base_url,
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": conformance.event_hooks()},
    )
    with anonymous:
        for operation_id, call in calls(attachment):
            response = call(anonymous)
            assert response.status_code == 401, operation_id
            assert isinstance(response.parsed, ErrorEnvelope)
            assert response.parsed.code == 401
            assert response.parsed.status == "error"


def test_examples_mode_still_validates_requests(server: MockServer) -> None:
    response = httpx.post(
        server.base_url + "/messages/send",
        headers=headers(),
        json={"reg_id": REG_ID, "to": PHONE, "message": "m", "send_speed": 9},
    )
    assert response.status_code == 422
    assert response.json()["description"] == "send_speed: 9 is greater than the maximum of 4"
    conformance.check(response)
