"""The mock's state: SQLite, numbered migrations, records scoped by tenant.

Nothing here imports HTTP or delivery code; the handlers and the dispatcher call in.
"""

from vatanwa_mock.store.db import Store
from vatanwa_mock.store.errors import Conflict, NotFound, StoreError
from vatanwa_mock.store.models import (
    MESSAGE_STATUSES,
    Attachment,
    DeviceInfo,
    LoginState,
    MessageFilter,
    MessageStatus,
    Registration,
    ReportFacts,
    StoredMessage,
)
from vatanwa_mock.store.outbox import (
    OUTBOX_STATUSES,
    AttemptOutcome,
    ClaimedAttempt,
    Delivery,
    DeliveryAttempt,
    FinishedAttempt,
    OutboxStatus,
    ReportBody,
    StartedAttempt,
)

__all__ = [
    "MESSAGE_STATUSES",
    "OUTBOX_STATUSES",
    "Attachment",
    "AttemptOutcome",
    "ClaimedAttempt",
    "Conflict",
    "Delivery",
    "DeliveryAttempt",
    "DeviceInfo",
    "FinishedAttempt",
    "LoginState",
    "MessageFilter",
    "MessageStatus",
    "NotFound",
    "OutboxStatus",
    "Registration",
    "ReportBody",
    "ReportFacts",
    "StartedAttempt",
    "Store",
    "StoreError",
    "StoredMessage",
]
