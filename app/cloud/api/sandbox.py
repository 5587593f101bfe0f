"""``/sandbox/v1``: what a payment provider's dashboard and a test clock would offer.
Mounted only while the sandbox provider is on (never by default), and every call needs
the operator token (``X-Porthole-Operator``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from app.cloud.api.deps import Context, require_operator
from app.cloud.api.schemas import StrictBody
from app.cloud.clock import OffsetClock
from app.cloud.domain.billing import bundles
from app.cloud.domain.billing.renewal import run as run_renewals
from app.cloud.errors import Conflict

# Every route here is the operator's (a provider's dashboard), never a customer's.
router = APIRouter(tags=["sandbox"], dependencies=[Depends(require_operator)])


class Receive(StrictBody):
    amount_cents: Annotated[int | None, Field(gt=0, le=10_000_000)] = None


class Advance(StrictBody):
    seconds: Annotated[float, Field(gt=0, le=10 * 366 * 24 * 3600)]


class BundleIssue(StrictBody):
    months: Annotated[int, Field(ge=1, le=120)]
    count: Annotated[int, Field(ge=1, le=1000)] = 1


@router.post("/payments/{reference}/receive")
async def receive(reference: str, body: Receive, ctx: Context) -> dict[str, Any]:
    assert ctx.sandbox is not None
    payment = await ctx.sandbox.receive(reference, body.amount_cents)
    return {
        "reference": payment.reference,
        "status": payment.status,
        "amount_cents": payment.amount_cents,
        "received_cents": payment.received_cents,
    }


@router.post("/purchases/{purchase_id}/refund")
async def refund(purchase_id: str, ctx: Context) -> dict[str, Any]:
    assert ctx.sandbox is not None
    await ctx.sandbox.refund(f"sbx_pay_{purchase_id}")
    return {"refund_requested": purchase_id}


@router.post("/clock/advance")
async def advance_clock(body: Advance, ctx: Context) -> dict[str, Any]:
    if not isinstance(ctx.clock, OffsetClock):
        raise Conflict("This cloud's clock cannot be moved.", code="clock_fixed")
    ctx.clock.advance(timedelta(seconds=body.seconds))
    assert ctx.sandbox is not None
    ctx.sandbox.kick()
    return {"now": ctx.clock.now().isoformat()}


@router.post("/renewals/run")
async def renewals(ctx: Context) -> dict[str, Any]:
    report = await run_renewals(ctx)
    return {"charged": report.charged, "declined": report.declined, "expired": report.expired}


@router.post("/bundles")
async def issue_bundles(body: BundleIssue, ctx: Context) -> dict[str, Any]:
    return {"codes": await bundles.issue(ctx, body.months, body.count)}
