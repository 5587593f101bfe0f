"""Operator commands (``porthole cloud …``) that act on the deployment's database directly,
non-interactively, so scripts and benchmarks can drive them."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from app.cloud.app import close_context, open_context
from app.cloud.clock import SystemClock
from app.cloud.context import CloudContext
from app.cloud.domain.billing import bundles
from app.cloud.domain.billing.renewal import run as run_renewals
from app.cloud.errors import ApiError
from app.cloud.security import keys
from app.cloud.settings import Settings

T = TypeVar("T")


def _with_context(action: Callable[[CloudContext], Awaitable[T]]) -> T:
    async def run() -> T:
        ctx = await open_context(Settings(), SystemClock())
        try:
            return await action(ctx)
        finally:
            await close_context(ctx)

    return asyncio.run(run())


def receive_payment(reference: str, amount_cents: int | None) -> int:
    async def action(ctx: CloudContext) -> int:
        if ctx.sandbox is None:
            print("Payments are marked received by the provider, not here.", file=sys.stderr)
            return 2
        payment = await ctx.sandbox.receive(reference, amount_cents)
        due = payment.amount_cents - payment.received_cents
        state = "paid in full" if due <= 0 else f"{due / 100:.2f} {payment.currency} still missing"
        received = f"{payment.received_cents / 100:.2f} {payment.currency}"
        print(f"{payment.reference}: received {received}, {state}.")
        return 0

    return _report_errors(action)


def issue_bundles(months: int, count: int) -> int:
    async def action(ctx: CloudContext) -> int:
        for code in await bundles.issue(ctx, months, count):
            print(code)
        return 0

    return _report_errors(action)


def renew() -> int:
    async def action(ctx: CloudContext) -> int:
        report = await run_renewals(ctx)
        print(f"charged {report.charged}, declined {report.declined}, expired {report.expired}")
        return 0

    return _report_errors(action)


def list_keys() -> int:
    async def action(ctx: CloudContext) -> int:
        print(_key_table(ctx.keys.keys, ctx.clock.now()))
        return 0

    return _report_errors(action)


def rotate_keys(purposes: list[str], *, revoke: bool) -> int:
    async def action(ctx: CloudContext) -> int:
        async with ctx.sessions() as session:
            try:
                made = await keys.rotate(
                    session,
                    purposes=purposes or keys.ROTATED_PURPOSES,
                    now=ctx.clock.now(),
                    publish_s=ctx.settings.key_publish_s,
                    lifetimes_s=keys.lifetimes(ctx.settings),
                    revoke=revoke,
                )
            except keys.KeyRotationConflict as exc:
                print(str(exc), file=sys.stderr)
                return 1
        for key in made:
            print(f"{key.kid}: signs from {_when(key.signs_from)}")
        if revoke:
            print("The keys they replace no longer verify: everyone signs in again.")
        else:
            print("The keys they replace verify until what they signed has expired.")
        return 0

    return _report_errors(action)


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _key_table(held: Sequence[keys.Key], now: datetime) -> str:
    rows = [("purpose", "key id", "state", "signs from", "verifies until")]
    rows += [
        (key.purpose, key.kid, key.state_at(now), _when(key.signs_from), _when(key.verifies_until))
        for key in held
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _report_errors(action: Callable[[CloudContext], Awaitable[int]]) -> int:
    try:
        return _with_context(action)
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        return 1
