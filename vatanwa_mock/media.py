"""Images the mock serves itself: a device's profile picture is a real PNG."""

from __future__ import annotations

import io
from functools import lru_cache

import segno

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@lru_cache(maxsize=256)
def profile_picture(number: str) -> bytes:
    """A PNG for the device ``number``: a QR code of its ``wa.me`` link."""
    buffer = io.BytesIO()
    segno.make(f"https://wa.me/{number}", error="m").save(
        buffer, kind="png", scale=4, dark="#075e54", light="#ffffff"
    )
    return buffer.getvalue()
