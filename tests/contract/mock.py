"""How the contract tests run the mock: fast logins, short long-polls, responses validated.

The stateful phase pairs a login and then checks, sends from and logs out its device, so a
pending login must pair almost at once (``--login-delay`` times ``--speed-factor``), and
``/login/check`` on a login that never pairs must give up quickly (``--login-timeout``).

A login pairs 20 µs after it starts, less than any request takes to come back: whether a device
is connected then depends on the order of the requests, never on how fast the machine is, so a
run over HTTP with a given seed sends the same cases every time (with a pairing time of a few
milliseconds, a send right after a login was refused or accepted depending on the machine's
load, and schemathesis went on to generate different cases from there).
"""

from __future__ import annotations

from typing import Any

from tests.support.tenants import headers

LOGIN_DELAY = 0.001
SPEED_FACTOR = 0.02
LOGIN_TIMEOUT = 2.0

#: Command-line arguments of ``python -m vatanwa_mock`` in contract runs (host, port and
#: credentials are added by :func:`tests.support.servers.run_mock`).
ARGS: tuple[str, ...] = (
    "--login-delay",
    str(LOGIN_DELAY),
    "--speed-factor",
    str(SPEED_FACTOR),
    "--login-timeout",
    str(LOGIN_TIMEOUT),
    "--validate-responses",
)

#: The headers of every authenticated request (the tenant the mock is started with).
HEADERS = headers()


def settings_kwargs() -> dict[str, Any]:
    """The same choices as :data:`ARGS`, for ``vatanwa_mock.config.Settings`` in-process."""
    return {
        "login_delay": LOGIN_DELAY,
        "speed_factor": SPEED_FACTOR,
        "login_timeout": LOGIN_TIMEOUT,
        "validate_responses": True,
    }


class FreshMock:
    """An ASGI app that is a new mock (``create_app``) each time its lifespan starts.

    schemathesis ends an in-process app's lifespan after every test (its pytest plugin) or run
    (its engine) and starts it again for the next; the mock closes its store when its lifespan
    ends, so each test or run gets a mock of its own.
    """

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan" or self.app is None:
            from vatanwa_mock.app import create_app
            from vatanwa_mock.config import Settings

            self.app = create_app(Settings(**settings_kwargs()))
        await self.app(scope, receive, send)
