"""The twin's domain layer: :class:`Twin`, its errors and its change notifications."""

from vatanwa_mock.twin.changes import Change, Changes, Subscription
from vatanwa_mock.twin.core import STATE_KEY, NewAttachment, Signal, Twin, twin_of
from vatanwa_mock.twin.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LoginNotDetected,
    NotConnected,
    NotFound,
    TooManyRecipients,
    TwinError,
)

__all__ = [
    "STATE_KEY",
    "Change",
    "Changes",
    "Conflict",
    "Forbidden",
    "Invalid",
    "LoginNotDetected",
    "NewAttachment",
    "NotConnected",
    "NotFound",
    "Signal",
    "Subscription",
    "TooManyRecipients",
    "Twin",
    "TwinError",
    "twin_of",
]
