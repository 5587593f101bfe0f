"""The cloud's ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from app import __version__
from app.cloud.api import accounts, computers, links
from app.cloud.broker import LocalBroker
from app.cloud.clock import Clock, SystemClock
from app.cloud.context import CloudContext
from app.cloud.db.engine import create_engine, create_session_factory
from app.cloud.db.migrate import upgrade_database
from app.cloud.domain.computers import presence
from app.cloud.http_errors import BodySizeLimit, install_error_handlers
from app.cloud.security.passwords import PasswordService
from app.cloud.security.signing import load_or_create_signer, signer_from_seed
from app.cloud.settings import Settings

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = await open_context(settings, clock)
        app.state.context = ctx
        keeper = asyncio.create_task(_keep_presence(ctx), name="presence-keeper")
        try:
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await close_context(ctx)

    app = FastAPI(
        title="Porthole cloud",
        version=__version__,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for router in (accounts.router, computers.router, links.router):
        app.include_router(router, prefix=API_PREFIX)

    @app.get("/", include_in_schema=False)
    async def home() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><title>Porthole</title><h1>Porthole cloud</h1>"
            f'<p>API: <a href="{API_PREFIX}/docs">{API_PREFIX}/docs</a></p>'
        )

    return app


async def open_context(settings: Settings, clock: Clock) -> CloudContext:
    """Connect and migrate the database and load the keys: what one cloud process holds."""
    engine = create_engine(settings.database_url)
    await upgrade_database(engine)
    sessions = create_session_factory(engine)
    if settings.signing_key is not None:
        signer = signer_from_seed(base64.b64decode(settings.signing_key.get_secret_value()))
    else:
        signer = await load_or_create_signer(sessions, clock)
    return CloudContext(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        signer=signer,
        passwords=PasswordService(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            threads=settings.hashing_threads,
        ),
        broker=LocalBroker(),
    )


async def close_context(ctx: CloudContext) -> None:
    ctx.passwords.close()
    await ctx.engine.dispose()


async def _keep_presence(ctx: CloudContext) -> None:
    while True:
        await asyncio.sleep(ctx.settings.presence_refresh_s)
        try:
            await presence.refresh_and_sweep(ctx)
        except Exception:
            # A database hiccup must not stop the keeper; the next round retries.
            log.exception("presence refresh failed")
