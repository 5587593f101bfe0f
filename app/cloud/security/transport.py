"""HTTP Strict Transport Security: once a browser has reached the cloud over HTTPS, it
never tries plain HTTP for it again (no downgrade by someone on the network)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: A year, subdomains too: the cloud's name is for the cloud only.
HSTS = b"max-age=31536000; includeSubDomains"


class StrictTransport:
    """Adds ``Strict-Transport-Security`` to every answer given over HTTPS (directly, or
    behind a trusted proxy that said ``X-Forwarded-Proto: https``); never over HTTP,
    where browsers ignore it anyway."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"strict-transport-security", HSTS),
                ]
            await send(message)

        await self.app(scope, receive, with_hsts)
