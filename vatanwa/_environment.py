"""Settings a client reads from the environment when it is not given them.

``Vatanwa()`` with no arguments reads ``VATANWA_CLIENT_ID``, ``VATANWA_CLIENT_SECRET`` and
``VATANWA_BASE_URL``, so an application configured by its environment (twelve-factor style, or
a test that points it at the offline twin) builds its client with no code of its own. An
argument always wins over its variable; an empty variable counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ._exceptions import VatanwaError

CLIENT_ID_ENV = "VATANWA_CLIENT_ID"
CLIENT_SECRET_ENV = "VATANWA_CLIENT_SECRET"  # noqa: S105 - the variable's name
BASE_URL_ENV = "VATANWA_BASE_URL"


def _pick(given: str | None, variable: str, environ: Mapping[str, str]) -> str | None:
    if given is not None:
        return given
    return environ.get(variable) or None


def resolve(
    client_id: str | None,
    client_secret: str | None,
    base_url: str | None,
    default_base_url: str,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, str, str]:
    """``(client_id, client_secret, base_url)`` from the arguments, else the environment.

    Raises :class:`VatanwaError` naming the argument and the variable when a credential is
    missing or empty.
    """
    environ = os.environ if environ is None else environ
    found_id = _pick(client_id, CLIENT_ID_ENV, environ)
    found_secret = _pick(client_secret, CLIENT_SECRET_ENV, environ)
    missing = [
        f"{name} (pass {name}=... or set {variable})"
        for name, variable, value in (
            ("client_id", CLIENT_ID_ENV, found_id),
            ("client_secret", CLIENT_SECRET_ENV, found_secret),
        )
        if not value
    ]
    if missing or found_id is None or found_secret is None:
        raise VatanwaError(
            "The Vatansms credentials are missing: " + "; ".join(missing) + ". They are the "
            "client-id and client-secret of your Vatansms panel."
        )
    return found_id, found_secret, _pick(base_url, BASE_URL_ENV, environ) or default_base_url
