"""The servers of a run, each a process on a free port of 127.0.0.1, and the report receiver."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
CONTRACT = ROOT / "openapi" / "vatanwa.yaml"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server process and the root URL it answers on."""

    name: str
    process: subprocess.Popen[bytes]
    root_url: str

    def peak_memory_mb(self) -> float:
        """The process's peak resident memory (``VmHWM``), in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def _wait(server: Server, probe: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(server.root_url + probe, timeout=1.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout} s")


@contextlib.contextmanager
def started(
    name: str, argv: Sequence[str], probe: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Start ``argv`` (which listens on the port in ``{port}``), wait for it, stop it after."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [a.replace("{port}", str(port)) for a in argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
        server = Server(name, process, f"http://127.0.0.1:{port}")
        try:
            _wait(server, probe)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def twin(log: Path, *options: str) -> contextlib.AbstractContextManager[Server]:
    """The twin as a user runs it: ``vatanwa-mock`` defaults but ``--login-delay 0``."""
    argv = [sys.executable, "-m", "vatanwa_mock", "--host", "127.0.0.1", "--port", "{port}"]
    return started("twin", [*argv, "--login-delay", "0", *options], "/_mock/health", log)


def callbacks_to(contract: Path, out: Path, url: str) -> Path:
    """A copy of the contract whose operations' callbacks post to ``url``.

    Prism fires an operation's callbacks on every request, at the URL the contract names (an
    example host off this machine). The copy sends them to a loopback receiver instead: Prism
    does the work it does for a user, and all its traffic stays on this machine.
    """
    document = yaml.safe_load(contract.read_text(encoding="utf-8"))
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "callbacks" in operation:
                for name, callback in operation["callbacks"].items():
                    operation["callbacks"][name] = {url: next(iter(callback.values()))}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def prism(log: Path, callback_url: str) -> contextlib.AbstractContextManager[Server]:
    """Prism 5's mock of the contract (pinned in package.json), with its default validation and
    its callbacks posted to ``callback_url``."""
    document = callbacks_to(CONTRACT, log.parent / "vatanwa.prism.yaml", callback_url)
    argv = [str(PRISM), "mock", str(document), "-h", "127.0.0.1", "-p", "{port}"]
    return started("prism", argv, "/devices", log)


def bare(log: Path, responses: Path) -> contextlib.AbstractContextManager[Server]:
    """The bare Starlette handler (:mod:`bench.bare`) under uvicorn, no access log."""
    argv = [
        sys.executable, "-m", "uvicorn", "bench.bare:app", "--host", "127.0.0.1",
        "--port", "{port}", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    env = {"BENCH_BARE_RESPONSES": str(responses)}
    return started("bare", argv, "/", log, env)


class Receiver:
    """A loopback HTTP/1.1 receiver of delivery reports: answers 200 and counts them."""

    def __init__(self) -> None:
        self.port = free_port()
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/reports"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port)
        )
        self._loop.run_forever()
        server.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                now = time.monotonic()
                if not self.count:
                    self.first = now
                self.count += 1
                self.last = now
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        writer.close()

    def __enter__(self) -> Receiver:
        self._thread.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
