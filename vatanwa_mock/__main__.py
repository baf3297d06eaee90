"""``python -m vatanwa_mock``: start the offline twin (see ``--help``)."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from vatanwa_mock.config import DEFAULT_CLIENT_SECRET, ConfigError, load_settings


def shown_secret(secret: str) -> str:
    """The documented local default is printed so it can be copied; any other secret is not."""
    return secret if secret == DEFAULT_CLIENT_SECRET else "(as configured, not shown)"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the settings, print where and how to reach the mock, and serve until stopped."""
    try:
        settings = load_settings(argv)
    except ConfigError as exc:
        print(f"python -m vatanwa_mock: error: {exc}", file=sys.stderr)
        return 2
    # connexion imports Starlette's test client at import time; its warning is not for users.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from vatanwa_mock.app import create_app
    from vatanwa_mock.server import serve
    from vatanwa_mock.spec import load_contract, load_control

    app = create_app(settings)
    root = settings.root_url
    lines = [
        f"vatanwa mock ({settings.mode} mode)",
        f"  API:          {root}{load_contract().base_path}",
        f"  control API:  {root}{load_control().base_path}  (document: "
        f"{root}{load_control().base_path}/openapi.yaml)",
        f"  database:     {settings.db or 'in memory'}",
    ]
    lines += [
        f"  credentials:  client-id: {c.client_id}  client-secret: {shown_secret(c.client_secret)}"
        for c in settings.credentials
    ]
    print("\n".join(lines) + "\n", flush=True)
    serve(app, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
