"""Run by the interpreter of a fresh virtualenv holding the installed wheel: a login, a send and
its delivery report, through the installed SDK against the installed ``vatanwa-mock``.

``python installed_flow.py <mock root URL>`` prints one JSON object: where the packages were
imported from, and the delivery report as received. Only the standard library, the SDK and its
dependencies are used, as a user's application would.
"""

from __future__ import annotations

import http.server
import json
import queue
import sys
import threading

import httpx
import vatanwa_client

import vatanwa

CLIENT_ID = "vatanwa-local-id"
CLIENT_SECRET = "vatanwa-local-secret"
PHONE = "+905459260314"

received: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()


class Receiver(http.server.BaseHTTPRequestHandler):
    """A delivery-report receiver on a loopback port: keeps each report, answers 200."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        received.put(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: stdout carries the result."""


def main(root_url: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    callback = f"http://127.0.0.1:{server.server_address[1]}/vatansms/callback"
    credentials = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
    httpx.put(f"{root_url}/_mock/callback", json={"url": callback}, headers=credentials)

    with vatanwa.Vatanwa(CLIENT_ID, CLIENT_SECRET, base_url=f"{root_url}/api/whatsapp/v1") as api:
        reg_id = api.login.phone(PHONE).data.reg_id
        if not api.login.wait(reg_id):
            sys.exit(f"the login {reg_id} did not pair")
        api.messages.send(reg_id, PHONE, "Merhaba", report_id=7)
        headers, body = received.get(timeout=30)
    server.shutdown()

    report = vatanwa.parse_delivery_report(body)
    print(
        json.dumps(
            {
                "modules": [vatanwa.__file__, vatanwa_client.__file__],
                "version": vatanwa.__version__,
                "credentials_verified": vatanwa.verify_webhook_credentials(
                    headers, CLIENT_ID, CLIENT_SECRET
                ),
                "report_id": report.report_id,
                "phone": report.phone,
                "status": report.status.name,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
