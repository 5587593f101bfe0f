"""Run the cloud under uvicorn, on a socket bound before start so port 0 works."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import sys
from collections.abc import Coroutine
from typing import Any

import uvicorn
from fastapi import FastAPI

from app.cloud.app import create_app
from app.cloud.clock import Clock
from app.cloud.domain.computers import presence
from app.cloud.security.slow_clients import with_header_deadline
from app.cloud.settings import Settings

READY_PREFIX = "Porthole cloud ready at "


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI, url: str) -> None:
        super().__init__(config)
        self.app = app
        self.url = url
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            sandbox = self.app.state.context.sandbox
            if sandbox is not None:
                # The sandbox delivers its webhooks to this very process, as a provider would.
                sandbox.webhook_url = f"{self.url}/api/v1/payments/events"
                sandbox.kick()
            # Everything built at start-up (routes, schemas, modules) lives as long as the
            # process: move it out of the collector's way, and collect the young
            # generation less often, so full collections stay short (they stall every
            # request and heartbeat while they run).
            gc.freeze()
            gc.set_threshold(20_000, 20, 20)
            # Scripts and tests wait for this line to learn the address.
            print(f"{READY_PREFIX}{self.url}", flush=True)
            self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Take every computer linked here offline in one statement before the links are
        # cut, instead of one update per closing link racing the shutdown timeout.
        context = getattr(self.app.state, "context", None)
        if context is not None:
            await presence.release_all(context)
        await super().shutdown(sockets=sockets)

    async def serve_until_ready(
        self, sock: socket.socket, timeout_s: float = 60
    ) -> asyncio.Task[None]:
        """Start serving in a task and return it once requests are being accepted."""
        serving = asyncio.create_task(self.serve(sockets=[sock]))
        ready = asyncio.create_task(self.ready.wait())
        await asyncio.wait({serving, ready}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not self.ready.is_set():
            self.should_exit = True
            if serving.done():
                serving.result()
            raise RuntimeError("the cloud did not start")
        return serving


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop where it is installed (it comes with uvicorn[standard]), else asyncio."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it Nagle + delayed ACK add ~40 ms to every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def build_server(settings: Settings, sock: socket.socket, clock: Clock | None = None) -> _Server:
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    app = create_app(settings, clock=clock)
    if (settings.tls_certfile is None) != (settings.tls_keyfile is None):
        raise ValueError("TLS needs both a certificate file and its key file")
    tls = settings.tls_certfile is not None
    config = uvicorn.Config(
        app,
        ssl_certfile=settings.tls_certfile,
        ssl_keyfile=settings.tls_keyfile,
        http=with_header_deadline(settings.header_timeout_s),
        timeout_keep_alive=5,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips or "",
        log_level=settings.log_level,
        ws_max_size=1024 * 1024,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        timeout_graceful_shutdown=5,
        # Control messages are tiny JSON: compression would cost ~45 KB per link for nothing.
        ws_per_message_deflate=False,
        access_log=False,
        lifespan="on",
    )
    scheme = "https" if tls else "http"
    return _Server(config, app, f"{scheme}://{shown_host}:{port}")


def describe_provider(settings: Settings) -> str:
    """What ``cloud serve`` says at start, so nobody runs a test-money cloud unawares."""
    if settings.sandbox:
        operator = "operator token set" if settings.operator_token else "no operator token"
        return (
            "Payment provider: sandbox (TEST MONEY: purchases never charge anyone; "
            f"/sandbox/v1 is on, {operator}). Not for production."
        )
    if settings.payment_provider == "disabled":
        return (
            "Payment provider: disabled (purchases are refused until a provider is "
            "configured; set PORTHOLE_PAYMENT_PROVIDER=sandbox to try payments with test money)."
        )
    return f"Payment provider: {settings.payment_provider}."


def serve(settings: Settings, host: str, port: int) -> int:
    print(describe_provider(settings), file=sys.stderr, flush=True)
    sock = bind(host, port)
    server = build_server(settings, sock)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve(sockets=[sock]))
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(serve(Settings(), "127.0.0.1", 8740))
