"""The cloud's ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI

from app import __version__
from app.cloud.api import account_security, accounts, billing, computers, links, sessions, web
from app.cloud.api import sandbox as sandbox_api
from app.cloud.broker import Broker, LocalBroker
from app.cloud.clock import Clock, OffsetClock, SystemClock
from app.cloud.context import CloudContext, DerivedSecrets
from app.cloud.db.engine import create_engine, create_session_factory
from app.cloud.db.migrate import upgrade_database
from app.cloud.domain.billing import events as billing_events
from app.cloud.domain.billing.plans import catalogue
from app.cloud.domain.billing.renewal import run as run_renewals
from app.cloud.domain.computers import presence
from app.cloud.http_errors import BodySizeLimit, install_error_handlers
from app.cloud.limits import ConnectionCaps, RateLimit
from app.cloud.mail import mailer_from
from app.cloud.payments.disabled import DisabledProvider
from app.cloud.payments.provider import PaymentProvider
from app.cloud.payments.sandbox import SandboxProvider
from app.cloud.portal import install_portal
from app.cloud.redis_broker import RedisBroker
from app.cloud.relay import RelayHub
from app.cloud.security import keys
from app.cloud.security.passwords import PasswordService
from app.cloud.security.sign_in_cache import SignInCache
from app.cloud.security.transport import StrictTransport
from app.cloud.settings import Settings

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    # With the sandbox on, its test clock can be moved through /sandbox/v1/clock.
    clock = clock or (OffsetClock() if settings.sandbox else SystemClock())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = await open_context(settings, clock)
        app.state.context = ctx
        workers = [
            asyncio.create_task(
                _every(ctx.settings.presence_refresh_s, presence.refresh_and_sweep, ctx)
            ),
            asyncio.create_task(_every(ctx.settings.renewal_interval_s, run_renewals, ctx)),
            asyncio.create_task(_every(ctx.settings.key_refresh_s, refresh_keys, ctx)),
            asyncio.create_task(billing_events.run_processor(ctx), name="payment-events"),
        ]
        if ctx.sandbox is not None:
            workers.append(asyncio.create_task(ctx.sandbox.run(), name="sandbox-provider"))
        try:
            yield
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
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
    app.add_middleware(StrictTransport)
    for router in (
        accounts.router,
        account_security.router,
        computers.router,
        links.router,
        billing.router,
        sessions.router,
        web.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    if settings.sandbox:
        app.include_router(sandbox_api.router, prefix="/sandbox/v1")

    install_portal(app)
    return app


async def open_context(settings: Settings, clock: Clock) -> CloudContext:
    """Connect and migrate the database and load the keys: what one cloud process holds."""
    engine = create_engine(settings.database_url)
    await upgrade_database(engine)
    sessions = create_session_factory(engine)
    key_ring = await keys.load_or_create_keys(sessions, clock)
    secrets = derive_secrets(settings, key_ring)
    sandbox: SandboxProvider | None = None
    payments: PaymentProvider
    if settings.payment_provider == "sandbox":
        sandbox = SandboxProvider(
            sessions,
            clock,
            webhook_secret=secrets.webhook,
            card_delay_s=settings.sandbox_card_delay_s,
        )
        payments = sandbox
    elif settings.payment_provider == "disabled":
        payments = DisabledProvider()
    else:
        raise RuntimeError(
            f"unknown payment provider {settings.payment_provider!r}: use 'sandbox' or 'disabled'"
        )
    return CloudContext(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        keys=key_ring,
        passwords=PasswordService(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            threads=settings.hashing_threads,
        ),
        broker=await open_broker(settings),
        secrets=secrets,
        plans=catalogue(settings.plan_prices(), settings.currency),
        payments=payments,
        sandbox=sandbox,
        sign_ins=SignInCache(settings.sign_in_cache_s),
        relay=RelayHub(
            pair_timeout_s=settings.relay_pair_timeout_s,
            idle_s=settings.relay_idle_s,
            max_bytes_per_s=settings.relay_max_bytes_per_s,
            unjoined_ttl_s=settings.relay_unjoined_ttl_s,
        ),
        connections=ConnectionCaps(
            per_address=settings.max_connections_per_address,
            total=settings.max_connections,
        ),
        session_grants=RateLimit(settings.session_grants_per_minute, 60.0),
        mailer=mailer_from(
            settings.mailer_url.get_secret_value(), settings.mail_dir, settings.mail_from
        ),
    )


def derive_secrets(settings: Settings, key_ring: keys.KeyRing) -> DerivedSecrets:
    webhook = (
        settings.payment_webhook_secret.get_secret_value().encode()
        if settings.payment_webhook_secret
        else key_ring.root_secret("payment-webhook")
    )
    return DerivedSecrets(webhook=webhook, idempotency=key_ring.root_secret("idempotency"))


async def refresh_keys(ctx: CloudContext) -> None:
    """Pick up keys another process rotated (agent links pass new ticket keys on)."""
    if await keys.refresh(ctx.sessions, ctx.keys, ctx.clock):
        log.info("cloud keys changed: %s", ", ".join(key.kid for key in ctx.keys.keys))


async def open_broker(settings: Settings) -> Broker:
    if settings.broker_url is None:
        return LocalBroker()
    broker = RedisBroker(settings.broker_url.get_secret_value())
    await broker.start()
    return broker


async def close_context(ctx: CloudContext) -> None:
    await ctx.broker.close()
    ctx.passwords.close()
    await ctx.engine.dispose()


async def _every(
    interval_s: float, job: Callable[[CloudContext], Awaitable[object]], ctx: CloudContext
) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await job(ctx)
        except Exception:
            # A database hiccup must not stop the job; the next round retries.
            log.exception("background job %s failed", getattr(job, "__qualname__", job))
