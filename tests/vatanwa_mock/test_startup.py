"""What ``python -m vatanwa_mock`` prints when it starts."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.servers import CLIENT_ID, CLIENT_SECRET, run_mock
from vatanwa_mock.__main__ import banner
from vatanwa_mock.config import Settings


def test_the_banner_shows_urls_and_the_documented_local_credentials(tmp_path: Path) -> None:
    with run_mock(tmp_path=tmp_path) as mock:
        log = mock.log()
    assert f"API:          {mock.base_url}" in log
    assert f"control API:  {mock.root_url}/_mock" in log
    assert f"client-id: {CLIENT_ID}  client-secret: {CLIENT_SECRET}" in log


def test_a_configured_secret_is_never_printed(tmp_path: Path) -> None:
    secret = "s3cr3t-of-tenant-b"
    with run_mock("--client-id", "tenant-b", "--client-secret", secret, tmp_path=tmp_path) as mock:
        # The secret works, and a refused request does not log it either.
        devices = f"{mock.base_url}/devices"
        ok = httpx.get(devices, headers={"client-id": "tenant-b", "client-secret": secret})
        assert ok.status_code == 200
        refused = httpx.get(devices, headers={"client-id": "tenant-b", "client-secret": "nope"})
        assert refused.status_code == 401
        log = mock.log()
    assert "client-id: tenant-b  client-secret: (as configured, not shown)" in log
    assert secret not in log


def test_the_banner_shows_the_callback_url(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/vatansms/callback"
    with run_mock("--callback-url", url, tmp_path=tmp_path) as mock:
        assert f"callback URL: {url}" in mock.log()
    with run_mock(tmp_path=tmp_path) as mock:
        assert "callback URL: none (set one with --callback-url" in mock.log()


def test_the_proxy_banner_names_the_upstream_and_not_the_twins_own_settings() -> None:
    shown = banner(
        Settings(mode="proxy", upstream="http://127.0.0.1:9/api/whatsapp/v1"),
        "/api/whatsapp/v1",
        "/_mock",
    )
    assert "vatanwa mock (proxy mode)" in shown
    assert "upstream:     http://127.0.0.1:9/api/whatsapp/v1" in shown
    assert "reports from the provider:" in shown
    assert "control API:" in shown
    assert "the client-id and client-secret you use with the upstream" in shown
    assert CLIENT_SECRET not in shown
    assert "callback URL:" not in shown
    assert "database:" not in shown
