"""The ``messages`` tag: queue messages from a connected device.

Each recipient becomes one stored message, queued; the dispatcher
(:mod:`vatanwa_mock.dispatcher`) sends it at the pace of ``send_speed``. The three operations
accept JSON and ``multipart/form-data``; in a multipart body the attachment is a file part and
``n_to_n`` is the JSON text of the array.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import UploadFile

from vatanwa_mock.errors import PayloadTooLarge, SchemaViolation, UnsupportedMedia
from vatanwa_mock.handlers import reg_id_text
from vatanwa_mock.numbers import normalize
from vatanwa_mock.twin import NewAttachment, Twin
from vatanwa_mock.validation import CONTAINER_SLACK, decode_json

Answer = tuple[dict[str, Any], int]
#: Content types that say nothing about a file; its extension decides.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


async def _read_attachment(twin: Twin, upload: UploadFile | None) -> NewAttachment | None:
    """Check the attachment against the contract's types and size, and read it."""
    if upload is None:
        return None
    rules = twin.contract.attachments
    accepted = ", ".join(sorted(rules.extensions))
    filename = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
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
    twin.connected_device(tenant, reg_id)  # before reading a file that would be refused anyway
    report_id = body.get("report_id")
    await twin.queue_messages(
        tenant,
        reg_id,
        items,
        send_speed=int(body["send_speed"]),
        report_id=int(report_id) if report_id is not None else None,
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
    """``n_to_n`` as a list: as sent in JSON, or parsed from a multipart part's JSON text."""
    if isinstance(value, list):
        return value
    try:
        parsed = decode_json(
            str(value).encode("utf-8", "surrogatepass"),
            max_containers=twin.settings.max_recipients + CONTAINER_SLACK,
        )
    except PayloadTooLarge:
        raise
    except Exception:
        raise SchemaViolation("n_to_n: is not the JSON text of an array") from None
    error = twin.contract.n_to_n_validator.first_error(parsed)
    if error is not None:
        raise SchemaViolation(f"n_to_n{'' if error.startswith('[') else ': '}{error}")
    return list(parsed)


async def send_message_n_to_n(
    body: dict[str, Any], twin: Twin, tenant: str, attachment: UploadFile | None = None
) -> Answer:
    """Each recipient of ``n_to_n`` with its own message."""
    entries = _n_to_n(twin, body["n_to_n"])
    twin.check_recipients(len(entries))
    items = [(normalize(item["to"]), item["message"]) for item in entries]
    return await _queue(twin, tenant, body, items, attachment)
