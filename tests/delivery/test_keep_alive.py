"""Reports to one receiver travel over kept-alive connections, not one connection each."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from tests.delivery.support import GOOD, clients, connected_device, send
from tests.support.servers import free_port, run_mock

REPORTS = 24


class CountingReceiver:
    """A keep-alive HTTP/1.1 receiver that answers 200 with a body and counts connections."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0
        self.reports = 0
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            while True:
                length = 0
                line = reader.readline()
                if not line:
                    return
                while line not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                    line = reader.readline()
                reader.read(length)
                self.reports += 1
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\nthank you :)")

    def close(self) -> None:
        self._server.close()


def test_reports_reuse_their_connections(tmp_path: Path) -> None:
    receiver = CountingReceiver()
    try:
        options = ("--login-delay", "0", "--speed-factor", "0.001")
        callback = ("--callback-url", f"http://127.0.0.1:{receiver.port}/reports")
        with run_mock(*options, *callback, tmp_path=tmp_path) as mock, clients(mock) as (api, ctl):
            reg_id = connected_device(api, ctl)
            send(api, reg_id, [GOOD] * REPORTS, report_id=5)
            deadline = time.monotonic() + 30
            while receiver.reports < REPORTS and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        receiver.close()
    assert receiver.reports == REPORTS
    # At most one connection per concurrent attempt (--delivery-concurrency, 4 by default).
    assert receiver.connections <= 4
