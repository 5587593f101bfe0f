"""Computers: enrolment, listing, rename, removal. Another account's computer is always
"not found", never "forbidden", so nothing about it leaks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.broker import account_topic, computer_topic
from app.cloud.context import CloudContext
from app.cloud.db.models import Computer, EnrollmentCode
from app.cloud.errors import Conflict, NotFound, Unauthorized
from app.cloud.security.secrets import (
    digest,
    new_enrollment_code,
    new_token,
    normalise_enrollment_code,
)
from app.protocol import ComputerAdded, ComputerRemoved, ComputerRenamed, encode_message

COMPUTER_NOT_FOUND = "No such computer in this account."


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Enrolment:
    computer: Computer
    agent_token: str


async def create_enrollment_code(
    ctx: CloudContext, session: AsyncSession, account_id: str
) -> IssuedCode:
    now = ctx.clock.now()
    code = new_enrollment_code()
    expires_at = now + timedelta(seconds=ctx.settings.enrollment_code_ttl_s)
    session.add(
        EnrollmentCode(
            code_hash=digest(code), account_id=account_id, created_at=now, expires_at=expires_at
        )
    )
    await session.commit()
    return IssuedCode(code=code, expires_at=expires_at)


async def redeem_enrollment_code(ctx: CloudContext, session: AsyncSession, code: str) -> str:
    """The account the code enrols into; the code is spent even if enrolment fails later."""
    now = ctx.clock.now()
    code_hash = digest(normalise_enrollment_code(code))
    stored = await session.get(EnrollmentCode, code_hash)
    refused = Unauthorized(
        "This enrolment code is not valid, was already used or has expired. "
        "Make a new one in the app or the portal.",
        code="invalid_enrollment_code",
    )
    if stored is None or stored.expires_at <= now:
        raise refused
    claimed = await session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise refused
    return stored.account_id


async def enroll(
    ctx: CloudContext,
    session: AsyncSession,
    account_id: str,
    *,
    name: str,
    os: str,
    screens: list[dict[str, Any]],
    session_public_key: str | None = None,
) -> Enrolment:
    token = new_token("pat")
    computer = Computer(
        id=str(uuid.uuid4()),
        account_id=account_id,
        name=name,
        os=os,
        screens=screens,
        agent_token_hash=digest(token),
        session_public_key=session_public_key,
        created_at=ctx.clock.now(),
        online=False,
    )
    session.add(computer)
    await session.commit()
    # Counted after the insert, so two enrolments racing for the last place cannot both
    # stay: whoever sees too many backs out.
    limit = ctx.settings.computers_per_subscription
    if await _count(session, account_id) > limit:
        await session.execute(delete(Computer).where(Computer.id == computer.id))
        await session.commit()
        raise Conflict(
            f"One subscription covers up to {limit} computers. "
            "Remove a computer from the list to enrol this one.",
            code="computer_limit",
        )
    await ctx.broker.publish(
        account_topic(account_id),
        encode_message(ComputerAdded(computer_id=computer.id, name=name, os=os, online=False)),
    )
    return Enrolment(computer=computer, agent_token=token)


async def _count(session: AsyncSession, account_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Computer).where(Computer.account_id == account_id)
        )
        or 0
    )


async def list_computers(session: AsyncSession, account_id: str) -> list[Computer]:
    rows = await session.scalars(
        select(Computer)
        .where(Computer.account_id == account_id)
        .order_by(Computer.name, Computer.id)
    )
    return list(rows)


async def get_owned(session: AsyncSession, account_id: str, computer_id: str) -> Computer:
    computer = await session.get(Computer, computer_id)
    if computer is None or computer.account_id != account_id:
        raise NotFound(COMPUTER_NOT_FOUND, code="computer_not_found")
    return computer


async def rename(
    ctx: CloudContext, session: AsyncSession, account_id: str, computer_id: str, name: str
) -> Computer:
    computer = await get_owned(session, account_id, computer_id)
    computer.name = name
    await session.commit()
    await ctx.broker.publish(
        account_topic(account_id),
        encode_message(ComputerRenamed(computer_id=computer.id, name=name)),
    )
    return computer


async def remove(
    ctx: CloudContext, session: AsyncSession, account_id: str, computer_id: str
) -> None:
    computer = await get_owned(session, account_id, computer_id)
    await session.execute(delete(Computer).where(Computer.id == computer.id))
    await session.commit()
    # The token is gone with the row; the live link is told to close at once.
    await ctx.broker.publish(computer_topic(computer_id), '{"kind":"removed"}')
    await ctx.broker.publish(
        account_topic(account_id), encode_message(ComputerRemoved(computer_id=computer_id))
    )


async def computer_for_agent_token(session: AsyncSession, token: str) -> Computer | None:
    return await session.scalar(select(Computer).where(Computer.agent_token_hash == digest(token)))
