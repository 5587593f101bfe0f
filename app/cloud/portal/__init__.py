"""The web portal: static pages under ``resources/portal``, served by the cloud.

Plain HTML, CSS and JavaScript modules, no build step and nothing fetched from another
host. The pages talk to the same API as the apps (``app/cloud/api``), signed in with
the cookie of ``app/cloud/api/web.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PORTAL_DIR = Path(__file__).resolve().parents[3] / "resources" / "portal"
#: Where the pages' scripts, styles and images are served from.
STATIC_PREFIX = "/portal"
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,255}$")


def content_security_policy(host: str) -> str:
    # No inline script or style, nothing from another host; the event stream is a
    # WebSocket to this same host (spelled out: 'self' does not cover ws: everywhere).
    sockets = f" ws://{host} wss://{host}" if _HOST.match(host) else ""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self'{sockets}",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class PortalHeaders:
    """Security headers on the portal's pages and files (not on the API docs, whose
    page loads Swagger UI from a CDN)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith(STATIC_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", ()):
            if name == b"host":
                host = value.decode("latin-1")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", content_security_policy(host).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    # Revalidate every time: an update must never leave a stale script
                    # beside a new page.
                    (b"cache-control", b"no-cache"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_portal(app: FastAPI) -> None:
    if not (PORTAL_DIR / "index.html").is_file():
        raise RuntimeError(f"the portal's files are missing from {PORTAL_DIR}")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def portal_page(_: Request) -> FileResponse:
        return FileResponse(PORTAL_DIR / "index.html", media_type="text/html; charset=utf-8")

    app.mount(STATIC_PREFIX, StaticFiles(directory=PORTAL_DIR), name="portal")
    app.add_middleware(PortalHeaders)
