"""The load generator: ``wrk`` (Debian's), driven by a generated Lua script per request.

The script reads the body from a file, sets the method and headers, and prints one line of
figures when the run ends (requests, duration, status errors, latency percentiles), which
:func:`parse` reads: nothing depends on wrk's human-readable output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARK = "BENCH-RESULT "

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("%s%d %d %d %d %d %d %d %.1f %.1f\\n", "BENCH-RESULT ",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Request:
    """One request to repeat: method, path (after the server's root), headers, body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    status_errors: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    """The path of ``wrk``; ``make bench`` installs it (``apt-get install wrk``) when missing."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does it)")
    return path


def lua_script(request: Request, body_path: Path) -> str:
    """The wrk script that sends ``request`` with the body held in ``body_path``."""
    lines = [f"wrk.method = {json.dumps(request.method)}"]
    if request.body:
        lines += [
            f"local f = assert(io.open({json.dumps(str(body_path))}, 'rb'))",
            "wrk.body = f:read('*a')",
            "f:close()",
        ]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in request.headers.items()]
    return "\n".join(lines) + "\n" + _DONE


def parse(output: str) -> Figures:
    """The figures of the line the script's ``done`` printed."""
    for line in output.splitlines():
        if line.startswith(MARK):
            n, duration_us, status, *sockets, p50, p99 = line[len(MARK) :].split()
            return Figures(
                requests=int(n),
                seconds=int(duration_us) / 1e6,
                status_errors=int(status),
                socket_errors=sum(int(x) for x in sockets),
                p50_ms=float(p50) / 1000,
                p99_ms=float(p99) / 1000,
            )
    raise RuntimeError(f"wrk printed no result line:\n{output}")


def run(
    root_url: str,
    request: Request,
    work_dir: Path,
    *,
    seconds: float,
    connections: int = 32,
    threads: int = 1,
) -> Figures:
    """Run wrk against ``root_url + request.path`` for ``seconds``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    name = f"{request.method.lower()}{request.path.replace('/', '_')}"
    body_path = work_dir / f"{name}.body"
    body_path.write_bytes(request.body)
    script = work_dir / f"{name}.lua"
    script.write_text(lua_script(request, body_path), encoding="utf-8")
    completed = subprocess.run(
        [
            require_wrk(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            root_url + request.path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse(completed.stdout)
