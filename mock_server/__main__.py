"""``python -m mock_server``: start the offline twin (see ``--help``)."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

import uvicorn

from mock_server.config import ConfigError, load_settings


def banner(settings_text: list[str]) -> str:
    """The start-up text."""
    return "\n".join(settings_text) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the settings, print where and how to reach the mock, and serve until stopped."""
    try:
        settings = load_settings(argv)
    except ConfigError as exc:
        print(f"python -m mock_server: error: {exc}", file=sys.stderr)
        return 2
    # connexion imports Starlette's test client at import time; its warning is not for users.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from mock_server.app import create_app
    from mock_server.spec import load_contract, load_control

    app = create_app(settings)
    root = settings.root_url
    lines = [
        f"vatanwa mock ({settings.mode} mode)",
        f"  API:          {root}{load_contract().base_path}",
        f"  control API:  {root}{load_control().base_path}  (document: "
        f"{root}{load_control().base_path}/openapi.yaml)",
        f"  database:     {settings.db or 'in memory'}",
    ]
    # The configured credentials are local test credentials; printing them is the point.
    lines += [
        f"  credentials:  client-id: {c.client_id}  client-secret: {c.client_secret}"
        for c in settings.credentials
    ]
    print(banner(lines), flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=1,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
