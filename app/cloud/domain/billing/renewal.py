"""The renewal job: charge what is due, expire what ended. Safe to run any number of times,
at once, in several processes: each renewal charge has a unique key per subscription,
period and attempt, so a second run finds nothing left to charge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.db.models import PaymentMethod, Purchase, Subscription
from app.cloud.domain.billing import notify
from app.cloud.domain.billing.events import renewal_failed
from app.cloud.domain.billing.purchases import new_reference
from app.cloud.payments.provider import ChargeRequest

BATCH = 2000


@dataclass
class RenewalReport:
    charged: int = 0
    declined: int = 0
    expired: int = 0
    accounts: set[str] = field(default_factory=set)


def renewal_key(sub_id: str, period_end: datetime, attempt: int) -> str:
    return f"{sub_id}:{period_end.isoformat()}:{attempt}"


async def run(ctx: CloudContext) -> RenewalReport:
    report = RenewalReport()
    now = ctx.clock.now()
    await _expire(ctx, now, report)
    after: tuple[datetime, str] | None = None
    while (after := await _charge_due(ctx, now, report, after)) is not None:
        pass
    for account_id in report.accounts:
        await notify.subscription_changed(ctx, account_id, "changed")
    return report


async def _expire(ctx: CloudContext, now: datetime, report: RenewalReport) -> None:
    """Periods that end with nothing more to charge, and grace periods that ran out."""
    window = timedelta(days=ctx.settings.grace_days)
    ended = or_(
        and_(
            Subscription.status == "active",
            Subscription.kind == "bundled",
            Subscription.current_period_end <= now,
        ),
        and_(
            Subscription.status == "active",
            Subscription.kind == "paid",
            Subscription.auto_renew.is_(False),
            Subscription.current_period_end <= now,
        ),
        # A renewal that never settled within the grace window.
        and_(
            Subscription.status == "active",
            Subscription.kind == "paid",
            Subscription.current_period_end <= now - window,
        ),
        and_(Subscription.status == "grace", Subscription.grace_until <= now),
    )
    async with ctx.sessions() as session:
        accounts = (
            (
                await session.execute(
                    update(Subscription)
                    .where(ended)
                    .values(
                        status="expired",
                        ended_reason="period_ended",
                        version=Subscription.version + 1,
                        updated_at=now,
                    )
                    .returning(Subscription.account_id)
                )
            )
            .scalars()
            .all()
        )
        await session.commit()
    report.expired += len(accounts)
    report.accounts.update(accounts)


async def _charge_due(
    ctx: CloudContext, now: datetime, report: RenewalReport, after: tuple[datetime, str] | None
) -> tuple[datetime, str] | None:
    """Charge one batch of due subscriptions, walking them in (period end, id) order;
    returns where the next batch starts, or None when all were seen."""
    renewing = (
        select(Purchase.id)
        .where(
            Purchase.subscription_id == Subscription.id,
            Purchase.kind == "renewal",
            Purchase.state == "pending",
        )
        .exists()
    )
    due_filter = and_(
        or_(
            and_(Subscription.status == "active", Subscription.current_period_end <= now),
            and_(Subscription.status == "grace", Subscription.next_retry_at <= now),
        ),
        # A renewal already being charged is left alone; the unique key would drop it anyway.
        ~renewing,
    )
    async with ctx.sessions() as session:
        due = (
            await session.execute(
                select(Subscription, PaymentMethod)
                .join(PaymentMethod, PaymentMethod.id == Subscription.payment_method_id)
                .where(due_filter, Subscription.kind == "paid", Subscription.auto_renew.is_(True))
                .where(
                    true()
                    if after is None
                    else or_(
                        Subscription.current_period_end > after[0],
                        and_(
                            Subscription.current_period_end == after[0], Subscription.id > after[1]
                        ),
                    )
                )
                .order_by(Subscription.current_period_end, Subscription.id)
                .limit(BATCH)
            )
        ).all()
        rows: list[dict[str, Any]] = []
        for sub, method in due:
            assert sub.current_period_end is not None and sub.plan_id is not None
            plan = ctx.plans[sub.plan_id]
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "account_id": sub.account_id,
                    "subscription_id": sub.id,
                    "kind": "renewal",
                    "plan_id": plan.id,
                    "channel": "renewal",
                    "amount_cents": plan.price_cents,
                    "currency": plan.currency,
                    "method_type": method.type,
                    "payment_method_id": method.id,
                    "state": "pending",
                    "reference": new_reference(),
                    "renewal_key": renewal_key(sub.id, sub.current_period_end, sub.renewal_attempt),
                    "received_cents": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if not rows:
            return None
        inserted = await _insert_new(ctx, session, rows)
        await session.commit()
    methods = {method.id: method for _, method in due}
    # Rows another run already inserted are skipped: that period is being charged.
    fresh = [row for row in rows if row["id"] in inserted]
    results = await ctx.payments.charge_many(
        [
            ChargeRequest(
                purchase_id=row["id"],
                reference=row["reference"],
                amount_cents=row["amount_cents"],
                currency=row["currency"],
                method_type=methods[row["payment_method_id"]].type,  # type: ignore[arg-type]
                method_ref=methods[row["payment_method_id"]].provider_ref,
                recurring=True,
            )
            for row in fresh
        ]
    )
    accepted = [
        {"id": row["id"], "provider_payment_id": result.provider_payment_id}
        for row, result in zip(fresh, results, strict=True)
        if not result.declined
    ]
    if accepted:
        async with ctx.sessions() as session:
            await session.execute(update(Purchase), accepted)
            await session.commit()
    for row, result in zip(fresh, results, strict=True):
        report.accounts.add(row["account_id"])
        if result.declined:
            report.declined += 1
            await _record_decline(ctx, row, result.provider_payment_id, result.message)
        else:
            report.charged += 1
    last = due[-1][0]
    assert last.current_period_end is not None
    return (last.current_period_end, last.id) if len(due) == BATCH else None


async def _insert_new(
    ctx: CloudContext, session: AsyncSession, rows: list[dict[str, Any]]
) -> set[str]:
    """Insert the renewal purchases whose key is new; the unique index drops the others."""
    insert = pg_insert if ctx.engine.dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, Purchase.__table__)
    # Core, with the rows as parameters: SQLAlchemy batches them ("insertmanyvalues")
    # instead of compiling one giant statement or going through the ORM per row.
    statement = (
        insert(table).on_conflict_do_nothing(index_elements=["renewal_key"]).returning(table.c.id)
    )
    connection = await session.connection()
    result = await connection.execute(statement, rows)
    return set(result.scalars().all())


async def _record_decline(
    ctx: CloudContext, row: dict[str, Any], payment_id: str, message: str | None
) -> None:
    async with ctx.sessions() as session:
        await session.execute(
            update(Purchase)
            .where(Purchase.id == row["id"], Purchase.state == "pending")
            .values(
                provider_payment_id=payment_id,
                state="failed",
                failure_message=message or "The renewal charge was declined.",
            )
        )
        await renewal_failed(ctx, session, row["subscription_id"])
        await session.commit()
