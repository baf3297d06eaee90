"""Who may use the inspector, and the headers that keep its pages inert.

Browsers send Basic credentials with any request to the origin, also from another site's
page, so every state-changing action refuses a request that says it came from elsewhere
(``Sec-Fetch-Site``, ``Origin``). What a user of the API sent is shown as text only: the
policy allows no inline script or style, and files are never shown as a page of this origin.
"""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request

from vatanwa_mock.twin import Twin

REALM = "vatanwa mock inspector"
#: The pages' policy: only the mock's own scripts, styles and images, never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
#: Uploaded files and other media: downloaded or shown as an image, never run as a document.
MEDIA_HEADERS = {
    "content-security-policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "cross-origin-resource-policy": "same-origin",
}


def basic_tenant(twin: Twin, authorization: str | None) -> str | None:
    """The tenant of HTTP Basic credentials (user = client-id, password = client-secret)."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        return None
    return twin.authenticate(client_id, client_secret)


def cross_origin(request: Request) -> bool:
    """Whether a browser says the request comes from another origin (or an opaque one)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = request.headers.get("host", "")
    return origin != f"{request.url.scheme}://{host}"
