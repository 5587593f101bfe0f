"""Everything a request handler needs, built once per cloud process by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.cloud.broker import Broker
from app.cloud.clock import Clock
from app.cloud.security.passwords import PasswordService
from app.cloud.security.signing import Signer
from app.cloud.settings import Settings


@dataclass
class CloudContext:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    signer: Signer
    passwords: PasswordService
    broker: Broker
    # computer id → id of the control link this process holds for it.
    local_links: dict[str, str] = field(default_factory=dict)
