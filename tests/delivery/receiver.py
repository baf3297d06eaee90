"""A delivery-report receiver on a loopback port, whose answers the tests steer.

It records every request it gets (headers, body, the status it answered), can answer any
status, can hold requests for a while (to make the mock's attempts time out or to catch them
in flight), and can be stopped and started again on the same port (a receiver that is down).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.servers import free_port


@dataclass
class Received:
    """One request as the receiver saw it; ``answered`` is None until it answered."""

    headers: dict[str, str]
    body: bytes
    answered: int | None = None


@dataclass
class Behaviour:
    """What the receiver answers: ``status`` after holding the request ``hold`` seconds."""

    status: int = 200
    hold: float = 0.0
    #: Echoed in the body of a refusal, to check that the mock's log never keeps the secret.
    echo_secret: bool = True
    released: threading.Event = field(default_factory=threading.Event)


class Receiver:
    """An HTTP server on ``127.0.0.1:port`` that takes delivery reports."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/vatansms/callback"
        self.requests: list[Received] = []
        self._behaviour = Behaviour()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def answer(self, status: int = 200, hold: float = 0.0) -> None:
        """Answer ``status`` from now on, after holding each request ``hold`` seconds.

        Requests held under the previous behaviour are let go at once, with this answer.
        """
        with self._lock:
            self._behaviour.released.set()
            self._behaviour = Behaviour(status=status, hold=hold)

    def behaviour(self) -> Behaviour:
        with self._lock:
            return self._behaviour

    def record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def accepted(self) -> list[Received]:
        """The requests answered with 2xx: the reports this receiver took."""
        with self._lock:
            return [r for r in self.requests if r.answered is not None and r.answered < 300]

    def seen(self) -> int:
        with self._lock:
            return len(self.requests)

    def start(self) -> Receiver:
        """Listen (again) on the receiver's port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                received = Received(
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                receiver.record(received)
                behaviour = receiver.behaviour()
                if behaviour.hold:
                    behaviour.released.wait(behaviour.hold)
                    # Let go early by a change of mind: answer what the receiver answers now.
                    behaviour = receiver.behaviour()
                body = b"ok"
                if behaviour.status >= 300 and behaviour.echo_secret:
                    body = b"refused " + received.headers.get("client-secret", "").encode()
                received.answered = behaviour.status
                try:
                    self.send_response(behaviour.status)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the mock gave up on this request (timeout, killed)
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the port (held requests are let go)."""
        self.behaviour().released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
