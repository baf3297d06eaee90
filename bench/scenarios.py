"""What the benchmark sends: the twin's session, the requests, and the measurements that are not
a wrk run (delivery reports, ``nToN``, draining, the SDK's overhead)."""

from __future__ import annotations

import json
import statistics
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.load import Request
from vatanwa_mock.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

CLIENT_ID = DEFAULT_CLIENT_ID
CLIENT_SECRET = DEFAULT_CLIENT_SECRET
BASE_PATH = "/api/whatsapp/v1"
CREDENTIALS = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
RECIPIENT = "+905459260314"
BOUNDARY = "vatanwa-bench-boundary"


def png(size: int = 100 * 1024) -> bytes:
    """A valid PNG of about ``size`` bytes (noise in stored deflate blocks)."""
    width = 256
    rows = max(1, size // (width * 3 + 1))
    raw = b"".join(
        b"\x00" + bytes((x * 7 + y * 13) % 251 for x in range(width * 3)) for y in range(rows)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, rows, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 0))
        + chunk(b"IEND", b"")
    )


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachment"; '
        f'filename="{file_name}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def requests(reg_id: str, prefix: str) -> dict[str, Request]:
    """The four benchmarked requests, their paths under ``prefix``."""
    as_json = {**CREDENTIALS, "content-type": "application/json"}
    send = {"reg_id": int(reg_id), "to": RECIPIENT, "message": "bench", "send_speed": 1}
    form = {"reg_id": reg_id, "to": RECIPIENT, "message": "bench", "send_speed": "1"}
    return {
        "POST /messages/send": Request(
            "POST", prefix + "/messages/send", as_json, json.dumps(send).encode()
        ),
        "POST /login/check/active": Request(
            "POST",
            prefix + "/login/check/active",
            as_json,
            json.dumps({"reg_id": int(reg_id)}).encode(),
        ),
        "GET /devices": Request("GET", prefix + "/devices", dict(CREDENTIALS)),
        "POST /messages/send (multipart, 100 KB PNG)": Request(
            "POST",
            prefix + "/messages/send",
            {**CREDENTIALS, "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
            multipart(form, "bench.png", png()),
        ),
    }


def connected_device(root_url: str) -> str:
    """Log a device in on the twin (QR, paired through the control API); its ``reg_id``."""
    with httpx.Client(base_url=root_url, headers=CREDENTIALS, timeout=30) as client:
        reg_id = str(client.post(BASE_PATH + "/login/qr").json()["data"]["regId"])
        client.post(f"/_mock/logins/{reg_id}/pair").raise_for_status()
        client.post(BASE_PATH + "/login/check", json={"reg_id": int(reg_id)}).raise_for_status()
    return reg_id


def answer(root_url: str, request: Request) -> tuple[int, str, str]:
    """The twin's status, content type and body for ``request`` (the bare handler's bytes)."""
    response = httpx.request(
        request.method,
        root_url + request.path,
        headers=request.headers,
        content=request.body or None,
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"{request.path}: {response.status_code} {response.text}")
    return response.status_code, response.headers["content-type"], response.text


def n_to_n(reg_id: str, entries: int, report_id: int | None = None) -> bytes:
    items = [
        {"to": f"+90545{i % 10_000_000 + 1_000_000:07d}", "message": f"m{i}"}
        for i in range(entries)
    ]
    body: dict[str, object] = {"reg_id": int(reg_id), "n_to_n": items, "send_speed": 4}
    if report_id is not None:
        body["report_id"] = report_id
    return json.dumps(body).encode()


def post_n_to_n(root_url: str, body: bytes) -> float:
    """Post an ``nToN`` body; seconds to its 200."""
    start = time.perf_counter()
    response = httpx.post(
        root_url + BASE_PATH + "/messages/send/nToN",
        content=body,
        headers={**CREDENTIALS, "content-type": "application/json"},
        timeout=300,
    )
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"nToN: {response.status_code} {response.text[:300]}")
    return elapsed


def stored_messages(root_url: str) -> int:
    """How many messages the twin holds, counted page by page through the control API."""
    count = 0
    cursor: str | None = None
    with httpx.Client(base_url=root_url, headers=CREDENTIALS, timeout=60) as client:
        while True:
            params: dict[str, str | int] = {"limit": 5000}
            if cursor:
                params["cursor"] = cursor
            response = client.get("/_mock/messages", params=params)
            response.raise_for_status()
            count += len(response.json())
            cursor = response.headers.get("x-next-cursor")
            if not cursor:
                return count


def queued_left(client: httpx.Client) -> bool:
    response = client.get("/_mock/messages", params={"status": "queued", "limit": 1})
    response.raise_for_status()
    return bool(response.json())


@dataclass
class Drain:
    """Messages finished per second from the ``nToN``'s 200 to the last (the dispatcher starts
    on the first slice, so some finish before the 200), the same from the request's start (the
    queueing counted as well), and the p99 of ``/_mock/health`` meanwhile."""

    messages_per_s: float
    messages_per_s_from_request: float
    health_p99_ms: float
    health_samples: int


def drain(root_url: str, reg_id: str, messages: int, timeout: float = 600) -> Drain:
    """Queue ``messages`` in one ``nToN`` and time until none is queued, probing health."""
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=root_url, timeout=30) as client:
            while not stop.is_set():
                start = time.perf_counter()
                client.get("/_mock/health").raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)
                time.sleep(0.01)

    body = n_to_n(reg_id, messages)
    requested = time.perf_counter()
    post_n_to_n(root_url, body)
    start = time.perf_counter()
    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    with httpx.Client(base_url=root_url, headers=CREDENTIALS, timeout=30) as client:
        while queued_left(client):
            if time.perf_counter() - start > timeout:
                break
            time.sleep(0.1)
    end = time.perf_counter()
    stop.set()
    prober.join()
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else float("nan")
    return Drain(messages / (end - start), messages / (end - requested), p99, len(latencies))


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def sdk_overhead(root_url: str, reg_id: str, rounds: int, calls: int) -> tuple[float, ...]:
    """Per round, the SDK's time per send over raw httpx's on the same request.

    The two alternate call by call (raw, SDK, raw, SDK, ...) so that both see the same moments
    of a shared machine, and each round compares the median times per call: a pause of the
    machine during one call (another process, a garbage collection) moves a median but little.
    """
    from vatanwa import Vatanwa

    body = {"reg_id": int(reg_id), "to": RECIPIENT, "message": "bench", "send_speed": 1}
    ratios = []
    with (
        Vatanwa(CLIENT_ID, CLIENT_SECRET, base_url=root_url + BASE_PATH) as sdk,
        httpx.Client(base_url=root_url + BASE_PATH, headers=CREDENTIALS) as raw,
    ):

        def raw_send() -> None:
            raw.post("/messages/send", json=body).raise_for_status()

        def sdk_send() -> None:
            sdk.messages.send(reg_id, RECIPIENT, "bench", send_speed=1)

        for _ in range(calls // 4):  # warm both up
            raw_send()
            sdk_send()
        for _ in range(rounds):
            raw_times: list[float] = []
            sdk_times: list[float] = []
            for _ in range(calls):
                raw_times.append(timed(raw_send))
                sdk_times.append(timed(sdk_send))
            ratios.append(statistics.median(sdk_times) / statistics.median(raw_times))
    return tuple(ratios)
