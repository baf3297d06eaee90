"""The tenants the tests start the mock with, and the credential headers of each."""

from __future__ import annotations

# The mock's documented defaults for local use; tests pass them explicitly so that a change of
# default does not silently change what the tests exercise.
CLIENT_ID = "vatanwa-local-id"
CLIENT_SECRET = "vatanwa-local-secret"
#: The second tenant of the tests that need two.
OTHER_ID = "tenant-b"
OTHER_SECRET = "tenant-b-secret"
#: The mock's command-line arguments that add the second tenant.
TWO_TENANTS = ("--client-id", OTHER_ID, "--client-secret", OTHER_SECRET)


def headers(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> dict[str, str]:
    """The ``client-id`` and ``client-secret`` headers of a tenant (the first by default)."""
    return {"client-id": client_id, "client-secret": client_secret}
