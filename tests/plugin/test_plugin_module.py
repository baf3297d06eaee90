"""The plugin is registered through the ``pytest11`` entry point and loads nothing heavy; its
report receiver checks the credentials like a real receiver."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points

import httpx
import pytest

from vatanwa.pytest_plugin.reports import ReportReceiver

REPORT = {
    "callback_data": "5",
    "status": "1",
    "phone": "905459260314",
    "content": "Merhaba",
    "send_time": "2024-05-20 14:49:55 +0300 +03",
}


def test_the_plugin_is_a_pytest11_entry_point() -> None:
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "vatanwa"]
    assert plugin.value == "vatanwa.pytest_plugin"


def test_loading_the_plugin_imports_neither_the_twin_nor_httpx_nor_the_sdk() -> None:
    code = "import json, sys, vatanwa.pytest_plugin\nprint(json.dumps(sorted(sys.modules)))\n"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
    )
    heavy = [
        m
        for m in loaded
        if m.split(".")[0] in {"connexion", "uvicorn", "starlette", "vatanwa_mock", "phonenumbers"}
    ]
    assert heavy == []


@pytest.fixture
def receiver() -> Iterator[ReportReceiver]:
    running = ReportReceiver("tenant-id", "tenant-secret")
    yield running
    running.close()


def test_the_receiver_takes_reports_with_the_tenants_credentials_only(
    receiver: ReportReceiver,
) -> None:
    good = {"client-id": "tenant-id", "client-secret": "tenant-secret"}
    assert httpx.post(receiver.url, json=REPORT, headers=good).status_code == 200
    wrong = {"client-id": "tenant-id", "client-secret": "other"}
    assert httpx.post(receiver.url, json=REPORT, headers=wrong).status_code == 401
    assert httpx.post(receiver.url, json=REPORT).status_code == 401
    assert httpx.post(receiver.url, content=b"{", headers=good).status_code == 400
    (report,) = receiver.wait_for(report_id=5)
    assert report.content == "Merhaba"
    assert [r.status for r in receiver.refused] == [401, 401, 400]
    assert "refused 3 request(s)" in receiver.describe()
