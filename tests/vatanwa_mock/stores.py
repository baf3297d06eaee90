"""Helpers of the store's tests: a pending login written straight into a store."""

from __future__ import annotations

from vatanwa_mock.logins import device_for
from vatanwa_mock.store import Registration, Store


def login(
    store: Store, tenant: str, *, at: float = 100.0, pairs_at: float | None = None
) -> Registration:
    """A pending QR login of ``tenant``, created at ``at``, pairing by itself at ``pairs_at``."""
    return store.create_registration(
        tenant,
        method="qr",
        phone=None,
        code=None,
        qr="2@x",
        created_at=at,
        expires_at=at + 30,
        pairs_at=pairs_at,
        device=device_for("905459260314"),
    )
