"""Routes: plans, purchases, the subscription, bundles and the provider's webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from app.cloud.api.deps import Context, CurrentPrincipal
from app.cloud.api.schemas import (
    AutoRenewUpdate,
    BundleRedeem,
    PaymentMethodUpdate,
    PlanOut,
    PurchaseCreate,
)
from app.cloud.domain.accounts import throttle
from app.cloud.domain.billing import bundles, purchases, status
from app.cloud.domain.billing import events as billing_events
from app.cloud.domain.billing.plans import plans_for
from app.cloud.errors import BadRequest

router = APIRouter(tags=["billing"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


@router.get("/plans", response_model=list[PlanOut])
async def list_plans(
    ctx: Context, channel: Annotated[str, Query(pattern="^(app|web)$")] = "app"
) -> list[PlanOut]:
    return [
        PlanOut(
            id=plan.id, months=plan.months, price_cents=plan.price_cents, currency=plan.currency
        )
        for plan in plans_for(ctx.plans, channel)
    ]


@router.post("/purchases", status_code=201)
async def buy(
    body: PurchaseCreate,
    principal: CurrentPrincipal,
    ctx: Context,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    if not idempotency_key or not idempotency_key.strip():
        raise BadRequest(
            "An Idempotency-Key header is required, so a repeated click never charges twice.",
            code="idempotency_key_required",
        )
    response = await purchases.buy(
        ctx, principal.account.id, idempotency_key.strip(), body.model_dump()
    )
    return JSONResponse(response.body, status_code=response.status)


@router.get("/purchases")
async def purchase_history(principal: CurrentPrincipal, ctx: Context) -> list[dict[str, Any]]:
    return await purchases.history(ctx, principal.account.id)


@router.get("/purchases/{purchase_id}")
async def one_purchase(
    purchase_id: str, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await purchases.one(ctx, principal.account.id, purchase_id)


@router.get("/subscription")
async def subscription(principal: CurrentPrincipal, ctx: Context) -> dict[str, Any]:
    return await status.describe(ctx, principal.account.id)


@router.put("/subscription/auto-renew")
async def auto_renew(
    body: AutoRenewUpdate, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await status.set_auto_renew(ctx, principal.account.id, body.enabled)


@router.put("/subscription/payment-method")
async def payment_method(
    body: PaymentMethodUpdate, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    return await status.replace_payment_method(
        ctx, principal.account.id, body.payment_method.model_dump()
    )


@router.post("/bundles/redeem")
async def redeem_bundle(
    body: BundleRedeem, principal: CurrentPrincipal, ctx: Context
) -> dict[str, Any]:
    async with throttle.guarded(
        ctx.sessions,
        f"bundle:{principal.account.id}",
        throttle.policy(ctx.settings.code_free_failures, ctx.settings.throttle_window_s, 30),
        ctx.clock.now(),
        what="wrong codes",
        refund=True,
    ):
        await bundles.redeem(ctx, principal.account.id, body.code)
    return await status.describe(ctx, principal.account.id)


@router.post("/payments/events", include_in_schema=True)
async def provider_event(
    request: Request, ctx: Context, stripe_signature: Annotated[str | None, Header()] = None
) -> Response:
    raw = await request.body()  # the signature covers the exact bytes, so never re-encode
    if await billing_events.record(ctx, raw, stripe_signature):
        # Stored: answer the provider now; the event processor applies it right after.
        ctx.events_waiting.set()
    return JSONResponse({"received": True})
