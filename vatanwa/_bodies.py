"""Request bodies of the send operations, built as the generated models.

A send without an attachment goes as JSON (the ``...Request`` models); with one it goes as
``multipart/form-data`` (the ``...Form`` models), where ``n_to_n`` is a part holding the JSON
text of the array.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TypeAlias

from vatanwa_client.models import NToNItem
from vatanwa_client.types import File

__all__ = ["Attachment", "AttachmentLike", "NToNLike", "n_to_n_items", "reg_id_number"]

_FALLBACK_TYPE = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to attach to a message: its bytes, its name and its media type.

    The service accepts pdf, doc, docx, ppt, pptx, xls, xlsx, jpeg, jpg and png; the media type
    is guessed from the file name when not given.
    """

    content: bytes
    filename: str
    content_type: str | None = None

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], content_type: str | None = None) -> Attachment:
        """Read the file at ``path`` (its name is sent as the file name)."""
        file = Path(path)
        return cls(file.read_bytes(), file.name, content_type)

    @classmethod
    def from_bytes(
        cls, content: bytes, filename: str, content_type: str | None = None
    ) -> Attachment:
        """Attach ``content`` under ``filename`` (the name tells the service the file's type)."""
        return cls(bytes(content), filename, content_type)

    @property
    def media_type(self) -> str:
        """The declared media type, or the one guessed from the file name."""
        return self.content_type or mimetypes.guess_type(self.filename)[0] or _FALLBACK_TYPE

    def to_file(self) -> File:
        """A fresh generated ``File`` (its stream is read once per request)."""
        return File(
            payload=BytesIO(self.content), file_name=self.filename, mime_type=self.media_type
        )


AttachmentLike: TypeAlias = Attachment | str | os.PathLike[str]
NToNLike: TypeAlias = NToNItem | tuple[str, str] | Mapping[str, str]


def as_attachment(value: AttachmentLike) -> Attachment:
    """An :class:`Attachment`, reading the file when ``value`` is a path."""
    return value if isinstance(value, Attachment) else Attachment.from_path(value)


def n_to_n_items(items: Iterable[NToNLike]) -> list[NToNItem]:
    """The generated items of an ``n_to_n`` list from (to, message) pairs or mappings."""
    result: list[NToNItem] = []
    for item in items:
        if isinstance(item, NToNItem):
            result.append(item)
        elif isinstance(item, Mapping):
            try:
                result.append(NToNItem.from_dict(item))
            except KeyError as exc:
                raise ValueError(f"an n_to_n item needs 'to' and 'message': {item!r}") from exc
        else:
            to, message = item
            result.append(NToNItem(to=to, message=message))
    if not result:
        raise ValueError("n_to_n needs at least one (to, message) item")
    return result


def recipients(to: str | Iterable[str]) -> str:
    """The comma-separated recipient list of ``/messages/send/oneToN``."""
    return to if isinstance(to, str) else ",".join(to)


def reg_id_number(reg_id: str) -> int:
    """A ``reg_id`` as the number a multipart part carries."""
    text = str(reg_id)
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"reg_id must be a string of digits, not {reg_id!r}")
    return int(text)
