"""The inspector end to end in Chromium: logins scanned from the page, messages and reports
appearing live, hostile text shown as text, replay, tenants apart, actions refused from other
origins, and every page free of console errors and accessibility violations."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

import vatanwa
from tests.browser.conftest import Inspector, InspectorFactory
from tests.delivery.receiver import Receiver
from tests.support.polling import eventually
from tests.support.servers import MockServer, free_port
from tests.support.tenants import CLIENT_ID, CLIENT_SECRET, OTHER_ID, OTHER_SECRET, headers

#: A 1x1 PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5d2c1"
    "d80000000049454e44ae426082"
)
LIVE = 5_000  # ms: what "appears without a reload" may take, with room for a slow machine


def sdk(mock: MockServer, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> Any:
    return vatanwa.Vatanwa(client_id, secret, base_url=mock.base_url)


def control(mock: MockServer, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> Any:
    return httpx.Client(
        base_url=mock.root_url + "/_mock", headers=headers(client_id, secret), timeout=10
    )


def connected_device(
    mock: MockServer, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET
) -> str:
    with sdk(mock, client_id, secret) as api, control(mock, client_id, secret) as ctl:
        reg_id = str(api.login.qr().data.reg_id)
        assert ctl.post(f"/logins/{reg_id}/pair").status_code == 200
    return reg_id


def card(page: Page, message_id: int) -> Any:
    return page.locator(f"#m{message_id}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def test_a_qr_login_from_the_sdk_is_scanned_in_the_inspector(
    mock: MockServer, inspector: Inspector
) -> None:
    page = inspector.open()
    with sdk(mock) as api:
        reg_id = str(api.login.qr().data.reg_id)
        login = page.locator(f'li.login[data-reg-id="{reg_id}"]')
        expect(login).to_be_visible(timeout=LIVE)  # appears without a reload
        qr = login.get_by_role("img", name=f"QR code of login {reg_id}")
        expect(qr).to_be_visible()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 100", arg=qr.element_handle()
        )
        expect(login.locator("time[data-time=countdown]")).to_contain_text("in ")
        result: dict[str, bool] = {}
        waiter = threading.Thread(target=lambda: result.update(paired=api.login.wait(reg_id)))
        waiter.start()
        time.sleep(0.3)
        login.get_by_role("button", name="Scan").click()
        waiter.join(timeout=15)
        assert result == {"paired": True}
    device = page.locator("li.device", has_text=reg_id)
    expect(device).to_be_visible(timeout=LIVE)
    expect(device.get_by_role("img", name="Profile picture")).to_be_visible()


def test_a_phone_login_shows_its_code_and_a_device_logs_out(
    mock: MockServer, inspector: Inspector
) -> None:
    with sdk(mock) as api:
        started = api.login.phone("+905459260314").data
    page = inspector.open()
    login = page.locator(f'li.login[data-reg-id="{started.reg_id}"]')
    expect(login.locator(".code")).to_have_text(started.code)
    login.get_by_role("button", name="Enter code").click()
    device = page.locator("li.device", has_text=str(started.reg_id))
    device.get_by_role("button", name="Log out").click()
    expect(device).to_have_count(0, timeout=LIVE)
    expect(page.locator("table")).to_contain_text(str(started.reg_id))


def test_an_n_to_n_send_appears_live_and_its_statuses_move(
    mock: MockServer, inspector: Inspector
) -> None:
    reg_id = connected_device(mock)
    page = inspector.open(f"messages?reg_id={reg_id}")
    page.evaluate("window.__notReloaded = true")
    with sdk(mock) as api:
        # A backlog ahead keeps the test messages queued for a moment (80 ms each at speed 4).
        backlog = [(f"+9054592{n:05d}", f"sıra {n}") for n in range(15)]
        api.messages.send_n_to_n(reg_id, backlog, send_speed=4)
        api.messages.send_n_to_n(
            reg_id,
            [("+905459260314", "Birinci ✅"), ("+905459260000", "İkinci\nsatır")],
            send_speed=4,
            report_id=41,
        )
    sent = page.locator("li.message", has_text="Birinci ✅")
    failed = page.locator("li.message", has_text="İkinci")
    expect(sent.locator("[data-role=status]")).to_have_text("queued", timeout=LIVE)
    expect(failed.locator("[data-role=status]")).to_have_text("queued")
    due = failed.locator("time[data-time=countdown]")
    expect(due).to_contain_text("in ")  # the due time counts down while it is queued
    expect(sent.locator("[data-role=status]")).to_have_text("sent", timeout=LIVE)
    expect(failed.locator("[data-role=status]")).to_have_text(
        "failed: The number is not registered on WhatsApp.", timeout=LIVE
    )
    expect(failed.locator(".text")).to_have_text("İkinci\nsatır")
    expect(page.locator("li.message")).to_have_count(17)
    assert page.evaluate("window.__notReloaded") is True


def test_times_are_local_with_utc_on_hover_and_the_keyboard_pairs(
    mock: MockServer, inspector_as: InspectorFactory
) -> None:
    with sdk(mock) as api:
        started = api.login.phone("+905459260314").data
    inspector = inspector_as(timezone_id="Europe/Istanbul")
    page = inspector.open()
    expiry = page.locator(f'li.login[data-reg-id="{started.reg_id}"] time')
    expect(expiry).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    utc_hour = int(expiry.get_attribute("title").split(" ")[1][:2])  # type: ignore[union-attr]
    expect(expiry).to_contain_text(f"{(utc_hour + 3) % 24:02d}:")
    expect(expiry).not_to_contain_text("UTC")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    focused_login = "document.activeElement.closest('li.login')?.dataset.regId"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(focused_login) == str(started.reg_id):
            break
    assert page.evaluate("document.activeElement.textContent") == "Enter code"
    page.keyboard.press("Enter")
    expect(page.locator("li.device", has_text=str(started.reg_id))).to_be_visible(timeout=LIVE)


def test_hostile_text_and_file_names_are_shown_as_text(
    mock: MockServer, inspector: Inspector
) -> None:
    reg_id = connected_device(mock)
    text = '<img src=x onerror="window.__x=1">'
    name = '"><script>window.__y=1</script>.png'
    with sdk(mock) as api:
        api.messages.send(
            reg_id,
            "+905459260314",
            text,
            attachment=vatanwa.Attachment.from_bytes(PIXEL, name, "image/png"),
        )
    with control(mock) as ctl:
        stored = ctl.get("/messages", params={"reg_id": reg_id}).json()[0]["attachment"]
    # httpx writes a file name's quote as %22 on the wire (as browsers do); the twin keeps it so.
    sent = name.replace('"', "%22")
    assert stored["filename"] == sent
    page = inspector.open(f"messages?reg_id={reg_id}")
    message = page.locator("li.message").first
    expect(message.locator(".text")).to_have_text(text)
    expect(message.locator(".filename")).to_have_text(sent)
    expect(message.get_by_role("img", name="Preview of")).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate("[window.__x, window.__y]") == [None, None]
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("main script").count() == 0


def test_a_dead_report_is_replayed_from_the_inspector_to_a_loopback_receiver(
    mock: MockServer, inspector: Inspector, receiver: Receiver
) -> None:
    reg_id = connected_device(mock)
    with control(mock) as ctl:
        down = f"http://127.0.0.1:{free_port()}/vatansms/callback"
        assert ctl.put("/callback", json={"url": down}).status_code == 200
        with sdk(mock) as api:
            api.messages.send(reg_id, "+905459260314", "Rapor 📨", report_id=777)
        dead = eventually(
            lambda: ctl.get("/deliveries", params={"status": "dead", "report_id": 777}).json(),
            timeout=20,
        )
    page = inspector.open("deliveries?status=dead")
    report = page.locator(f"#report-{dead[0]['id']}")
    expect(report.locator("table.attempts tbody tr")).to_have_count(2)
    expect(report.locator("table.attempts")).to_contain_text(down)
    page.get_by_label("New callback URL").fill(receiver.url)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#callback-live")).to_contain_text(receiver.url)
    page.locator(f"#report-{dead[0]['id']}").get_by_role("button", name="Replay").click()
    eventually(lambda: receiver.accepted(), timeout=10)
    body = json.loads(receiver.accepted()[0].body)
    assert body["callback_data"] == "777"
    assert body["content"] == "Rapor 📨"
    page = inspector.open(f"messages?reg_id={reg_id}&open={dead[0]['message_id']}")
    opened = page.locator(f"#report-{dead[0]['id']}")
    expect(opened.locator(".report-head .badge").first).to_have_text("delivered", timeout=LIVE)
    expect(opened.locator("table.attempts tbody tr")).to_have_count(3)


def test_another_tenant_sees_nothing_of_the_first(
    mock: MockServer, inspector_as: InspectorFactory
) -> None:
    reg_id = connected_device(mock)
    with sdk(mock) as api:
        api.messages.send(
            reg_id,
            "+905459260314",
            "yalnızca A",
            attachment=vatanwa.Attachment.from_bytes(PIXEL, "a-only.png", "image/png"),
        )
        pending = str(api.login.qr().data.reg_id)
    with control(mock) as ctl:
        token = ctl.get("/messages", params={"reg_id": reg_id}).json()[0]["attachment"]["url"]
    token = token.rsplit("/", 1)[1]
    other = inspector_as(OTHER_ID, OTHER_SECRET)
    for path in ("", "messages", "deliveries", "settings"):
        html = other.open(path).content()
        for secret_of_a in (reg_id, pending, "yalnızca A", "a-only.png", token, CLIENT_ID):
            assert secret_of_a not in html, (path, secret_of_a)
    answer = other.page.request.get(f"{mock.root_url}/_mock/ui/logins/{pending}/qr.png")
    assert answer.status == 404


def test_a_cross_origin_post_is_refused(mock: MockServer, inspector_as: InspectorFactory) -> None:
    with sdk(mock) as api:
        reg_id = str(api.login.qr().data.reg_id)
    attacker = inspector_as(clean_console=False)
    form = (
        f'<form method="post" action="{mock.root_url}/_mock/ui/logins/{reg_id}/pair">'
        '<button type="submit">win a prize</button></form>'
    )

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=form)

    attacker.page.route("http://attacker.invalid/**", serve)
    attacker.page.goto("http://attacker.invalid/")
    with attacker.page.expect_navigation() as navigation:
        attacker.page.get_by_role("button", name="win a prize").click()
    response = navigation.value
    assert response is not None
    assert response.status == 403
    with control(mock) as ctl:
        login = next(x for x in ctl.get("/logins").json() if x["reg_id"] == reg_id)
    assert login["state"] == "pending"


def test_wrong_credentials_get_401(mock: MockServer, inspector_as: InspectorFactory) -> None:
    for client_id, secret in ((CLIENT_ID, "wrong"), ("nobody", CLIENT_SECRET)):
        stranger = inspector_as(client_id, secret, clean_console=False)
        response = stranger.page.goto(f"{mock.root_url}/_mock/ui/")
        assert response is not None
        assert response.status == 401
        assert "WhatsApp" not in stranger.page.content()


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_is_accessible_and_fits(
    mock: MockServer, inspector_as: InspectorFactory, width: int
) -> None:
    reg_id = connected_device(mock)
    with sdk(mock) as api:
        api.login.qr()
        api.login.phone("+905459260314")
        api.messages.send(
            reg_id,
            "+905459260314",
            "Uzun bir Türkçe mesaj: ğüşöçıİ " * 6 + "🎉",
            report_id=5,
            attachment=vatanwa.Attachment.from_bytes(PIXEL, "görsel.png", "image/png"),
        )
    with control(mock) as ctl:
        message = eventually(
            lambda: [
                m
                for m in ctl.get("/messages", params={"reg_id": reg_id}).json()
                if m["status"] == "sent"
            ]
        )[0]
    inspector = inspector_as(viewport={"width": width, "height": 800})
    for path in (
        "",
        f"messages?open={message['id']}",
        "messages?status=failed&q=nothing",
        "deliveries",
        "settings",
    ):
        page = inspector.open(path)
        page.wait_for_timeout(100)
        assert inspector.accessibility_violations() == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, (path, overflow)
