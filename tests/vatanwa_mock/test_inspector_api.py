"""The control API's operations behind the inspector, and the inspector over plain HTTP:
logins with their QR code, logout, pages of messages and reports, the event stream, Basic
auth, the refusal of cross-origin actions and the pages' security headers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import vatanwa_mock.ui as vatanwa_ui
from scripts import vendor_ui
from tests.support.servers import MockServer, run_mock
from tests.support.tenants import CLIENT_ID, CLIENT_SECRET, OTHER_ID, OTHER_SECRET, headers
from tests.vatanwa_mock.support import control_client, finished_messages

UI = "/_mock/ui/"
PNG = b"\x89PNG\r\n\x1a\n"


def start_login(server: MockServer, kind: str = "qr", tenant: tuple[str, str] | None = None) -> str:
    body = {"phone": "+905459260314"} if kind == "phone" else None
    answer = httpx.post(
        f"{server.base_url}/login/{kind}", json=body, headers=headers(*(tenant or ()))
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["regId"])


def connected_device(server: MockServer) -> str:
    reg_id = start_login(server)
    with control_client(server) as control:
        assert control.post(f"/logins/{reg_id}/pair").status_code == 200
    return reg_id


def send(server: MockServer, reg_id: str, to: str, text: str, report_id: int | None = None) -> None:
    body: dict[str, Any] = {"reg_id": reg_id, "to": to, "message": text, "send_speed": 1}
    if report_id is not None:
        body["report_id"] = report_id
    answer = httpx.post(f"{server.base_url}/messages/send", json=body, headers=headers())
    assert answer.status_code == 200, answer.text


@pytest.fixture
def ui(server: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.root_url, auth=(CLIENT_ID, CLIENT_SECRET), timeout=10
    ) as client:
        yield client


def test_logins_list_pending_logins_with_code_and_qr_image(server: MockServer) -> None:
    qr_id = start_login(server, "qr")
    phone_id = start_login(server, "phone")
    with control_client(server) as control:
        pending = {x["reg_id"]: x for x in control.get("/logins?state=pending").json()}
        assert pending[qr_id]["method"] == "qr"
        assert pending[qr_id]["qr"].startswith("2@")
        assert pending[qr_id]["qr_image"].endswith(f"/_mock/logins/{qr_id}/qr")
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", pending[phone_id]["code"])
        assert pending[phone_id]["qr_image"] is None
        png = control.get(f"/logins/{qr_id}/qr")
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(PNG)
        svg = control.get(f"/logins/{qr_id}/qr", params={"format": "svg"})
        assert svg.headers["content-type"] == "image/svg+xml"
        assert svg.text.startswith("<svg")
        assert control.get(f"/logins/{phone_id}/qr").status_code == 404
        assert control.get("/logins?state=connected").status_code == 200


def test_a_device_is_logged_out_through_the_control_api(server: MockServer) -> None:
    reg_id = connected_device(server)
    with control_client(server) as control:
        out = control.post(f"/logins/{reg_id}/logout")
        assert out.status_code == 200
        assert out.json()["state"] == "logged_out"
        assert control.post(f"/logins/{reg_id}/logout").status_code == 400
        assert control.post("/logins/1234567890/logout").status_code == 404
    refused = httpx.post(
        f"{server.base_url}/login/check/active", json={"reg_id": reg_id}, headers=headers()
    )
    assert refused.status_code == 400


def test_messages_and_reports_come_in_pages_newest_first_and_by_text(server: MockServer) -> None:
    reg_id = connected_device(server)
    for n in range(5):
        send(server, reg_id, "+905459260314", f"sayfa {n} çğüşöı 🎉", report_id=900 + n)
    with control_client(server) as control:
        finished_messages(control, 5, reg_id=reg_id)
        first = control.get("/messages", params={"reg_id": reg_id, "order": "newest", "limit": 2})
        ids = [m["id"] for m in first.json()]
        assert ids == sorted(ids, reverse=True)
        assert len(ids) == 2
        cursor = first.headers["x-next-cursor"]
        assert cursor == str(ids[-1])
        second = control.get(
            "/messages", params={"reg_id": reg_id, "order": "newest", "limit": 2, "cursor": cursor}
        )
        assert [m["id"] for m in second.json()] == [ids[-1] - 1, ids[-1] - 2]
        last = control.get(
            "/messages", params={"reg_id": reg_id, "limit": 5, "cursor": min(ids) - 3}
        )
        assert "x-next-cursor" not in last.headers
        found = control.get("/messages", params={"q": "sayfa 3 ç", "reg_id": reg_id}).json()
        assert [m["message"] for m in found] == ["sayfa 3 çğüşöı 🎉"]
        assert control.get("/messages", params={"q": "%", "reg_id": reg_id}).json() == []
        message_id = found[0]["id"]
    # The conformance hook does not follow the Delivery schema's reference into the contract.
    with httpx.Client(base_url=server.root_url + "/_mock", headers=headers()) as control:
        reports = control.get("/deliveries", params={"message_id": message_id}).json()
        assert [r["message_id"] for r in reports] == [message_id]
        assert reports[0]["report_id"] == "903"
        paged = control.get("/deliveries", params={"order": "newest", "limit": 1})
        assert len(paged.json()) == 1
        assert "x-next-cursor" in paged.headers


def test_the_event_stream_announces_changes_within_a_second(server: MockServer) -> None:
    with (
        httpx.Client(base_url=server.root_url, headers=headers(), timeout=10) as client,
        client.stream("GET", "/_mock/events") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines) == "retry: 250"
        assert next(lines) == "event: ready"
        started = time.monotonic()
        start_login(server)
        for line in lines:
            if line == "event: logins":
                break
        data = json.loads(next(lines).removeprefix("data: "))
        assert data["area"] == "logins"
        assert time.monotonic() - started < 2.0
    assert httpx.get(server.root_url + "/_mock/events", timeout=5).status_code == 401


def test_the_inspector_needs_the_tenants_basic_credentials(server: MockServer) -> None:
    for auth in (None, (CLIENT_ID, "wrong"), ("nobody", CLIENT_SECRET), (CLIENT_ID, "")):
        answer = httpx.get(server.root_url + UI, auth=auth, timeout=10)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith('Basic realm="')
        assert answer.json()["status"] == "error"
    garbled = httpx.get(server.root_url + UI, headers={"authorization": "Basic !!!"}, timeout=10)
    assert garbled.status_code == 401
    assert httpx.get(server.root_url + UI, auth=(OTHER_ID, OTHER_SECRET)).status_code == 200


def test_root_redirects_to_the_inspector(server: MockServer) -> None:
    answer = httpx.get(server.root_url + "/", timeout=10)
    assert answer.status_code == 307
    assert answer.headers["location"] == UI


def test_the_inspector_is_served_in_examples_mode_too(tmp_path: Path) -> None:
    with run_mock("--mode", "examples", tmp_path=tmp_path) as examples:
        assert httpx.get(examples.root_url + "/").headers["location"] == UI
        page = httpx.get(examples.root_url + UI, auth=(CLIENT_ID, CLIENT_SECRET))
        assert page.status_code == 200
        assert "Devices and logins" in page.text


def test_pages_carry_a_strict_policy_and_never_the_secret(server: MockServer) -> None:
    # The documented local secret is printed at start-up; a configured one never is.
    ui = httpx.Client(base_url=server.root_url, auth=(OTHER_ID, OTHER_SECRET))
    for path in ("", "messages", "deliveries", "settings"):
        page = ui.get(UI + path)
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        assert OTHER_SECRET not in page.text
        assert "<script>" not in page.text  # only <script src=...> of this origin
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', page.text):
            assert url.startswith(("/", "#")), url
    assert OTHER_SECRET not in server.log()


def test_cross_origin_actions_are_refused(server: MockServer, ui: httpx.Client) -> None:
    reg_id = start_login(server)
    pair = UI + f"logins/{reg_id}/pair"
    for extra in (
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": server.root_url},
    ):
        refused = ui.post(pair, headers=extra, data={"next": UI})
        assert refused.status_code == 403, extra
        assert refused.headers["content-security-policy"]
    assert ui.get(pair).status_code == 405
    with control_client(server) as control:
        states = {x["reg_id"]: x["state"] for x in control.get("/logins").json()}
        assert states[reg_id] == "pending"
        done = ui.post(pair, headers={"origin": server.root_url, "sec-fetch-site": "same-origin"})
        assert done.status_code == 303
        assert done.headers["location"] == UI
        states = {x["reg_id"]: x["state"] for x in control.get("/logins").json()}
        assert states[reg_id] == "connected"


def test_another_tenant_gets_nothing_of_a_login(server: MockServer) -> None:
    reg_id = start_login(server)
    with httpx.Client(base_url=server.root_url, auth=(OTHER_ID, OTHER_SECRET)) as other:
        assert other.get(UI + f"logins/{reg_id}/qr.png").status_code == 404
        assert reg_id not in other.get(UI).text
        assert other.post(UI + f"logins/{reg_id}/pair").status_code == 404
    with control_client(server, OTHER_ID, OTHER_SECRET) as control:
        assert control.get(f"/logins/{reg_id}/qr").status_code == 404
        assert reg_id not in {x["reg_id"] for x in control.get("/logins").json()}


def test_reset_needs_its_confirmation(server: MockServer, ui: httpx.Client) -> None:
    connected_device(server)
    refused = ui.post(UI + "reset", data={})
    assert refused.status_code == 400
    assert "confirmation" in refused.text
    with control_client(server) as control:
        assert control.get("/logins").json()
        assert ui.post(UI + "reset", data={"confirm": "yes"}).status_code == 303
        assert control.get("/logins").json() == []


def test_chaos_and_callback_are_set_and_cleared_from_the_inspector(
    server: MockServer, ui: httpx.Client
) -> None:
    with control_client(server) as control:
        ui.post(UI + "chaos", data={"latency_ms": "5", "error_rate": "0.25", "seed": "3"})
        assert control.get("/chaos").json()["error_rate"] == 0.25
        assert "seed 3" in ui.get(UI + "settings").text
        bad = ui.post(UI + "chaos", data={"error_rate": "2"})
        assert bad.status_code == 422
        ui.post(UI + "chaos", data={"action": "clear"})
        assert control.get("/chaos").json()["error_rate"] == 0
        url = "http://127.0.0.1:9/vatansms/callback"
        ui.post(UI + "callback", data={"url": url})
        assert control.get("/callback").json() == {"url": url}
        assert ui.post(UI + "callback", data={"url": "ftp://x"}).status_code == 422
        ui.post(UI + "callback", data={"url": url + "?token=receiver-token-1"})
        page = ui.get(UI + "deliveries").text
        assert "receiver-token-1" not in page
        assert "127.0.0.1:9/vatansms/callback" in page
        ui.post(UI + "callback", data={"action": "clear"})
        assert control.get("/callback").json() == {"url": None}


def test_media_downloads_are_sandboxed(server: MockServer) -> None:
    reg_id = connected_device(server)
    with control_client(server) as control:
        avatar = next(x for x in control.get("/logins").json() if x["reg_id"] == reg_id)
    picture = httpx.get(avatar["profile_picture"], timeout=10)
    assert picture.status_code == 200
    assert picture.headers["content-security-policy"].startswith("sandbox")
    assert picture.headers["x-content-type-options"] == "nosniff"


def test_a_page_of_ten_thousand_messages_renders_fifty(server: MockServer) -> None:
    reg_id = connected_device(server)
    items = [{"to": f"+9054592{n:05d}", "message": f"toplu {n}"} for n in range(10_000)]
    answer = httpx.post(
        f"{server.base_url}/messages/send/nToN",
        json={"reg_id": reg_id, "n_to_n": items, "send_speed": 1},
        headers=headers(),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    with httpx.Client(base_url=server.root_url, auth=(CLIENT_ID, CLIENT_SECRET)) as client:
        page = client.get(UI + "messages", params={"reg_id": reg_id})
        assert page.status_code == 200
        assert page.text.count('class="card message"') == 50
        assert "toplu 9999" in page.text
        older = re.search(r'href="([^"]*cursor=[0-9]+[^"]*)">Older messages', page.text)
        assert older is not None
        second = client.get(older.group(1).replace("&amp;", "&"))
        assert "toplu 9949" in second.text
        assert "toplu 9999" not in second.text
    with control_client(server) as control:
        assert control.post("/reset").status_code == 200


def test_the_vendored_scripts_are_the_pinned_npm_files() -> None:
    versions = (vendor_ui.VENDOR / "VERSIONS.txt").read_text()
    for package in vendor_ui.FILES:
        assert f"{package}@{vendor_ui.pinned(package)}" in versions
    htmx = (vendor_ui.VENDOR / "htmx.min.js").read_text(encoding="utf-8")
    assert f'version:"{vendor_ui.pinned("htmx.org")}"' in htmx
    if (vendor_ui.NODE_MODULES / "htmx.org").is_dir():  # installed by make setup (npm ci)
        assert vendor_ui.main(["--check"]) == 0


def test_the_inspectors_own_files_name_no_other_origin() -> None:
    ui = Path(vatanwa_ui.__file__).parent
    own = [*ui.glob("templates/*.html"), *ui.glob("static/*.css"), *ui.glob("static/*.js")]
    assert len(own) >= 8
    for path in own:
        text = path.read_text(encoding="utf-8")
        # Every URL a page loads or sends to is a path of this origin (or computed from one,
        # which the pages test checks as rendered).
        loads = r"(?:src|href|action|sse-connect|hx-get|hx-post)=\"(?!/[^/]|\{\{|#)"
        assert not re.search(loads, text), path
        assert not re.search(r"@import|url\(|fetch\(|XMLHttpRequest", text), path
        for inline in ("<script>", "onclick=", "onerror=", "hx-on", "style="):
            assert inline not in text, (path, inline)


def test_an_attachment_is_downloaded_never_shown_as_a_page(server: MockServer) -> None:
    reg_id = connected_device(server)
    answer = httpx.post(
        f"{server.base_url}/messages/send",
        data={"reg_id": reg_id, "to": "+905459260314", "message": "ek", "send_speed": "1"},
        files={"attachment": ("sayfa.png", b"<html><script>alert(1)</script>", "image/png")},
        headers=headers(),
    )
    assert answer.status_code == 200, answer.text
    with control_client(server) as control:
        found = control.get("/messages", params={"reg_id": reg_id}).json()
    download = httpx.get(found[0]["attachment"]["url"], timeout=10)
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["content-security-policy"].startswith("sandbox")
    assert download.headers["x-content-type-options"] == "nosniff"


def test_the_event_stream_announces_a_login_that_expires_by_the_clock(server: MockServer) -> None:
    # The module's mock lets a login wait 3 s; nothing is written when it expires. No other
    # login of the tenant may be pending.
    with control_client(server) as control:
        assert control.post("/reset").status_code == 200
    with (
        httpx.Client(base_url=server.root_url, headers=headers(), timeout=10) as client,
        client.stream("GET", "/_mock/events") as stream,
    ):
        events = (line for line in stream.iter_lines() if line.startswith("event: "))
        assert next(events) == "event: ready"
        start_login(server)
        assert next(events) == "event: logins"
        started = time.monotonic()
        assert next(events) == "event: logins"
        assert 2.0 < time.monotonic() - started < 6.0
