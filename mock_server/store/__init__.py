"""The mock's state: SQLite, numbered migrations, records scoped by tenant.

Nothing here imports HTTP or delivery code; the handlers and the dispatcher call in.
"""

from mock_server.store.db import Conflict, Store
from mock_server.store.models import (
    MESSAGE_STATUSES,
    Attachment,
    DeviceInfo,
    LoginState,
    Message,
    MessageFilter,
    MessageStatus,
    Registration,
)

__all__ = [
    "MESSAGE_STATUSES",
    "Attachment",
    "Conflict",
    "DeviceInfo",
    "LoginState",
    "Message",
    "MessageFilter",
    "MessageStatus",
    "Registration",
    "Store",
]
