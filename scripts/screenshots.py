"""Take the README's screenshots of the inspector: ``make screenshots``.

Starts ``python -m vatanwa_mock`` on a free loopback port, fills it through its API (a pending
QR login, a connected device, messages with Turkish text, an attachment, a failed test number,
a delivery report whose receiver is down), and photographs two pages with Chromium driven by
Playwright: ``docs/inspector-devices.png`` (a pending QR login) and
``docs/inspector-messages.png`` (a message with its delivery report open).

    python -m scripts.screenshots [--chromium /usr/bin/chromium] [--out docs]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from vatanwa_mock.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

ROOT = Path(__file__).resolve().parent.parent
# The mock's documented local credentials, which it prints at start.
CLIENT_ID, CLIENT_SECRET = DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
HEADERS = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}


def _label() -> bytes:
    """A PNG to show an image attachment's preview: a parcel label's QR code."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make("KARGO TR-2024-000153", error="m").save(buffer, kind="png", scale=5, dark="#0b3d2e")
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(probe: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = probe()
        except httpx.TransportError:
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise SystemExit("the mock did not get there in time")


def _fill(api: httpx.Client, control: httpx.Client, dead_url: str) -> int:
    """Put a story into the twin; the id of the message whose report to open."""
    control.put("/callback", json={"url": dead_url}).raise_for_status()
    reg_id = api.post("/login/qr").json()["data"]["regId"]
    control.post(f"/logins/{reg_id}/pair", json={"user_name": "Vatan Mağaza"}).raise_for_status()
    api.post(
        "/messages/send/nToN",
        json={
            "reg_id": reg_id,
            "n_to_n": [
                {"to": "+905459260314", "message": "Merhaba Ayşe, siparişiniz yola çıktı 🚚"},
                {"to": "+905321110000", "message": "Bu numara WhatsApp kullanmıyor."},
            ],
            "send_speed": 1,
            "report_id": 2024,
        },
    ).raise_for_status()
    api.post(
        "/messages/send",
        data={
            "reg_id": reg_id,
            "to": "+903222450353",
            "message": "Faturanız ektedir.\nİyi günler dileriz!",
            "send_speed": "1",
        },
        files={"attachment": ("kargo-etiketi.png", _label(), "image/png")},
    ).raise_for_status()
    api.post("/login/qr").raise_for_status()  # stays pending: the devices page shows its QR code
    reports = _wait(
        lambda: control.get("/deliveries", params={"status": "dead"}).json(), timeout=60
    )
    return int(reports[0]["message_id"])


def main(argv: list[str] | None = None) -> int:
    """Start a mock, fill it, photograph two pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chromium",
        default=os.environ.get("VATANWA_CHROMIUM")
        or shutil.which("chromium")
        or "/usr/bin/chromium",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vatanwa_mock",
            "--port",
            str(port),
            "--login-delay",
            "0",
            "--speed-factor",
            "0.05",
            "--retry-max-attempts",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: httpx.get(root + "/_mock/health").status_code == 200)
        with (
            httpx.Client(base_url=root + "/api/whatsapp/v1", headers=HEADERS) as api,
            httpx.Client(base_url=root + "/_mock", headers=HEADERS) as control,
        ):
            opened = _fill(api, control, f"http://127.0.0.1:{_free_port()}/vatansms/callback")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox"]
            )
            context = browser.new_context(
                http_credentials={"username": CLIENT_ID, "password": CLIENT_SECRET},
                viewport={"width": 1200, "height": 900},
                device_scale_factor=1,
                timezone_id="Europe/Istanbul",
                locale="tr-TR",
            )
            page = context.new_page()
            args.out.mkdir(parents=True, exist_ok=True)
            page.goto(root + "/_mock/ui/")
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / "inspector-devices.png"), full_page=True)
            page.goto(f"{root}/_mock/ui/messages?open={opened}#m{opened}")
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / "inspector-messages.png"), full_page=True)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"wrote {args.out / 'inspector-devices.png'} and {args.out / 'inspector-messages.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
