"""An attachment reaches the mock byte for byte, whatever bytes it holds.

openapi-python-client 0.29.1 pins every multipart body to the boundary ``+++``; a file holding
``\\r\\n--+++`` would then end early. ``make client`` removes that header so httpx draws a random
boundary (scripts/generate_client.py); this test sends such a file through the generated client.
"""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from vatanwa_client.api.login import login_qr
from vatanwa_client.api.messages import send_message
from vatanwa_client.models import LoginQrResponse, SendMessageForm
from vatanwa_client.types import File

from tests.support.polling import eventually
from tests.support.servers import run_mock
from tests.vatanwa_mock.support import FAST, api_client, control_client

# A PDF whose bytes contain what would be the closing delimiter of the generator's boundary.
TRAP = b"%PDF-1.4\r\n--+++\r\n--+++--\r\nstill the same file\r\n"


def test_the_generated_send_does_not_pin_the_boundary() -> None:
    form = SendMessageForm(
        reg_id=1, to="+905459260314", message="m", send_speed=1, attachment=File(io.BytesIO(b""))
    )
    kwargs = send_message._get_kwargs(body=form)
    assert "Content-Type" not in kwargs["headers"]
    request = httpx.Request(
        kwargs["method"], "http://127.0.0.1" + kwargs["url"], files=kwargs["files"]
    )
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    assert not content_type.endswith("boundary=+++")


def test_an_attachment_holding_the_old_boundary_arrives_intact(tmp_path: Path) -> None:
    with (
        run_mock(*FAST, "--login-delay", "0", tmp_path=tmp_path) as mock,
        api_client(mock) as api,
        control_client(mock) as control,
    ):
        login = login_qr.sync(client=api)
        assert isinstance(login, LoginQrResponse), login
        reg_id = login.data.reg_id
        assert control.post(f"/logins/{reg_id}/pair").status_code == 200
        form = SendMessageForm(
            reg_id=int(reg_id),
            to="+905459260314",
            message="fatura",
            send_speed=1,
            attachment=File(io.BytesIO(TRAP), file_name="fatura.pdf", mime_type="application/pdf"),
        )
        assert send_message.sync_detailed(client=api, body=form).status_code == 200
        messages = eventually(lambda: control.get("/messages").json())
        attachment = messages[0]["attachment"]
        assert attachment["size"] == len(TRAP)
        assert httpx.get(attachment["url"]).content == TRAP
