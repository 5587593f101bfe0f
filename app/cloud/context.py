"""Everything a request handler needs, built once per cloud process by ``create_app``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.cloud.broker import Broker
from app.cloud.clock import Clock
from app.cloud.domain.billing.plans import Plan
from app.cloud.limits import ConnectionCaps, RateLimit
from app.cloud.mail import Mailer
from app.cloud.payments.provider import PaymentProvider
from app.cloud.payments.sandbox import SandboxProvider
from app.cloud.relay import RelayHub
from app.cloud.security.keys import KeyRing
from app.cloud.security.passwords import PasswordService
from app.cloud.security.sign_in_cache import SignInCache
from app.cloud.settings import Settings


@dataclass(frozen=True)
class DerivedSecrets:
    """Keys derived from the deployment's root key, so none lies in a file."""

    webhook: bytes
    idempotency: bytes


@dataclass
class CloudContext:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    keys: KeyRing
    passwords: PasswordService
    broker: Broker
    secrets: DerivedSecrets
    plans: dict[str, Plan]
    payments: PaymentProvider
    # Set when the built-in sandbox is the provider: its operator surface needs it.
    sandbox: SandboxProvider | None
    relay: RelayHub
    mailer: Mailer
    connections: ConnectionCaps
    session_grants: RateLimit
    # computer id → id of the control link this process holds for it.
    local_links: dict[str, str] = field(default_factory=dict)
    sign_ins: SignInCache = field(default_factory=lambda: SignInCache(ttl_s=0))
    # Set once shutdown began: links closing now are accounted for in bulk.
    stopping: bool = False
    # Set when a provider event was stored, to wake the event processor at once.
    events_waiting: asyncio.Event = field(default_factory=asyncio.Event)
