"""The control API's ``tenants`` tag: tenants created at run time."""

from __future__ import annotations

from typing import Any

from vatanwa_mock.twin import Twin


async def create_tenant(twin: Twin, tenant: str) -> tuple[dict[str, Any], int]:
    """A new, empty tenant with fresh random credentials (only a configured tenant may ask)."""
    created = twin.create_tenant(created_by=tenant)
    return {"client_id": created.client_id, "client_secret": created.client_secret}, 201
