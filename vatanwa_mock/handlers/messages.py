"""The ``messages`` tag: queue messages from a connected device.

Each recipient becomes one stored message, queued; the dispatcher
(:mod:`vatanwa_mock.dispatcher`) sends it at the pace of ``send_speed``. The three operations
accept JSON, ``application/x-www-form-urlencoded`` and ``multipart/form-data``; in a form the
values are text, the attachment is a file part and ``n_to_n`` is JSON text (of the whole array,
or of one item per part). ``report_id`` is kept as the text it was sent as.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import UploadFile

from vatanwa_mock.errors import PayloadTooLarge, SchemaViolation, UnsupportedMedia
from vatanwa_mock.handlers import reg_id_text
from vatanwa_mock.numbers import normalize
from vatanwa_mock.twin import NewAttachment, Twin
from vatanwa_mock.validation import CONTAINER_SLACK, json_items

Answer = tuple[dict[str, Any], int]
#: Content types that say nothing about a file; its extension decides.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


async def _read_attachment(twin: Twin, upload: UploadFile | None) -> NewAttachment | None:
    """Check the attachment against the contract's types and size, and read it."""
    if upload is None:
        return None
    rules = twin.contract.attachments
    accepted = ", ".join(sorted(rules.extensions))
    # Kept as sent (the inspector shows what the caller sent; every output escapes it); the
    # type is judged by the extension of its last path segment.
    filename = upload.filename or ""
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    type_ok = content_type in rules.content_types
    if (extension and extension not in rules.extensions) or not (
        type_ok or (extension and content_type in GENERIC_TYPES)
    ):
        raise UnsupportedMedia(
            f"attachment: the type of {filename or 'the file'!r} ({content_type or 'no type'}) "
            f"is not accepted; send one of: {accepted}."
        )
    if upload.size is not None and upload.size > rules.max_bytes:
        raise PayloadTooLarge(f"attachment: the file is larger than {rules.max_bytes} bytes.")
    data = await upload.read(rules.max_bytes + 1)
    if len(data) > rules.max_bytes:
        raise PayloadTooLarge(f"attachment: the file is larger than {rules.max_bytes} bytes.")
    return NewAttachment(
        filename=filename or f"attachment.{extension or 'bin'}",
        content_type=content_type if type_ok else "application/octet-stream",
        data=data,
    )


async def _queue(
    twin: Twin,
    tenant: str,
    body: dict[str, Any],
    items: list[tuple[str, str]],
    attachment: UploadFile | None,
) -> Answer:
    reg_id = reg_id_text(body["reg_id"])
    if attachment is not None:  # not worth reading a file that would be refused anyway
        twin.connected_device(tenant, reg_id)
    report_id = body.get("report_id")  # kept as the text it was sent as
    await twin.queue_messages(
        tenant,
        reg_id,
        items,
        send_speed=int(body["send_speed"]),  # a number or its digit, validated as 1..4
        report_id=None if report_id is None else str(report_id),
        attachment=await _read_attachment(twin, attachment),
    )
    return twin.contract.operations["send_message"].example(200), 200


async def send_message(
    body: dict[str, Any], twin: Twin, tenant: str, attachment: UploadFile | None = None
) -> Answer:
    """One message to one recipient."""
    return await _queue(twin, tenant, body, [(normalize(body["to"]), body["message"])], attachment)


async def send_message_one_to_n(
    body: dict[str, Any], twin: Twin, tenant: str, attachment: UploadFile | None = None
) -> Answer:
    """The same message to each number of the comma-separated list ``to``."""
    twin.check_recipients(body["to"].count(",") + 1)  # before building the list
    recipients = [normalize(part) for part in body["to"].split(",") if part.strip()]
    items = [(to, body["message"]) for to in recipients]
    return await _queue(twin, tenant, body, items, attachment)


def _n_to_n(twin: Twin, value: Any) -> list[dict[str, str]]:
    """``n_to_n`` as a list: as sent in JSON, or read from a form's JSON text part(s)."""
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    texts = value if isinstance(value, list) else [value]
    parsed = json_items(
        "n_to_n",
        [str(text) for text in texts],
        max_containers=twin.settings.max_recipients + CONTAINER_SLACK,
    )
    error = twin.contract.n_to_n_validator.first_error(parsed)
    if error is not None:
        raise SchemaViolation(f"n_to_n{'' if error.startswith('[') else ': '}{error}")
    return parsed


async def send_message_n_to_n(
    body: dict[str, Any], twin: Twin, tenant: str, attachment: UploadFile | None = None
) -> Answer:
    """Each recipient of ``n_to_n`` with its own message."""
    entries = _n_to_n(twin, body["n_to_n"])
    twin.check_recipients(len(entries))
    items = [(normalize(item["to"]), item["message"]) for item in entries]
    return await _queue(twin, tenant, body, items, attachment)
