"""What the simulated service refuses, as the mock's own exceptions.

Each carries the HTTP status and the envelope's description the provider would answer with;
:func:`vatanwa_mock.errors.register` maps every one of them into the envelope, in one place.

    TwinError (status, description)
    |-- NotFound            404: no such login, device, report, picture or attachment
    |-- NotConnected        400: the device is not logged in (pending, expired, logged out)
    |-- LoginNotDetected    400: /login/check waited the whole login window
    |-- Forbidden           403: the caller may not make this change
    |-- Conflict            409: the change is not allowed in the current state
    |-- TooManyRecipients   413: more recipients in one send than --max-recipients
    `-- Invalid             422: a control-API setting that cannot be applied
"""

from __future__ import annotations


class TwinError(Exception):
    """A request the simulated service refuses; ``status`` is the documented HTTP status."""

    status = 400

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class NotFound(TwinError):
    """The record does not exist in the caller's account."""

    status = 404


class NotConnected(TwinError):
    """The device is not logged in; the description says what it is instead."""

    status = 400


class LoginNotDetected(TwinError):
    """The login did not pair within the login window."""

    status = 400


class Forbidden(TwinError):
    """The caller may not make this change."""

    status = 403


class Conflict(TwinError):
    """The change is not allowed in the record's current state."""

    status = 409


class TooManyRecipients(TwinError):
    """One send request names more recipients than the twin accepts."""

    status = 413


class Invalid(TwinError):
    """A setting of the control API that cannot be applied."""

    status = 422
