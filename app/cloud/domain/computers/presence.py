"""Presence: a computer is online while one control link holds it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.cloud.broker import account_topic
from app.cloud.context import CloudContext
from app.cloud.db.models import Computer
from app.protocol import ComputerPresence, encode_message


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


async def _announce(
    ctx: CloudContext, account_id: str, computer_id: str, online: bool, last_seen: datetime
) -> None:
    await ctx.broker.publish(
        account_topic(account_id),
        encode_message(
            ComputerPresence(computer_id=computer_id, online=online, last_seen=iso(last_seen))
        ),
    )


async def link_opened(
    ctx: CloudContext,
    computer: Computer,
    link_id: str,
    endpoint: str | None = None,
    session_key: str | None = None,
    address: str | None = None,
) -> None:
    """``session_key``: the agent's end-to-end key as it announced it (the agent token
    authenticated the link, so it speaks for the computer); ``address``: where the link
    came from, kept once it closes (Wake-on-LAN compares it)."""
    now = ctx.clock.now()
    values: dict[str, object] = {
        "online": True,
        "link_id": link_id,
        "last_seen": now,
        "direct_url": _direct(endpoint),
        "link_address": address[:100] if address else None,
    }
    if session_key is not None:
        values["session_public_key"] = session_key
    async with ctx.sessions() as session:
        await session.execute(update(Computer).where(Computer.id == computer.id).values(**values))
        await session.commit()
    ctx.local_links[computer.id] = link_id
    await _announce(ctx, computer.account_id, computer.id, True, now)


async def release_all(ctx: CloudContext) -> None:
    """At shutdown: every computer this process holds goes offline at once."""
    held = dict(ctx.local_links)
    ctx.stopping = True
    ctx.local_links.clear()
    if not held:
        return
    now = ctx.clock.now()
    offline: list[tuple[str, str]] = []
    async with ctx.sessions() as session:
        for start in range(0, len(held), 500):
            chunk = dict(list(held.items())[start : start + 500])
            rows = await session.execute(
                update(Computer)
                .where(Computer.id.in_(chunk.keys()), Computer.link_id.in_(chunk.values()))
                .values(online=False, link_id=None, last_seen=now)
                .returning(Computer.account_id, Computer.id)
            )
            offline.extend((account_id, computer_id) for account_id, computer_id in rows)
        await session.commit()
    for account_id, computer_id in offline:
        await _announce(ctx, account_id, computer_id, False, now)


def _direct(endpoint: str | None) -> str | None:
    return endpoint if endpoint and endpoint.startswith(("ws://", "wss://")) else None


async def link_closed(ctx: CloudContext, computer: Computer, link_id: str) -> None:
    """Offline, unless a newer link already took the computer over."""
    if ctx.stopping:
        return  # release_all already did it for every link, in one statement
    if ctx.local_links.get(computer.id) == link_id:
        del ctx.local_links[computer.id]
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        result = await session.execute(
            update(Computer)
            .where(Computer.id == computer.id, Computer.link_id == link_id)
            .values(online=False, link_id=None, last_seen=now, direct_url=None)
        )
        await session.commit()
    if result.rowcount == 1:  # type: ignore[attr-defined]
        await _announce(ctx, computer.account_id, computer.id, False, now)


async def refresh_and_sweep(ctx: CloudContext) -> None:
    """Renew this process's leases and take offline the computers whose link lives in a
    process that stopped renewing (it crashed or lost the database)."""
    now = ctx.clock.now()
    stale_before = now - timedelta(seconds=ctx.settings.presence_lease_s)
    async with ctx.sessions() as session:
        held = list(ctx.local_links.items())
        for start in range(0, len(held), 500):
            chunk = dict(held[start : start + 500])
            await session.execute(
                update(Computer)
                .where(Computer.id.in_(chunk.keys()), Computer.link_id.in_(chunk.values()))
                .values(last_seen=now)
            )
        stale = (
            await session.execute(
                select(Computer.id, Computer.account_id, Computer.link_id).where(
                    Computer.online.is_(True), Computer.last_seen < stale_before
                )
            )
        ).all()
        swept = []
        for computer_id, account_id, link_id in stale:
            result = await session.execute(
                update(Computer)
                .where(Computer.id == computer_id, Computer.link_id == link_id)
                .values(online=False, link_id=None)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                swept.append((account_id, computer_id))
        await session.commit()
    for account_id, computer_id in swept:
        await _announce(ctx, account_id, computer_id, False, now)
