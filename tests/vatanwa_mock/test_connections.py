"""The connection layer over raw sockets: a bounded head, and no client holds a connection open
by sending nothing, or its head or body too slowly; ``/_mock/health`` answers meanwhile."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.servers import CLIENT_ID, CLIENT_SECRET, MockServer, run_mock
from tests.vatanwa_mock.support import FAST
from vatanwa_mock.server import CoalescingWriter

HEAD_LIMIT = 16 * 1024
#: Short timeouts, so that the tests wait seconds, not minutes.
LIMITS = (
    "--max-header-bytes",
    str(HEAD_LIMIT),
    "--header-timeout",
    "1",
    "--body-timeout",
    "1",
    "--login-delay",
    "0",
    "--login-timeout",
    "3",
)
#: How long a test waits at most for the server to act (a bound, not a measurement).
PATIENCE = 15.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with run_mock(*FAST, *LIMITS, tmp_path=tmp_path_factory.mktemp("conn")) as running:
        yield running
        assert running.process.poll() is None, running.log()
        assert "Traceback" not in running.log(), running.log()


def _address(server: MockServer) -> tuple[str, int]:
    host, port = server.root_url.removeprefix("http://").split(":")
    return host, int(port)


def _connect(server: MockServer) -> socket.socket:
    return socket.create_connection(_address(server), timeout=PATIENCE)


def _closed_by_server(sock: socket.socket) -> bytes:
    """Everything the server sent until it closed the connection."""
    received = b""
    sock.settimeout(PATIENCE)
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _healthy(server: MockServer) -> None:
    response = httpx.get(server.root_url + "/_mock/health", timeout=PATIENCE)
    assert response.status_code == 200
    assert response.json()["pid"] == server.process.pid


def test_an_unfinished_huge_head_gets_431_and_memory_stays_flat(server: MockServer) -> None:
    _healthy(server)
    before = _rss_kib(server.process.pid)
    tried = 0
    answers = []
    for _ in range(4):
        with _connect(server) as sock:
            sock.sendall(b"GET /_mock/health HTTP/1.1\r\nhost: x\r\nx-padding: ")
            try:
                for _ in range(256):  # up to 16 MiB per connection
                    sock.sendall(b"a" * 65536)
                    tried += 65536
            except (BrokenPipeError, ConnectionResetError):
                pass
            answers.append(_closed_by_server(sock))
    after = _rss_kib(server.process.pid)
    for answer in answers:
        if answer:  # the answer may be lost when the reset overtakes it
            head, body = answer.split(b"\r\n\r\n", 1)
            assert head.startswith(b"HTTP/1.1 431 ")
            assert json.loads(body) == {
                "code": 431,
                "status": "error",
                "description": f"The request's headers are larger than {HEAD_LIMIT} bytes.",
            }
    assert any(answers)
    # The server stopped reading long before the client stopped writing.
    assert tried < 4 * 256 * 65536
    assert after - before < 16 * 1024, (before, after)
    _healthy(server)


def test_a_head_within_the_limit_and_a_large_body_are_served(server: MockServer) -> None:
    body = json.dumps({"phone": "+905459260314", "pad": "x" * (4 * HEAD_LIMIT)}).encode()
    head = (
        f"POST /api/whatsapp/v1/login/phone HTTP/1.1\r\nhost: x\r\nclient-id: {CLIENT_ID}\r\n"
        f"client-secret: {CLIENT_SECRET}\r\nx-padding: {'a' * (HEAD_LIMIT // 2)}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode()
    with _connect(server) as sock:
        sock.sendall(head + body)
        answer = _closed_by_server(sock)
    # Read whole: a body cut short would not parse.
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["status"] == "success"


def _answers(sock: socket.socket, count: int) -> list[bytes]:
    """The status lines of the next ``count`` answers on a keep-alive connection."""
    data = b""
    lines: list[bytes] = []
    while len(lines) < count:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, (lines, data)
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(data) < length:
            data += sock.recv(65536)
        data = data[length:]
        lines.append(head.split(b"\r\n", 1)[0])
    return lines


def test_a_body_read_after_its_head_does_not_count_as_the_next_head(server: MockServer) -> None:
    # The read that ends a large body also starts waiting for the next head; its body bytes
    # must not count against the head limit (a false 431 on a keep-alive connection).
    body = json.dumps({"phone": "+905459260314", "pad": "x" * (6 * HEAD_LIMIT)}).encode()
    head = (
        f"POST /api/whatsapp/v1/login/phone HTTP/1.1\r\nhost: x\r\nclient-id: {CLIENT_ID}\r\n"
        f"client-secret: {CLIENT_SECRET}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    with _connect(server) as sock:
        for _ in range(2):
            sock.sendall(head)
            time.sleep(0.2)  # the head arrives alone, the body in the reads after it
            sock.sendall(body)
            (status,) = _answers(sock, 1)
            assert status.startswith(b"HTTP/1.1 200 "), status
        chunked = head.replace(
            f"content-length: {len(body)}".encode(), b"transfer-encoding: chunked"
        )
        sock.sendall(chunked + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        (status,) = _answers(sock, 1)
        assert status.startswith(b"HTTP/1.1 200 "), status


def test_idle_and_slow_connections_are_closed_while_health_answers(server: MockServer) -> None:
    idle = [_connect(server) for _ in range(40)]
    partial = [_connect(server) for _ in range(40)]
    for sock in partial:
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nhost: x\r\n")
    drip = _connect(server)
    try:
        _healthy(server)
        # A head sent one byte at a time never completes in time, however lively it looks.
        request = b"GET /_mock/health HTTP/1.1\r\nhost: x\r\n" + b"x-slow: " + b"a" * 200
        closed = False
        deadline = time.monotonic() + PATIENCE
        for byte in request:
            try:
                drip.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
            if time.monotonic() > deadline:
                break
        assert closed or _closed_by_server(drip) == b""
        for sock in idle + partial:
            assert _closed_by_server(sock) == b""
        _healthy(server)
    finally:
        for sock in [*idle, *partial, drip]:
            sock.close()


def test_a_body_that_does_not_arrive_closes_the_connection(server: MockServer) -> None:
    with _connect(server) as sock:
        sock.sendall(
            (
                f"POST /api/whatsapp/v1/login/phone HTTP/1.1\r\nhost: x\r\nclient-id: {CLIENT_ID}"
                f"\r\nclient-secret: {CLIENT_SECRET}\r\ncontent-type: application/json\r\n"
                'content-length: 100\r\n\r\n{"phone": '
            ).encode()
        )
        answer = _closed_by_server(sock)
    assert b" 200 " not in answer.split(b"\r\n", 1)[0]
    _healthy(server)


def test_a_long_poll_outlives_the_header_timeout(server: MockServer) -> None:
    headers = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=PATIENCE) as client:
        reg_id = client.post("/login/qr").json()["data"]["regId"]
        started = time.monotonic()
        # Never paired: the check waits for the whole login window (3 s), then answers 400.
        response = client.post("/login/check", json={"reg_id": reg_id})
        assert response.status_code == 400
        assert time.monotonic() - started > 1.0
        # The same connection serves the next request.
        assert client.get("/devices").status_code == 200


def test_the_open_files_limit_is_raised_to_the_hard_limit(server: MockServer) -> None:
    limits = Path(f"/proc/{server.process.pid}/limits").read_text().splitlines()
    (line,) = [line for line in limits if line.startswith("Max open files")]
    soft, hard = line.split()[3:5]
    assert soft == hard


class RecordingTransport:
    """A transport that keeps what is written to it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        if self.closed:  # as uvloop's transport does
            raise RuntimeError("unable to perform operation: the handler is closed")

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_a_responses_head_and_body_leave_in_one_write() -> None:
    loop = asyncio.new_event_loop()
    try:
        transport = RecordingTransport()
        writer = CoalescingWriter(transport, loop)  # type: ignore[arg-type]
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert transport.writes == []
        writer.write(b"{}")
        writer.write(b"more")
        assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"more"]
    finally:
        loop.close()


def test_a_head_whose_body_comes_later_leaves_at_the_end_of_the_loops_turn() -> None:
    loop = asyncio.new_event_loop()
    try:
        transport = RecordingTransport()
        writer = CoalescingWriter(transport, loop)  # type: ignore[arg-type]
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        loop.run_until_complete(asyncio.sleep(0))
        assert transport.writes == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"]
        writer.write(b"5\r\nhello\r\n")
        assert transport.writes[-1] == b"5\r\nhello\r\n"
        closing = CoalescingWriter(transport, loop)  # type: ignore[arg-type]
        closing.write(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
        closing.close()
        assert transport.writes[-1].startswith(b"HTTP/1.1 204")
        assert transport.closed
    finally:
        loop.close()


def test_a_head_held_for_a_connection_that_closes_meanwhile_is_dropped() -> None:
    loop = asyncio.new_event_loop()
    try:
        transport = RecordingTransport()
        writer = CoalescingWriter(transport, loop)  # type: ignore[arg-type]
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        transport.close()  # the client went away before the end of the loop's turn
        loop.run_until_complete(asyncio.sleep(0))
        assert transport.writes == []
    finally:
        loop.close()


def test_an_event_streams_head_arrives_before_its_first_event(server: MockServer) -> None:
    port = int(server.root_url.rpartition(":")[2])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            f"GET /_mock/events HTTP/1.1\r\nhost: x\r\nclient-id: {CLIENT_ID}\r\n"
            f"client-secret: {CLIENT_SECRET}\r\n\r\n".encode()
        )
        head = sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
