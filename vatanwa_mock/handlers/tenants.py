"""The control API's ``tenants`` tag: tenants created at run time."""

from __future__ import annotations

from typing import Any

from vatanwa_mock.errors import ApiError
from vatanwa_mock.handlers import current


async def create_tenant() -> tuple[dict[str, Any], int]:
    """A new, empty tenant with fresh random credentials (only a configured tenant may ask)."""
    rt, tenant = current()
    if not rt.tenants.is_configured(tenant):
        raise ApiError(
            403,
            "Only a tenant configured at start (--client-id/--client-secret) may create tenants.",
        )
    created = rt.tenants.create(created_by=tenant)
    return {"client_id": created.client_id, "client_secret": created.client_secret}, 201
