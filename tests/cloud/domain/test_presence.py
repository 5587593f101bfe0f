"""Presence bookkeeping across cloud processes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cloud.broker import account_topic
from app.cloud.clock import OffsetClock
from app.cloud.context import CloudContext
from app.cloud.db.models import Account, Computer
from app.cloud.domain.computers import presence
from app.cloud.domain.computers.service import enroll
from app.protocol import ComputerPresence, decode_message


async def _computer(ctx: CloudContext) -> Computer:
    async with ctx.sessions() as session:
        session.add(
            Account(
                id="acc-1", email="a@example.com", password_hash="-", created_at=ctx.clock.now()
            )
        )
        await session.commit()
        return (await enroll(ctx, session, "acc-1", name="PC", os="Linux", screens=[])).computer


async def _online(ctx: CloudContext, computer_id: str) -> bool:
    async with ctx.sessions() as session:
        return bool(await session.scalar(select(Computer.online).where(Computer.id == computer_id)))


async def test_links_of_a_crashed_process_are_swept_offline(
    cloud_context: CloudContext, clock: OffsetClock
) -> None:
    ctx = cloud_context
    computer = await _computer(ctx)
    # Another process opened the link, then died without a word.
    await presence.link_opened(ctx, computer, "link-of-a-dead-process")
    ctx.local_links.clear()
    events = await ctx.broker.subscribe(account_topic("acc-1"))

    await presence.refresh_and_sweep(ctx)
    assert await _online(ctx, computer.id), "still within its lease"

    clock.advance(timedelta(seconds=ctx.settings.presence_lease_s + 1))
    await presence.refresh_and_sweep(ctx)
    assert not await _online(ctx, computer.id)
    event = decode_message(await events.get() or "")
    assert isinstance(event, ComputerPresence) and not event.online


async def test_live_links_keep_their_lease(cloud_context: CloudContext, clock: OffsetClock) -> None:
    ctx = cloud_context
    computer = await _computer(ctx)
    await presence.link_opened(ctx, computer, "link-here")
    for _ in range(3):
        clock.advance(timedelta(seconds=ctx.settings.presence_refresh_s))
        await presence.refresh_and_sweep(ctx)
    assert await _online(ctx, computer.id)


async def test_a_late_close_of_an_old_link_keeps_the_new_one_online(
    cloud_context: CloudContext,
) -> None:
    ctx = cloud_context
    computer = await _computer(ctx)
    await presence.link_opened(ctx, computer, "old")
    await presence.link_opened(ctx, computer, "new")
    await presence.link_closed(ctx, computer, "old")
    assert await _online(ctx, computer.id)
    await presence.link_closed(ctx, computer, "new")
    assert not await _online(ctx, computer.id)
