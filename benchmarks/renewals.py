"""Renewal job time for N subscriptions due on one day (goal: 100,000 in < 60 s on
PostgreSQL). Seeds accounts, payment methods and active monthly subscriptions in bulk,
moves the clock past their period end, and times one run of the real renewal job, then a
second run (which must find nothing left to charge).

    scripts/bench-renewals [--database sqlite|postgres] [--subscriptions N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from app.cloud.app import close_context, open_context
from app.cloud.clock import ManualClock
from app.cloud.db.models import Account, PaymentMethod, Purchase, Subscription
from app.cloud.domain.billing.periods import add_months
from app.cloud.domain.billing.renewal import run as run_renewals
from app.cloud.settings import Settings

BATCH = 5000


async def seed(settings: Settings, count: int, anchor: datetime) -> None:
    ctx = await open_context(settings, ManualClock(anchor))
    try:
        for start in range(0, count, BATCH):
            accounts, methods, subs = [], [], []
            for _ in range(start, min(start + BATCH, count)):
                account_id, method_id = str(uuid.uuid4()), str(uuid.uuid4())
                accounts.append(
                    {
                        "id": account_id,
                        "email": f"{account_id}@bench.example",
                        "password_hash": "-",
                        "created_at": anchor,
                    }
                )
                methods.append(
                    {
                        "id": method_id,
                        "account_id": account_id,
                        "type": "card",
                        "label": "Visa •••• 4242",
                        "provider_ref": f"sbx_card_ok_4242_{method_id[:12]}",
                        "created_at": anchor,
                    }
                )
                subs.append(
                    {
                        "id": str(uuid.uuid4()),
                        "account_id": account_id,
                        "kind": "paid",
                        "status": "active",
                        "plan_id": "month-1",
                        "anchor": anchor,
                        "months_paid": 1,
                        "current_period_end": add_months(anchor, 1),
                        "auto_renew": True,
                        "payment_method_id": method_id,
                        "renewal_attempt": 0,
                        "version": 0,
                        "created_at": anchor,
                        "updated_at": anchor,
                    }
                )
            async with ctx.sessions() as session:
                await session.execute(insert(Account), accounts)
                await session.execute(insert(PaymentMethod), methods)
                await session.execute(insert(Subscription), subs)
                await session.commit()
    finally:
        await close_context(ctx)


async def measure(settings: Settings, count: int) -> list[tuple[str, str, str, str]]:
    anchor = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    seeded_at = time.perf_counter()
    await seed(settings, count, anchor)
    seed_s = time.perf_counter() - seeded_at
    due_day = add_months(anchor, 1) + timedelta(hours=1)
    ctx = await open_context(settings, ManualClock(due_day))
    try:
        started = time.perf_counter()
        first = await run_renewals(ctx)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = await run_renewals(ctx)
        second_s = time.perf_counter() - started
        async with ctx.sessions() as session:
            renewals = await session.scalar(
                select(func.count()).select_from(Purchase).where(Purchase.kind == "renewal")
            )
    finally:
        await close_context(ctx)
    goal_met = "yes" if first_s < 60 and first.charged == count else "no"
    return [
        ("subscriptions seeded", f"{count:,} in {seed_s:.1f} s", "", ""),
        (
            "renewal job, first run",
            f"{first_s:.1f} s, {first.charged:,} charged",
            "< 60 s, all charged",
            goal_met,
        ),
        (
            "renewal job, second run",
            f"{second_s:.1f} s, {second.charged:,} charged",
            "0 charged",
            "yes" if second.charged == 0 else "no",
        ),
        (
            "renewal purchases in the database",
            f"{renewals:,}",
            f"{count:,}",
            "yes" if renewals == count else "no",
        ),
    ]


def print_table(
    title: str,
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = ("metric", "result", "goal", "met?"),
) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--subscriptions", type=int, default=100_000)
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory(prefix="porthole-bench-") as tmp:
        if args.database == "postgres":
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.support.postgres import start_postgres

            server = start_postgres()
            server.psql("CREATE DATABASE bench")
            url = server.url("bench")
        else:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        try:
            settings = Settings(database_url=url, log_level="warning", payment_provider="sandbox")
            rows = asyncio.run(measure(settings, args.subscriptions))
        finally:
            if server is not None:
                server.stop()
    print_table(
        f"Renewal job ({args.database}, {args.subscriptions:,} subscriptions due the same day)",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
