"""The session's twin: a ``python -m vatanwa_mock`` process on a free loopback port (or a twin
already running at a URL), and the tenants it hands out, one per test.

The twin runs in its own process so that nothing of the user's test session (warning filters,
logging, an event loop, monkeypatching) reaches it, and its work does not compete with the
tests for the interpreter's lock. It is configured by the plugin alone: ``VATANWA_MOCK_*``
variables of the user's environment are not passed on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

API_PATH = "/api/whatsapp/v1"
CONTROL_PATH = "/_mock"
INSTALL_HINT = "pip install 'vatanwa[mock]'"
#: What the twin needs besides the SDK; checked before it is started, for a clear message.
REQUIRED_MODULES = ("connexion", "uvicorn", "phonenumbers", "segno", "yaml")
START_TIMEOUT = 60.0


class TwinUnavailable(RuntimeError):
    """The twin could not be started or reached; the message says why and what to do."""


@dataclass(frozen=True)
class TwinOptions:
    """How the session's twin is run: the plugin's ini and command-line options."""

    speed_factor: float = 0.01
    login_delay: float = 0.0
    #: A twin already running (its root, e.g. ``http://127.0.0.1:8080``): none is started.
    url: str | None = None
    #: A configured tenant of that twin, which creates the tests' tenants.
    client_id: str = "vatanwa-local-id"
    client_secret: str = field(default="vatanwa-local-secret", repr=False)


@dataclass(frozen=True)
class Tenant:
    """One tenant's credentials."""

    client_id: str
    client_secret: str = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """The two headers of the mocked API and the control API."""
        return {"client-id": self.client_id, "client-secret": self.client_secret}


class Twin:
    """A reachable twin: its URLs, and tenants made on it by its configured tenant."""

    def __init__(
        self,
        root_url: str,
        admin: Tenant,
        process: subprocess.Popen[bytes] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.root_url = root_url.rstrip("/")
        self.base_url = self.root_url + API_PATH
        self.control_url = self.root_url + CONTROL_PATH
        self.process = process
        self.log_path = log_path
        self._admin = admin
        self._http = httpx.Client(timeout=30.0)

    def new_tenant(self) -> Tenant:
        """A fresh tenant with empty state (``POST /_mock/tenants``)."""
        try:
            answer = self._http.post(self.control_url + "/tenants", headers=self._admin.headers)
        except httpx.TransportError as exc:
            raise TwinUnavailable(
                f"the twin at {self.root_url} does not answer: {exc}{self._tail()}"
            ) from None
        if answer.status_code != 201:
            raise TwinUnavailable(
                f"the twin at {self.root_url} refused to create a tenant for the test "
                f"(HTTP {answer.status_code}: {answer.text[:300]}); with --vatanwa-url, give a "
                "tenant configured on it with --vatanwa-client-id and --vatanwa-client-secret"
            )
        body = answer.json()
        return Tenant(body["client_id"], body["client_secret"])

    def _tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n--- the twin's output ---\n" + text[-3000:]

    def close(self) -> None:
        """Stop the twin if this session started it."""
        self._http.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _missing_modules() -> list[str]:
    missing = []
    for name in ("vatanwa_mock", *REQUIRED_MODULES):
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    return missing


def _missing_message(detail: str) -> str:
    return (
        f"The vatanwa pytest fixtures need the offline twin, which is not installed ({detail}). "
        f"Install it with: {INSTALL_HINT}"
    )


def connect(url: str, options: TwinOptions) -> Twin:
    """The twin already running at ``url``, checked to answer."""
    admin = Tenant(options.client_id, options.client_secret)
    twin = Twin(url, admin)
    try:
        health = httpx.get(twin.control_url + "/health", timeout=10.0)
    except httpx.TransportError as exc:
        twin.close()
        raise TwinUnavailable(f"no twin answers at {url} (--vatanwa-url): {exc}") from None
    if health.status_code != 200:
        twin.close()
        raise TwinUnavailable(
            f"{url} (--vatanwa-url) is not a vatanwa twin: GET {CONTROL_PATH}/health "
            f"answered HTTP {health.status_code}"
        )
    return twin


def start(options: TwinOptions, log_dir: Path) -> Twin:
    """Start ``python -m vatanwa_mock`` on a free loopback port and wait until it answers.

    A free port can be taken by another process before the twin binds it: the start is then
    retried on a fresh one.
    """
    missing = _missing_modules()
    if missing:
        raise TwinUnavailable(_missing_message("missing: " + ", ".join(missing)))
    admin = Tenant("vatanwa-pytest-" + secrets.token_hex(4), secrets.token_urlsafe(24))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VATANWA_MOCK_")}
    environment["VATANWA_MOCK_CLIENT_ID"] = admin.client_id
    environment["VATANWA_MOCK_CLIENT_SECRET"] = admin.client_secret
    log_dir.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _attempt in range(3):
        port = _free_port()
        log_path = log_dir / f"vatanwa-twin-{port}.log"
        command = [
            sys.executable,
            "-m",
            "vatanwa_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--speed-factor",
            repr(options.speed_factor),
            "--login-delay",
            repr(options.login_delay),
            "--log-level",
            "warning",
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
        twin = Twin(f"http://127.0.0.1:{port}", admin, process, log_path)
        if _wait_healthy(twin, process):
            return twin
        twin.close()
        output = log_path.read_text(encoding="utf-8", errors="replace")
        if any(sign in output for sign in ("ModuleNotFoundError", "ImportError", "not installed")):
            raise TwinUnavailable(_missing_message(output.strip().splitlines()[-1]))
        if "error:" in output and "address already in use" not in output.lower():
            raise TwinUnavailable(f"the twin did not start:\n{output[-3000:]}")
        last_error = output[-3000:]
    raise TwinUnavailable(f"the twin did not start on a free port:\n{last_error}")


def _wait_healthy(twin: Twin, process: subprocess.Popen[bytes]) -> bool:
    """Whether ``process`` (and no other server on its port) answers the health check."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(httpx.TransportError, ValueError):
            answer = httpx.get(twin.control_url + "/health", timeout=1.0)
            if answer.status_code == 200 and answer.json().get("pid") == process.pid:
                return True
        time.sleep(0.05)
    return False
