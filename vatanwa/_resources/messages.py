"""The ``messages`` group: send to one, several or many recipients.

Sends are never tried again after a 5xx or a lost answer (the service may have sent already);
only a 429 or a connection that could not be made is retried. A send with ``attachment`` goes as
``multipart/form-data``, one without as JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vatanwa_client.api.messages import send_message, send_message_n_to_n, send_message_one_to_n
from vatanwa_client.models import (
    SendMessageForm,
    SendMessageNToNForm,
    SendMessageNToNRequest,
    SendMessageOneToNForm,
    SendMessageOneToNRequest,
    SendMessageRequest,
    SuccessEnvelope,
)
from vatanwa_client.types import UNSET, Unset

from .._base_client import AsyncTransport, SyncTransport
from .._bodies import (
    AttachmentLike,
    NToNLike,
    as_attachment,
    n_to_n_items,
    recipients,
    reg_id_number,
)

SendBody = SendMessageRequest | SendMessageForm
OneToNBody = SendMessageOneToNRequest | SendMessageOneToNForm
NToNBody = SendMessageNToNRequest | SendMessageNToNForm


def _optional(value: int | str | None) -> int | str | Unset:
    """``report_id`` as given (a number or a string, sent as it is), or unset."""
    return UNSET if value is None else value


def _send_body(
    reg_id: str,
    to: str,
    message: str,
    send_speed: int,
    report_id: int | str | None,
    attachment: AttachmentLike | None,
) -> Callable[[], SendBody]:
    if attachment is None:
        json_body = SendMessageRequest(
            reg_id=str(reg_id),
            to=to,
            message=message,
            send_speed=send_speed,
            report_id=_optional(report_id),
        )
        return lambda: json_body
    file, number = as_attachment(attachment), reg_id_number(reg_id)
    return lambda: SendMessageForm(
        reg_id=number,
        to=to,
        message=message,
        send_speed=send_speed,
        report_id=_optional(report_id),
        attachment=file.to_file(),
    )


def _one_to_n_body(
    reg_id: str,
    to: str | Iterable[str],
    message: str,
    send_speed: int,
    report_id: int | str | None,
    attachment: AttachmentLike | None,
) -> Callable[[], OneToNBody]:
    to_list = recipients(to)
    if attachment is None:
        json_body = SendMessageOneToNRequest(
            reg_id=str(reg_id),
            to=to_list,
            message=message,
            send_speed=send_speed,
            report_id=_optional(report_id),
        )
        return lambda: json_body
    file, number = as_attachment(attachment), reg_id_number(reg_id)
    return lambda: SendMessageOneToNForm(
        reg_id=number,
        to=to_list,
        message=message,
        send_speed=send_speed,
        report_id=_optional(report_id),
        attachment=file.to_file(),
    )


def _n_to_n_body(
    reg_id: str,
    items: Iterable[NToNLike],
    send_speed: int,
    report_id: int | str | None,
    attachment: AttachmentLike | None,
) -> Callable[[], NToNBody]:
    n_to_n = n_to_n_items(items)
    if attachment is None:
        json_body = SendMessageNToNRequest(
            reg_id=str(reg_id), n_to_n=n_to_n, send_speed=send_speed, report_id=_optional(report_id)
        )
        return lambda: json_body
    file, number = as_attachment(attachment), reg_id_number(reg_id)
    return lambda: SendMessageNToNForm(
        reg_id=number,
        n_to_n=n_to_n,
        send_speed=send_speed,
        report_id=_optional(report_id),
        attachment=file.to_file(),
    )


class Messages:
    """``/messages/send``, ``/messages/send/oneToN``, ``/messages/send/nToN``."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def send(
        self,
        reg_id: str,
        to: str,
        message: str,
        *,
        send_speed: int = 1,
        report_id: int | str | None = None,
        attachment: AttachmentLike | None = None,
    ) -> SuccessEnvelope:
        """Send ``message`` to the number ``to`` from the logged-in device ``reg_id``.

        ``send_speed`` runs from 1 (fastest) to 4. With ``report_id`` (a number or a string of
        up to 64 characters, such as a UUID, sent as given), the delivery report of the message
        carries it, as text, in ``callback_data``. ``attachment`` is an :class:`Attachment` or
        a file's path.
        """
        body = _send_body(reg_id, to, message, send_speed, report_id, attachment)
        return self._transport.call(
            lambda client: send_message.sync_detailed(client=client, body=body()),
            SuccessEnvelope,
            idempotent=False,
        )

    def send_one_to_n(
        self,
        reg_id: str,
        to: str | Iterable[str],
        message: str,
        *,
        send_speed: int = 1,
        report_id: int | str | None = None,
        attachment: AttachmentLike | None = None,
    ) -> SuccessEnvelope:
        """Send the same ``message`` to several numbers (a list, or a comma-separated string)."""
        body = _one_to_n_body(reg_id, to, message, send_speed, report_id, attachment)
        return self._transport.call(
            lambda client: send_message_one_to_n.sync_detailed(client=client, body=body()),
            SuccessEnvelope,
            idempotent=False,
        )

    def send_n_to_n(
        self,
        reg_id: str,
        items: Iterable[NToNLike],
        *,
        send_speed: int = 1,
        report_id: int | str | None = None,
        attachment: AttachmentLike | None = None,
    ) -> SuccessEnvelope:
        """Send each recipient its own message.

        ``items`` are ``(to, message)`` pairs, ``{"to": ..., "message": ...}`` mappings or
        generated ``NToNItem`` models. With ``attachment`` the same file goes to everyone.
        """
        body = _n_to_n_body(reg_id, items, send_speed, report_id, attachment)
        return self._transport.call(
            lambda client: send_message_n_to_n.sync_detailed(client=client, body=body()),
            SuccessEnvelope,
            idempotent=False,
        )


class AsyncMessages:
    """The async twin of :class:`Messages`."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def send(
        self,
        reg_id: str,
        to: str,
        message: str,
        *,
        send_speed: int = 1,
        report_id: int | str | None = None,
        attachment: AttachmentLike | None = None,
    ) -> SuccessEnvelope:
        """Send ``message`` to the number ``to`` (see :meth:`Messages.send`)."""
        body = _send_body(reg_id, to, message, send_speed, report_id, attachment)
        return await self._transport.call(
            lambda client: send_message.asyncio_detailed(client=client, body=body()),
            SuccessEnvelope,
            idempotent=False,
        )

    async def send_one_to_n(
        self,
        reg_id: str,
        to: str | Iterable[str],
        message: str,
        *,
        send_speed: int = 1,
        report_id: int | str | None = None,
        attachment: AttachmentLike | None = None,
    ) -> SuccessEnvelope:
        """Send the same ``message`` to several numbers (see :meth:`Messages.send_one_to_n`)."""
        body = _one_to_n_body(reg_id, to, message, send_speed, report_id, attachment)
        return await self._transport.call(
            lambda client: send_message_one_to_n.asyncio_detailed(client=client, body=body()),
            SuccessEnvelope,
            idempotent=False,
        )

    async def send_n_to_n(
        self,
        reg_id: str,
        items: Iterable[NToNLike],
        *,
        send_speed: int = 1,
        report_id: int | str | None = None,
        attachment: AttachmentLike | None = None,
    ) -> SuccessEnvelope:
        """Send each recipient its own message (see :meth:`Messages.send_n_to_n`)."""
        body = _n_to_n_body(reg_id, items, send_speed, report_id, attachment)
        return await self._transport.call(
            lambda client: send_message_n_to_n.asyncio_detailed(client=client, body=body()),
            SuccessEnvelope,
            idempotent=False,
        )
