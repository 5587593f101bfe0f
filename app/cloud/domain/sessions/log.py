"""The session log: written when a session is granted, completed from the agent's
reports (started, by which path; declined; ended, and by whom), read by the app and the
portal. An agent can only report on sessions of its own computer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.cloud.broker import account_topic
from app.cloud.context import CloudContext
from app.cloud.db.models import SessionLogEntry
from app.protocol import SessionLogged, SessionReport, encode_message

#: How many entries ``recent`` returns at most.
HISTORY_LIMIT = 100


@dataclass(frozen=True)
class Granted:
    session_id: str
    account_id: str
    computer_id: str
    computer_name: str
    device_name: str
    viewer_address: str
    at: datetime


async def record_grant(ctx: CloudContext, granted: Granted) -> None:
    async with ctx.sessions() as session:
        session.add(
            SessionLogEntry(
                id=granted.session_id,
                account_id=granted.account_id,
                computer_id=granted.computer_id,
                computer_name=granted.computer_name[:200],
                device_name=granted.device_name[:100],
                viewer_address=granted.viewer_address[:100],
                granted_at=granted.at,
            )
        )
        await session.commit()
    await _announce(ctx, granted.account_id, granted.session_id)


async def _announce(ctx: CloudContext, account_id: str, session_id: str) -> None:
    """The account's app and portal refresh their session log live."""
    await ctx.broker.publish(
        account_topic(account_id), encode_message(SessionLogged(session_id=session_id))
    )


async def record_report(ctx: CloudContext, computer_id: str, report: SessionReport) -> None:
    now = ctx.clock.now()
    values: dict[str, object]
    if report.event == "started":
        values = {"started_at": now, "path": report.path}
    else:
        values = {"ended_at": now, "outcome": report.event}
    async with ctx.sessions() as session:
        changed = await session.scalar(
            update(SessionLogEntry)
            .where(
                SessionLogEntry.id == report.session_id,
                SessionLogEntry.computer_id == computer_id,
                # Once ended, a late or replayed report changes nothing.
                SessionLogEntry.ended_at.is_(None),
            )
            .values(**values)
            .returning(SessionLogEntry.account_id)
        )
        await session.commit()
    if changed is not None:
        await _announce(ctx, changed, report.session_id)


async def recent(
    ctx: CloudContext, account_id: str, limit: int = HISTORY_LIMIT
) -> list[SessionLogEntry]:
    async with ctx.sessions() as session:
        rows = await session.scalars(
            select(SessionLogEntry)
            .where(SessionLogEntry.account_id == account_id)
            .order_by(SessionLogEntry.granted_at.desc())
            .limit(min(limit, HISTORY_LIMIT))
        )
        return list(rows)
