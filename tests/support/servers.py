"""Start real servers on free loopback ports for the tests, and stop them afterwards.

:func:`run_mock` runs ``python -m vatanwa_mock`` as a process; :func:`serve_asgi` and
:func:`serve_wsgi` run an app of the test itself in a thread.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.tenants import CLIENT_ID, CLIENT_SECRET

__all__ = [
    "BASE_PATH",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "ROOT",
    "MockExited",
    "MockServer",
    "free_port",
    "run_mock",
    "serve_asgi",
    "serve_wsgi",
    "wait_until_healthy",
]

ROOT = Path(__file__).resolve().parents[2]
BASE_PATH = "/api/whatsapp/v1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class MockServer:
    """A running ``python -m vatanwa_mock`` process."""

    process: subprocess.Popen[bytes]
    root_url: str
    log_path: Path

    @property
    def base_url(self) -> str:
        return self.root_url + BASE_PATH

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_until_healthy(url: str, process: subprocess.Popen[Any], timeout: float = 30.0) -> None:
    """Wait until ``process`` answers ``url``.

    The health answer carries the server's process id: with several test sessions on one
    machine, another session's mock may hold the port, and only our own answer counts.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MockExited(f"the mock exited with {process.returncode} before it was healthy")
        with contextlib.suppress(httpx.TransportError, ValueError):
            response = httpx.get(url, timeout=1.0)
            if response.status_code == 200 and response.json().get("pid") == process.pid:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the mock did not answer {url} within {timeout} s")


class MockExited(RuntimeError):
    """The mock process ended before it answered (for instance: its port was taken)."""


@contextlib.contextmanager
def run_mock(
    *args: str,
    tmp_path: Path,
    port: int | None = None,
    env: dict[str, str] | None = None,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
) -> Iterator[MockServer]:
    """Run the mock on a free loopback port with ``args`` added to its command line.

    A free port can be taken by another process before the mock binds it; without an explicit
    ``port`` the start is retried on a fresh one.
    """
    attempts = 1 if port else 3
    for attempt in range(attempts):
        chosen = port or free_port()
        log_path = tmp_path / f"mock-{chosen}.log"
        command = [
            sys.executable,
            "-m",
            "vatanwa_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(chosen),
            "--client-id",
            client_id,
            "--client-secret",
            client_secret,
            *args,
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
        root_url = f"http://127.0.0.1:{chosen}"
        try:
            try:
                wait_until_healthy(root_url + "/_mock/health", process)
            except MockExited:
                if attempt + 1 < attempts:
                    continue
                raise RuntimeError(log_path.read_text(encoding="utf-8", errors="replace")) from None
            yield MockServer(process=process, root_url=root_url, log_path=log_path)
            return
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve the ASGI ``app`` with uvicorn in a thread on a free loopback port; yield its URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve the WSGI ``app`` with werkzeug in a thread on a free loopback port; yield its URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
