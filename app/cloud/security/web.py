"""What keeps the portal's cookie safe to use from a browser.

The session cookie is HttpOnly (scripts never see it), SameSite=Strict (other sites'
pages do not send it) and Secure on HTTPS. On top of that, every state-changing request
authenticated by the cookie must carry a CSRF proof in a header, which another site can
neither read nor forge: an HMAC of the sign-in id under the deployment's CSRF key
(shared through the database, rotated like the others), so every cloud process computes
the same proof and none is stored. Requests must also come from our own origin when the
browser says where from.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import HTTPConnection

from app.cloud.errors import Forbidden
from app.cloud.security.keys import KeyRing

SESSION_COOKIE = "porthole_session"
CSRF_HEADER = "X-CSRF-Token"
#: The cookie is only sent to the API, never with page or static-file requests.
COOKIE_PATH = "/api/v1/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_proof(keys: KeyRing, sign_in_id: str, now: datetime) -> str:
    return keys.csrf_proof(f"csrf:{sign_in_id}", now)


def check_csrf(keys: KeyRing, sign_in_id: str, presented: str | None, now: datetime) -> None:
    # Any CSRF key that still verifies will do: a page opened before a rotation keeps
    # its proof until the session it belongs to ends.
    if not presented or not keys.csrf_matches(f"csrf:{sign_in_id}", presented, now):
        raise Forbidden(
            "This request is missing its CSRF proof. Reload the page and try again.",
            code="csrf_failed",
        )


def is_https(connection: HTTPConnection, public_url: str) -> bool:
    # Behind a TLS-terminating proxy the request itself is plain HTTP: the public URL
    # says what the browser sees.
    return connection.url.scheme in ("https", "wss") or public_url.startswith("https://")


def check_same_origin(connection: HTTPConnection, public_url: str) -> None:
    """Refuse a browser request that says it comes from another site.

    Browsers send ``Origin`` with every cross-origin request and with same-origin POSTs;
    a request with none is not a browser's cross-site one, and the cookie's SameSite and
    the CSRF proof still apply."""
    origin = connection.headers.get("origin")
    if origin is None:
        return
    host = connection.headers.get("host", "")
    allowed = {f"http://{host}", f"https://{host}", public_url.rstrip("/")}
    if origin not in allowed:
        raise Forbidden("Requests from another site are not accepted.", code="cross_origin_refused")
