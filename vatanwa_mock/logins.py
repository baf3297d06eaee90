"""What a new login looks like: pairing codes, QR payloads and the device that pairs."""

from __future__ import annotations

import base64
import secrets
import string

from vatanwa_mock.store import DeviceInfo

_CODE_ALPHABET = string.ascii_uppercase + string.digits
PLATFORMS = ("android", "iphone")
USER_NAME = "vatanwa mock"


def pairing_code() -> str:
    """A pairing code in the documented ``XXXX-XXXX`` shape (A-Z, 0-9)."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def qr_payload() -> str:
    """A QR payload in WhatsApp's ``2@<ref>,<key>,<key>,<key>`` shape (base64 parts)."""

    def part(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode("ascii")

    return "2@" + ",".join((part(61), part(32), part(32), part(32)))


def random_number() -> str:
    """A plausible Turkish mobile number (digits, no ``+``) for a device paired by QR."""
    return "9053" + "".join(secrets.choice(string.digits) for _ in range(8))


def device_for(
    number: str, platform: str | None = None, user_name: str | None = None
) -> DeviceInfo:
    """The device WhatsApp reports for ``number`` once it is paired."""
    return DeviceInfo(
        device_number=number,
        platform=platform or secrets.choice(PLATFORMS),
        user_name=user_name or USER_NAME,
        j_id=f"{number}:{secrets.randbelow(99) + 1}@s.whatsapp.net",
    )
