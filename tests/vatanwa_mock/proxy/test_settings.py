"""Proxy mode's settings, and its control endpoints in the other modes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.servers import MockServer
from tests.support.tenants import headers
from tests.vatanwa_mock import conformance
from vatanwa_mock.app import create_app
from vatanwa_mock.config import LIVE_URL, ConfigError, load_settings


def test_the_live_service_is_the_default_upstream() -> None:
    settings = load_settings(["--mode", "proxy"], environ={})
    assert (settings.mode, settings.upstream) == ("proxy", LIVE_URL)
    assert LIVE_URL == "https://api.vatansms.net/api/whatsapp/v1"
    assert settings.callback_path == "/vatansms/callback"
    assert settings.violations is None
    assert settings.record is None
    assert settings.forward_callbacks_to is None


def test_every_proxy_option_has_its_flag_and_variable() -> None:
    settings = load_settings(
        [
            "--mode",
            "proxy",
            "--violations",
            "v.jsonl",
            "--record",
            "exchanges",
            "--callback-path",
            "/hook",
            "--forward-callbacks-to",
            "http://127.0.0.1:8000/r",
        ],
        environ={"VATANWA_MOCK_UPSTREAM": "https://api.vatansms.com/api/whatsapp/v1"},
    )
    assert settings.upstream == "https://api.vatansms.com/api/whatsapp/v1"
    assert str(settings.violations) == "v.jsonl"
    assert str(settings.record) == "exchanges"
    assert settings.callback_path == "/hook"
    assert settings.forward_callbacks_to == "http://127.0.0.1:8000/r"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--upstream", "ftp://api.vatansms.net/api/whatsapp/v1"], "--upstream"),
        (["--upstream", "https://user:pw@api.vatansms.net/v1"], "--upstream"),
        (["--callback-path", "vatansms/callback"], "--callback-path"),
        (["--callback-path", "/_mock/violations"], "--callback-path"),
        (["--forward-callbacks-to", "http://169.254.169.254/"], "refused"),
    ],
)
def test_wrong_proxy_options_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(["--mode", "proxy", *argv], environ={})
    assert "pw" not in str(caught.value)


def test_other_modes_have_no_violations(server: MockServer) -> None:
    for path in ("/_mock/violations", "/_mock/violations/summary"):
        answer = httpx.get(server.root_url + path, headers=headers())
        assert answer.status_code == 404
        conformance.check(answer)
        assert answer.json()["description"].endswith("(vatanwa-mock --mode proxy).")


def test_a_violations_file_that_cannot_be_written_stops_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    started = subprocess.run(
        [
            sys.executable,
            "-m",
            "vatanwa_mock",
            "--mode",
            "proxy",
            "--port",
            "0",
            "--violations",
            str(blocker / "violations.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 2
    assert started.stderr.startswith("vatanwa-mock: error: --violations")
    assert "Traceback" not in started.stderr


def test_the_callback_path_may_not_hide_under_the_api() -> None:
    settings = load_settings(
        ["--mode", "proxy", "--callback-path", "/api/whatsapp/v1/hook"], environ={}
    )
    with pytest.raises(ConfigError, match="--callback-path"):
        create_app(settings)
