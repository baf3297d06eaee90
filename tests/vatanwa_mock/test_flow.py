"""The whole flow through the generated client against ``python -m vatanwa_mock``.

Every response is checked against the contract as it arrives (see ``conformance``), and the
server itself validates its responses (``--validate-responses``).
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
from vatanwa_client import Client
from vatanwa_client.api.devices import list_devices
from vatanwa_client.api.login import login_check, login_check_active, login_phone, login_qr, logout
from vatanwa_client.api.messages import send_message, send_message_n_to_n, send_message_one_to_n
from vatanwa_client.api.profile import get_profile_picture
from vatanwa_client.models import (
    ConnectedDevice,
    DevicesResponse,
    ErrorEnvelope,
    LoginCheckActiveResponse,
    LoginCheckResponse,
    LoginPhoneRequest,
    LoginPhoneResponse,
    LoginQrResponse,
    NToNItem,
    ProfilePictureResponse,
    RegIdNumberRequest,
    RegIdStringRequest,
    SendMessageForm,
    SendMessageNToNForm,
    SendMessageNToNRequest,
    SendMessageOneToNForm,
    SendMessageOneToNRequest,
    SendMessageRequest,
    SuccessEnvelope,
)
from vatanwa_client.types import File

from tests.support.servers import MockServer
from tests.support.tenants import OTHER_ID, OTHER_SECRET
from tests.vatanwa_mock.support import api_client, control_client, finished_messages

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PHONE = "+905459260314"


def qr_login(api: Client) -> str:
    answer = login_qr.sync(client=api)
    assert isinstance(answer, LoginQrResponse), answer
    return answer.data.reg_id


def pair(server: MockServer, reg_id: str, **device: str) -> dict[str, Any]:
    with control_client(server) as control:
        response = control.post(f"/logins/{reg_id}/pair", json=device or None)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def connected_device(server: MockServer, api: Client) -> str:
    reg_id = qr_login(api)
    pair(server, reg_id)
    return reg_id


def error(answer: object, status: int) -> ErrorEnvelope:
    assert isinstance(answer, ErrorEnvelope), answer
    assert answer.code == status
    assert answer.status == "error"
    assert answer.description
    return answer


def attachment_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "report.png"
    segno.make("vatanwa attachment").save(str(path), kind="png", scale=3)
    return path, path.read_bytes()


def test_qr_login_waits_for_the_scan_then_the_device_does_everything(
    server: MockServer, tmp_path: Path
) -> None:
    with api_client(server) as api:
        answer = login_qr.sync(client=api)
        assert isinstance(answer, LoginQrResponse)
        assert answer.description == "İşlem başarılı!"
        reg_id = answer.data.reg_id
        assert re.fullmatch(r"[1-9][0-9]+", reg_id)
        ref, *keys = answer.data.qr.removeprefix("2@").split(",")
        assert answer.data.qr.startswith("2@")
        assert len(keys) == 3
        for part in (ref, *keys):
            assert base64.b64decode(part, validate=True)

        # Pending: check/active refuses at once; check long-polls until the phone scans.
        error(login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id)), 400)
        result: dict[str, Any] = {}

        def wait() -> None:
            started = time.monotonic()
            result["answer"] = login_check.sync(
                client=api, body=RegIdNumberRequest(reg_id=int(reg_id))
            )
            result["waited"] = time.monotonic() - started

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.5)
        assert waiter.is_alive(), "login/check answered before the login paired"
        paired = pair(server, reg_id)
        waiter.join(timeout=5)
        checked = result["answer"]
        assert isinstance(checked, LoginCheckResponse)
        assert checked.data.is_connect is True
        assert checked.data.message == "device connected"
        assert 0.4 < result["waited"] < 3

        active = login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id))
        assert isinstance(active, LoginCheckActiveResponse)
        assert active.is_connect is True
        assert active.message == "device connected"
        assert isinstance(active.data, ConnectedDevice)
        number = active.data.device_number
        assert number == paired["device_number"]
        assert active.data.state == "1"
        assert active.data.j_id.startswith(f"{number}:")
        assert active.data.j_id.endswith("@s.whatsapp.net")

        devices = list_devices.sync(client=api)
        assert isinstance(devices, DevicesResponse)
        assert devices.description == "Bağlı cihazlarınız listelendi!"
        (device,) = [d for d in devices.data if d.reg_id == reg_id]
        assert device.sender == number
        assert device.platform == active.data.platform
        assert device.created_at.tzinfo is not None
        assert abs(device.created_at.timestamp() - time.time()) < 60

        picture = get_profile_picture.sync(client=api, body=RegIdStringRequest(reg_id=reg_id))
        assert isinstance(picture, ProfilePictureResponse)
        assert picture.data.image == device.profile_picture
        png = httpx.get(picture.data.image)
        assert png.status_code == 200
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(PNG_SIGNATURE)

        sent = send_all_six(api, reg_id, tmp_path)
        with control_client(server) as control:
            messages = finished_messages(control, sent, reg_id=reg_id)
            assert len(messages) == sent
            assert {m["status"] for m in messages} == {"sent"}
            with_files = [m for m in messages if m["attachment"]]
            assert len(with_files) == 4  # one per multipart recipient
            _, content = attachment_file(tmp_path)
            for message in with_files:
                assert message["attachment"]["filename"] == "report.png"
                assert message["attachment"]["content_type"] == "image/png"
                assert message["attachment"]["size"] == len(content)
                assert httpx.get(message["attachment"]["url"]).content == content
            assert {m["report_id"] for m in messages} == {"7"}

        bye = logout.sync(client=api, body=RegIdStringRequest(reg_id=reg_id))
        assert isinstance(bye, SuccessEnvelope)
        assert bye.description == "Cihazdan çıkış yapıldı"

        # After logout the reg_id is refused everywhere.
        body = SendMessageRequest(reg_id=reg_id, to=PHONE, message="after", send_speed=1)
        refused = error(send_message.sync(client=api, body=body), 400)
        assert "logged out" in refused.description
        error(login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id)), 400)
        error(get_profile_picture.sync(client=api, body=RegIdStringRequest(reg_id=reg_id)), 400)
        error(logout.sync(client=api, body=RegIdStringRequest(reg_id=reg_id)), 400)
        error(login_check.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id)), 400)
        devices = list_devices.sync(client=api)
        assert isinstance(devices, DevicesResponse)
        assert reg_id not in {d.reg_id for d in devices.data}


def send_all_six(api: Client, reg_id: str, tmp_path: Path) -> int:
    """The three send operations, each as JSON and as multipart with a real file."""
    path, _ = attachment_file(tmp_path)

    def attachment() -> File:
        return File(payload=path.open("rb"), file_name=path.name, mime_type="image/png")

    two = "+905459260314, 905321234567"
    pairs = [
        NToNItem(to="+905459260314", message="birinci"),
        NToNItem(to="905321234567", message="ikinci"),
    ]
    answers = [
        send_message.sync(
            client=api,
            body=SendMessageRequest(
                reg_id=reg_id, to=PHONE, message="json", send_speed=1, report_id=7
            ),
        ),
        send_message.sync(
            client=api,
            body=SendMessageForm(
                reg_id=int(reg_id),
                to=PHONE,
                message="form",
                send_speed=1,
                report_id=7,
                attachment=attachment(),
            ),
        ),
        send_message_one_to_n.sync(
            client=api,
            body=SendMessageOneToNRequest(
                reg_id=reg_id, to=two, message="one", send_speed=1, report_id=7
            ),
        ),
        send_message_one_to_n.sync(
            client=api,
            body=SendMessageOneToNForm(
                reg_id=int(reg_id),
                to="905459260314",
                message="one",
                send_speed=1,
                report_id=7,
                attachment=attachment(),
            ),
        ),
        send_message_n_to_n.sync(
            client=api,
            body=SendMessageNToNRequest(
                reg_id=int(reg_id), n_to_n=pairs, send_speed=1, report_id=7
            ),
        ),
        send_message_n_to_n.sync(
            client=api,
            body=SendMessageNToNForm(
                reg_id=int(reg_id),
                n_to_n=pairs,
                send_speed=1,
                report_id=7,
                attachment=attachment(),
            ),
        ),
    ]
    for answer in answers:
        assert isinstance(answer, SuccessEnvelope), answer
        assert answer.description == "Mesajlarınız Gönderildi"
    return 1 + 1 + 2 + 1 + 2 + 2


def test_phone_login_pairs_with_the_code_and_reports_the_phone(server: MockServer) -> None:
    with api_client(server) as api:
        answer = login_phone.sync(client=api, body=LoginPhoneRequest(phone=PHONE))
        assert isinstance(answer, LoginPhoneResponse)
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", answer.data.code)
        reg_id = answer.data.reg_id
        pair(server, reg_id, platform="iphone", user_name="Vatan SMS")
        checked = login_check.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id))
        assert isinstance(checked, LoginCheckResponse)
        assert checked.data.is_connect
        active = login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id))
        assert isinstance(active, LoginCheckActiveResponse)
        assert active.data.device_number == "905459260314"
        assert active.data.platform == "iphone"
        assert active.data.user_name == "Vatan SMS"


def test_an_unpaired_login_times_out_and_cannot_be_paired_afterwards(server: MockServer) -> None:
    with api_client(server) as api:
        reg_id = qr_login(api)
        started = time.monotonic()
        timed_out = error(login_check.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id)), 400)
        assert 2.5 < time.monotonic() - started < 6
        assert "No login was detected" in timed_out.description
        error(login_check.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id)), 400)
        expired = error(
            login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=reg_id)), 400
        )
        assert "expired" in expired.description
    with control_client(server) as control:
        late = control.post(f"/logins/{reg_id}/pair")
    assert late.status_code == 409
    assert late.json()["status"] == "error"


def test_unknown_reg_id_is_404_everywhere(server: MockServer) -> None:
    unknown = "1234567890"
    with api_client(server) as api:
        for answer in (
            login_check.sync(client=api, body=RegIdNumberRequest(reg_id=unknown)),
            login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=int(unknown))),
            get_profile_picture.sync(client=api, body=RegIdStringRequest(reg_id=unknown)),
            logout.sync(client=api, body=RegIdStringRequest(reg_id=unknown)),
            send_message.sync(
                client=api,
                body=SendMessageRequest(reg_id=unknown, to=PHONE, message="x", send_speed=1),
            ),
        ):
            assert "reg_id 1234567890" in error(answer, 404).description
    with control_client(server) as control:
        assert control.post(f"/logins/{unknown}/pair").status_code == 404


def test_test_numbers_fail_and_the_rest_are_sent(server: MockServer) -> None:
    numbers = "+905459260000, +905459260001, +905459260002, +905459260314, +12345678"
    with api_client(server) as api:
        reg_id = connected_device(server, api)
        body = SendMessageOneToNRequest(reg_id=reg_id, to=numbers, message="x", send_speed=1)
        assert isinstance(send_message_one_to_n.sync(client=api, body=body), SuccessEnvelope)
    with control_client(server) as control:
        messages = finished_messages(control, 5, reg_id=reg_id)
        outcome = {m["to"]: (m["status"], m["error"]) for m in messages}
        assert outcome["905459260314"] == ("sent", None)
        assert outcome["905459260000"][0] == "failed"
        assert "not registered" in outcome["905459260000"][1]
        assert outcome["905459260001"][0] == "failed"
        assert outcome["905459260002"][0] == "failed"
        assert outcome["12345678"] == ("failed", "Not a valid phone number.")
        failed = control.get("/messages", params={"reg_id": reg_id, "status": "failed"}).json()
        assert len(failed) == 4
        one = control.get("/messages", params={"to": "+905459260314", "reg_id": reg_id}).json()
        assert [m["to"] for m in one] == ["905459260314"]


@pytest.mark.parametrize(("send_speed", "seconds"), [(1, 0.01), (4, 0.08)])
def test_send_speed_sets_the_pace(server: MockServer, send_speed: int, seconds: float) -> None:
    with api_client(server) as api:
        reg_id = connected_device(server, api)
        numbers = ", ".join(f"+90545926{n:04d}" for n in range(1003, 1007))
        body = SendMessageOneToNRequest(
            reg_id=reg_id, to=numbers, message="x", send_speed=send_speed, report_id=send_speed
        )
        assert isinstance(send_message_one_to_n.sync(client=api, body=body), SuccessEnvelope)
    with control_client(server) as control:
        messages = finished_messages(control, 4, reg_id=reg_id)
    due = [_seconds(m["due_at"]) for m in messages]
    gaps = [b - a for a, b in itertools.pairwise(due)]
    assert all(abs(gap - seconds) < 0.002 for gap in gaps), gaps
    finished = [_seconds(m["finished_at"]) for m in messages]
    assert all(f >= d for f, d in zip(finished, due, strict=True))


def _seconds(stamp: str) -> float:
    from datetime import datetime

    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def test_two_tenants_see_nothing_of_each_other(server: MockServer) -> None:
    with api_client(server) as a, api_client(server, OTHER_ID, OTHER_SECRET) as b:
        reg_a = connected_device(server, a)
        body = SendMessageRequest(reg_id=reg_a, to=PHONE, message="a only", send_speed=1)
        assert isinstance(send_message.sync(client=a, body=body), SuccessEnvelope)
        # B cannot use, see or pair A's device.
        error(login_check_active.sync(client=b, body=RegIdNumberRequest(reg_id=reg_a)), 404)
        error(send_message.sync(client=b, body=body), 404)
        devices_b = list_devices.sync(client=b)
        assert isinstance(devices_b, DevicesResponse)
        assert reg_a not in {d.reg_id for d in devices_b.data}
        with control_client(server, OTHER_ID, OTHER_SECRET) as control_b:
            assert control_b.post(f"/logins/{reg_a}/pair").status_code == 404
            assert control_b.get("/messages", params={"reg_id": reg_a}).json() == []
            assert control_b.post("/reset").status_code == 200
        # B's reset left A alone.
        active = login_check_active.sync(client=a, body=RegIdNumberRequest(reg_id=reg_a))
        assert isinstance(active, LoginCheckActiveResponse)
        with control_client(server) as control_a:
            assert len(control_a.get("/messages", params={"reg_id": reg_a}).json()) == 1


def test_chaos_takes_effect_per_tenant_and_clears(server: MockServer) -> None:
    with (
        api_client(server) as api,
        api_client(server, OTHER_ID, OTHER_SECRET) as other,
        control_client(server) as control,
    ):
        set_to = control.put("/chaos", json={"error_rate": 1.0})
        assert set_to.status_code == 200
        assert set_to.json()["error_rate"] == 1.0
        failed = list_devices.sync_detailed(client=api)
        assert failed.status_code == 500
        error(failed.parsed, 500)
        assert isinstance(list_devices.sync(client=other), DevicesResponse)
        assert control.get("/messages").status_code == 200  # the control API is spared

        control.put("/chaos", json={"rate_limit_rate": 1.0, "retry_after": 3})
        limited = list_devices.sync_detailed(client=api)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "3"

        control.put("/chaos", json={"latency_ms": 300})
        started = time.monotonic()
        assert isinstance(list_devices.sync(client=api), DevicesResponse)
        assert time.monotonic() - started >= 0.3

        def run() -> list[int]:
            control.put("/chaos", json={"error_rate": 0.3, "rate_limit_rate": 0.3, "seed": 42})
            return [list_devices.sync_detailed(client=api).status_code for _ in range(20)]

        first, second = run(), run()
        assert first == second
        assert {200, 429, 500} == set(first)

        cleared = control.put("/chaos")
        assert cleared.status_code == 200
        assert cleared.json() == control.get("/chaos").json()
        assert cleared.json()["error_rate"] == 0
        assert cleared.json()["latency_ms"] == 0
        assert all(list_devices.sync_detailed(client=api).status_code == 200 for _ in range(10))


def test_callback_url_is_stored_per_tenant(server: MockServer) -> None:
    with control_client(server) as a, control_client(server, OTHER_ID, OTHER_SECRET) as b:
        assert a.get("/callback").json() == {"url": None}
        url = "http://127.0.0.1:9/hook"
        assert a.put("/callback", json={"url": url}).json() == {"url": url}
        assert a.get("/callback").json() == {"url": url}
        assert b.get("/callback").json() == {"url": None}
        refused = a.put("/callback", json={"url": "ftp://example.test/x"})
        assert refused.status_code == 422
        assert a.put("/callback", json={"url": None}).json() == {"url": None}


def test_control_api_serves_its_document_and_health(server: MockServer) -> None:
    document = httpx.get(server.root_url + "/_mock/openapi.yaml")
    assert document.status_code == 200
    assert document.text == (Path(__file__).parents[2] / "openapi/mock-control.yaml").read_text(
        encoding="utf-8"
    )
    # Its references to ./vatanwa.yaml resolve against the contract the mock serves beside it.
    assert "./vatanwa.yaml#/components/schemas/DeliveryReport" in document.text
    contract = httpx.get(server.root_url + "/_mock/vatanwa.yaml")
    assert contract.status_code == 200
    assert contract.text == (Path(__file__).parents[2] / "openapi/vatanwa.yaml").read_text(
        encoding="utf-8"
    )
    assert httpx.get(server.root_url + "/_mock/health").json() == {
        "status": "ok",
        "mode": "stateful",
        "pid": server.process.pid,
    }
    unauthorized = httpx.get(server.root_url + "/_mock/messages")
    assert unauthorized.status_code == 401
    assert unauthorized.json()["status"] == "error"
