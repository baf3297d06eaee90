"""With ``--db``, a restart loses nothing: devices, their states, messages, attachments and
settings survive, and messages still queued are sent after the restart."""

from __future__ import annotations

from pathlib import Path

import httpx
from vatanwa_client import Client
from vatanwa_client.api.devices import list_devices
from vatanwa_client.api.login import login_check, login_check_active, login_phone, logout
from vatanwa_client.api.messages import send_message, send_message_one_to_n
from vatanwa_client.models import (
    DevicesResponse,
    ErrorEnvelope,
    LoginCheckActiveResponse,
    LoginCheckResponse,
    LoginPhoneRequest,
    LoginPhoneResponse,
    RegIdNumberRequest,
    RegIdStringRequest,
    SendMessageForm,
    SendMessageOneToNRequest,
    SuccessEnvelope,
)
from vatanwa_client.types import File

from tests.support.polling import eventually
from tests.support.servers import MockServer, run_mock
from tests.vatanwa_mock.support import api_client, control_client, finished_messages

#: Logins pair by themselves after 0.1 s; send_speed 4 takes 0.8 s a message.
ARGS = ("--login-delay", "1", "--speed-factor", "0.1", "--validate-responses")


def phone_login(api: Client, phone: str) -> str:
    answer = login_phone.sync(client=api, body=LoginPhoneRequest(phone=phone))
    assert isinstance(answer, LoginPhoneResponse)
    checked = login_check.sync(client=api, body=RegIdNumberRequest(reg_id=answer.data.reg_id))
    assert isinstance(checked, LoginCheckResponse), "the login did not pair by itself"
    return answer.data.reg_id


def statuses(server: MockServer) -> list[str]:
    with control_client(server) as control:
        return [m["status"] for m in control.get("/messages").json()]


def test_a_restart_with_db_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    args = (*ARGS, "--db", str(db))
    pdf = tmp_path / "teklif.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")

    with run_mock(*args, tmp_path=tmp_path) as first, api_client(first) as api:
        device = phone_login(api, "+905459260314")
        gone = phone_login(api, "+905321234567")
        assert isinstance(
            logout.sync(client=api, body=RegIdStringRequest(reg_id=gone)), SuccessEnvelope
        )
        with pdf.open("rb") as payload:
            form = SendMessageForm(
                reg_id=int(device),
                to="+905459260314",
                message="ek",
                send_speed=1,
                attachment=File(payload=payload, file_name=pdf.name, mime_type="application/pdf"),
            )
            assert isinstance(send_message.sync(client=api, body=form), SuccessEnvelope)
        with control_client(first) as control:
            finished_messages(control, 1)
            control.put("/callback", json={"url": "http://127.0.0.1:9/hook"})
        slow = SendMessageOneToNRequest(
            reg_id=device,
            to="+905459261001, +905459261002, +905459261003, +905459260000",
            message="yavaş",
            send_speed=4,
            report_id=11,
        )
        assert isinstance(send_message_one_to_n.sync(client=api, body=slow), SuccessEnvelope)
        eventually(lambda: statuses(first).count("sent") == 2)
        before = statuses(first)
        assert before.count("queued") == 3
        devices_before = list_devices.sync(client=api)
        assert isinstance(devices_before, DevicesResponse)

    with run_mock(*args, tmp_path=tmp_path) as second, api_client(second) as api:
        active = login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=device))
        assert isinstance(active, LoginCheckActiveResponse)
        assert active.data.device_number == "905459260314"
        refused = login_check_active.sync(client=api, body=RegIdNumberRequest(reg_id=gone))
        assert isinstance(refused, ErrorEnvelope)
        assert "logged out" in refused.description
        devices_after = list_devices.sync(client=api)
        assert isinstance(devices_after, DevicesResponse)
        assert [(d.reg_id, d.sender, d.created_at) for d in devices_after.data] == [
            (d.reg_id, d.sender, d.created_at) for d in devices_before.data
        ]
        with control_client(second) as control:
            assert control.get("/callback").json() == {"url": "http://127.0.0.1:9/hook"}
            messages = finished_messages(control, 5)
            outcome = {m["to"]: m["status"] for m in messages if m["report_id"] == "11"}
            assert outcome == {
                "905459261001": "sent",
                "905459261002": "sent",
                "905459261003": "sent",
                "905459260000": "failed",
            }
            (with_file,) = [m for m in messages if m["attachment"]]
            download = httpx.get(with_file["attachment"]["url"])
            assert download.content == pdf.read_bytes()
            assert download.headers["content-type"] == "application/pdf"
