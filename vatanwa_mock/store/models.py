"""The records the store returns: plain frozen dataclasses, no database handles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LoginState = Literal["pending", "connected", "expired", "logged_out"]
MessageStatus = Literal["queued", "sent", "failed"]
MESSAGE_STATUSES: tuple[MessageStatus, ...] = ("queued", "sent", "failed")


@dataclass(frozen=True)
class DeviceInfo:
    """What WhatsApp reports about a device once it is paired."""

    device_number: str
    platform: str
    user_name: str
    j_id: str


@dataclass(frozen=True)
class Registration:
    """A login (``regId``) and, once paired, its device.

    The state is derived from the timestamps: paired once ``paired_at`` has passed (a login
    that pairs by itself gets its ``paired_at`` in the future when it is created), expired once
    ``expires_at`` has passed unpaired, logged out once ``logged_out_at`` is set.
    """

    reg_id: str
    tenant: str
    method: Literal["phone", "qr"]
    phone: str | None
    code: str | None
    qr: str | None
    created_at: float
    expires_at: float
    paired_at: float | None
    logged_out_at: float | None
    device: DeviceInfo
    picture_token: str

    def state(self, now: float) -> LoginState:
        """The login's state at ``now``."""
        if self.logged_out_at is not None:
            return "logged_out"
        if self.paired_at is not None and self.paired_at <= now:
            return "connected"
        if now < self.expires_at:
            return "pending"
        return "expired"

    def next_change(self, now: float) -> float | None:
        """When a pending login next changes state by itself (pairs or expires)."""
        if self.state(now) != "pending":
            return None
        if self.paired_at is not None and self.paired_at < self.expires_at:
            return self.paired_at
        return self.expires_at


@dataclass(frozen=True)
class Attachment:
    """A file sent with messages; its bytes are fetched separately."""

    id: int
    tenant: str
    token: str
    filename: str
    content_type: str
    size: int
    created_at: float


@dataclass(frozen=True)
class StoredMessage:
    """One recipient's message and where it is in its life (queued -> sent | failed)."""

    id: int
    tenant: str
    reg_id: str
    recipient: str
    content: str
    report_id: str | None
    send_speed: int
    attachment: Attachment | None
    status: MessageStatus
    error: str | None
    created_at: float
    due_at: float
    finished_at: float | None


@dataclass(frozen=True)
class MessageFilter:
    """Filters of :meth:`Store.messages`; ``None`` means any."""

    to: str | None = None
    reg_id: str | None = None
    report_id: str | None = None
    status: MessageStatus | None = None


@dataclass(frozen=True)
class ReportFacts:
    """What a delivery report says about its finished message."""

    report_id: str
    status: MessageStatus
    recipient: str
    content: str
    #: When the message was finished (the report's ``send_time``).
    at: float
