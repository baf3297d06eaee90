"""The mock's state: SQLite, numbered migrations, records scoped by tenant.

Nothing here imports HTTP or delivery code; the handlers and the dispatcher call in.
"""

from vatanwa_mock.store.db import Conflict, Store
from vatanwa_mock.store.models import (
    MESSAGE_STATUSES,
    Attachment,
    DeviceInfo,
    LoginState,
    Message,
    MessageFilter,
    MessageStatus,
    Registration,
)
from vatanwa_mock.store.outbox import (
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
