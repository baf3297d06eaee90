"""Addresses and credentials the mock hands out or accepts: URLs built from the configured public
URL or the bound address (never the Host header), credentials that HTTP can carry, and no
picture for a device that is gone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import CLIENT_ID, CLIENT_SECRET, ROOT, run_mock
from vatanwa_mock.app import create_app
from vatanwa_mock.config import ConfigError, Settings, load_settings

BASE = "/api/whatsapp/v1"
AUTH = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
PDF = ("fatura.pdf", b"%PDF-1.4\n", "application/pdf")


def _device(client: Any) -> str:
    reg_id = str(client.post(BASE + "/login/qr", headers=AUTH).json()["data"]["regId"])
    assert client.post(f"/_mock/logins/{reg_id}/pair", headers=AUTH).status_code == 200
    return reg_id


def _urls(client: Any, reg_id: str, host: str) -> tuple[str, str]:
    """The avatar URL and an attachment URL the mock hands out to a client sending ``Host``."""
    forged = {**AUTH, "host": host}
    picture = client.post(BASE + "/profile-picture", headers=forged, json={"reg_id": reg_id})
    assert picture.status_code == 200, picture.text
    sent = client.post(
        BASE + "/messages/send",
        headers=forged,
        data={"reg_id": reg_id, "to": "+905459260314", "message": "m", "send_speed": "1"},
        files={"attachment": PDF},
    )
    assert sent.status_code == 200, sent.text
    messages = client.get("/_mock/messages", headers=forged).json()
    return picture.json()["data"]["image"], messages[-1]["attachment"]["url"]


@pytest.fixture
def public() -> Iterator[Any]:
    settings = Settings(login_delay=0, public_url="https://mock.example.test:8443/")
    with create_app(settings).test_client() as client:
        yield client


def test_urls_come_from_the_public_url_not_the_host_header(public: Any) -> None:
    reg_id = _device(public)
    avatar, attachment = _urls(public, reg_id, "evil.example")
    assert avatar.startswith("https://mock.example.test:8443/_mock/media/avatars/")
    assert attachment.startswith("https://mock.example.test:8443/_mock/media/attachments/")


def test_urls_come_from_the_bound_address_without_a_public_url(tmp_path: Path) -> None:
    with (
        run_mock("--login-delay", "0", tmp_path=tmp_path) as server,
        httpx.Client(base_url=server.root_url, timeout=30) as client,
    ):
        reg_id = _device(client)
        avatar, attachment = _urls(client, reg_id, "evil.example")
        for url in (avatar, attachment):
            assert url.startswith(server.root_url + "/_mock/media/"), url
            assert client.get(url).status_code == 200


def test_a_logged_out_device_no_longer_shows_its_picture(public: Any) -> None:
    reg_id = _device(public)
    avatar, _ = _urls(public, reg_id, "mock.example.test")
    path = avatar.removeprefix("https://mock.example.test:8443")
    assert public.get(path).status_code == 200
    assert public.post(BASE + "/logout", headers=AUTH, json={"reg_id": reg_id}).status_code == 200
    gone = public.get(path)
    assert gone.status_code == 404
    assert gone.json() == {"code": 404, "status": "error", "description": "No such picture."}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--client-id", "a", "--client-secret", "şifre"], "--client-secret must be printable"),
        (["--client-id", "müşteri", "--client-secret", "s"], "--client-id 'müşteri' must be"),
        (["--client-id", "a", "--client-secret", "tab\there"], "--client-secret must be"),
        (["--client-id", "a", "--client-secret", " padded"], "must not begin or end with a space"),
        (["--public-url", "http://u:p@mock.test"], "--public-url must be an absolute"),
        (["--public-url", "mock.test:8080"], "--public-url must be an absolute"),
    ],
)
def test_settings_no_client_could_use_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(argv, environ={})
    assert "şifre" not in str(caught.value)


def test_a_non_ascii_secret_is_refused_at_start_without_showing_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vatanwa_mock", "--client-id", "a", "--client-secret", "gizli-ş"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--client-secret must be printable ASCII" in done.stderr
    assert "gizli" not in done.stderr + done.stdout
