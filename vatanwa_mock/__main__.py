"""``vatanwa-mock`` (or ``python -m vatanwa_mock``): start the offline twin (see ``--help``)."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from vatanwa_mock.config import DEFAULT_CLIENT_SECRET, PROG, ConfigError, Settings, load_settings
from vatanwa_mock.distribution import (
    MissingDependencyError,
    missing_message,
    require_mock_dependencies,
)
from vatanwa_mock.redact import redact_url


def shown_secret(secret: str) -> str:
    """The documented local default is printed so it can be copied; any other secret is not."""
    return secret if secret == DEFAULT_CLIENT_SECRET else "(as configured, not shown)"


def banner(settings: Settings, api_path: str, control_path: str) -> str:
    """What the mock prints at start-up: where to reach it and how to authenticate."""
    root = settings.root_url
    callback = (
        redact_url(settings.callback_url)
        if settings.callback_url
        else "none (set one with --callback-url or PUT /_mock/callback)"
    )
    lines = [
        f"vatanwa mock ({settings.mode} mode)",
        f"  API:          {root}{api_path}",
        f"  control API:  {root}{control_path}  (document: {root}{control_path}/openapi.yaml)",
        f"  callback URL: {callback}",
        f"  database:     {settings.db or 'in memory'}",
    ]
    if settings.mode == "proxy":
        # The twin's callback URL, store and local credentials play no part in proxy mode:
        # the control API takes the credentials the upstream accepted.
        upstream = redact_url(settings.upstream)
        lines[2:] = [
            f"  upstream:     {upstream} (every request is forwarded there)",
            f"  reports from the provider: {root}{settings.callback_path}",
            lines[2],
            "  credentials:  the client-id and client-secret you use with the upstream",
        ]
        return "\n".join(lines) + "\n"
    lines += [
        f"  credentials:  client-id: {c.client_id}  client-secret: {shown_secret(c.client_secret)}"
        for c in settings.credentials
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the settings, print where and how to reach the mock, and serve until stopped."""
    try:
        settings = load_settings(argv)
    except ConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    # connexion imports Starlette's test client at import time; its warning is not for users.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    try:
        require_mock_dependencies()
        from vatanwa_mock.app import create_app
        from vatanwa_mock.server import serve
        from vatanwa_mock.spec import load_contract, load_control
    except MissingDependencyError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:  # a source tree whose environment lacks one
        print(f"{PROG}: error: {missing_message(str(exc.name))}", file=sys.stderr)
        return 1
    try:
        app = create_app(settings)
    except ConfigError as exc:  # what only shows when the app is built (files to write)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(banner(settings, load_contract().base_path, load_control().base_path), flush=True)
    serve(app, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
