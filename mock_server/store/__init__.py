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
from mock_server.store.outbox import (
    OUTBOX_STATUSES,
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    OutboxStatus,
    StartedAttempt,
)

__all__ = [
    "MESSAGE_STATUSES",
    "OUTBOX_STATUSES",
    "Attachment",
    "AttemptOutcome",
    "Conflict",
    "Delivery",
    "DeliveryAttempt",
    "DeviceInfo",
    "LoginState",
    "Message",
    "MessageFilter",
    "MessageStatus",
    "OutboxStatus",
    "Registration",
    "StartedAttempt",
    "Store",
]
