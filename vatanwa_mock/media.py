"""What the mock serves itself: a device's profile picture (a real PNG) and the headers of a
stored attachment's download."""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from urllib.parse import quote

import segno

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: RFC 5987 ``attr-char`` beyond letters, digits and ``_.-~`` (which ``quote`` keeps anyway).
_ATTR_CHARS = "!#$&+^`|"
#: Letters without a decomposition into an ASCII letter and a mark.
_ASCII_LOOKALIKES = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})


@lru_cache(maxsize=256)
def profile_picture(number: str) -> bytes:
    """A PNG for the device ``number``: a QR code of its ``wa.me`` link."""
    buffer = io.BytesIO()
    segno.make(f"https://wa.me/{number}", error="m").save(
        buffer, kind="png", scale=4, dark="#075e54", light="#ffffff"
    )
    return buffer.getvalue()


def _visible(filename: str) -> str:
    # Control characters (LF, NUL, DEL...) have no place in a file name on any system.
    return "".join("_" if unicodedata.category(c) == "Cc" else c for c in filename)


def ascii_filename(filename: str) -> str:
    """A plain-ASCII stand-in for ``filename`` (``fatura_ş.pdf`` -> ``fatura_s.pdf``)."""
    decomposed = unicodedata.normalize("NFKD", _visible(filename).translate(_ASCII_LOOKALIKES))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    # A quoted-string cannot hold '"' or '\\' unescaped, some clients decode '%xx' in it, and
    # naive ones split parameters at every ';'.
    safe = "".join(c if " " <= c <= "~" and c not in '"\\%;' else "_" for c in letters)
    return safe.strip() or "attachment"


def content_disposition(filename: str) -> str:
    """An RFC 6266 ``attachment`` header for ``filename``, whatever characters it holds.

    The ``filename`` parameter is a safe ASCII fallback; ``filename*`` (RFC 5987) carries the
    name itself, percent-encoded UTF-8, so no byte of it can end the header or add a parameter.
    """
    fallback = ascii_filename(filename)
    encoded = quote(_visible(filename) or fallback, safe=_ATTR_CHARS, encoding="utf-8")
    if encoded == fallback:
        return f'attachment; filename="{fallback}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


@lru_cache(maxsize=64)
def qr_code(payload: str, kind: str = "png") -> bytes:
    """The QR code a phone scans to pair a login, from its ``2@...`` payload (PNG or SVG)."""
    buffer = io.BytesIO()
    qr = segno.make(payload, error="l")
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title="WhatsApp QR code")
    else:
        qr.save(buffer, kind="png", scale=4)
    return buffer.getvalue()
