"""Routes: accounts and authentication."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from app.cloud.api.deps import Context, CurrentPrincipal, Session, client_address
from app.cloud.api.schemas import (
    AccountCreate,
    AccountOut,
    LogoutRequest,
    RefreshRequest,
    TokenRequest,
    TokenResponse,
)
from app.cloud.db.models import Account
from app.cloud.domain.accounts import security, service, throttle

router = APIRouter(tags=["accounts"])
Address = Annotated[str, Depends(client_address)]


@router.post("/accounts", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
async def create_account(
    body: AccountCreate, ctx: Context, session: Session, address: Address
) -> AccountOut:
    limit = throttle.allowing(ctx.settings.signups_per_hour_per_address, 3600, 60)
    async with throttle.guarded(
        ctx.sessions,
        f"signup:{address}"[:100],
        limit,
        ctx.clock.now(),
        what="new accounts from your address",
        refund=False,
    ):
        account = await service.create_account(ctx, session, body.email, body.password)
    await security.send_verification(ctx, session, account)
    return AccountOut(id=account.id, email=account.email)


@router.post("/auth/token", response_model=TokenResponse)
async def sign_in(
    body: TokenRequest, ctx: Context, session: Session, address: Address
) -> TokenResponse:
    account = await service.authenticate(ctx, session, body.email, body.password, address, body.otp)
    return _tokens(
        await service.start_sign_in(
            ctx, session, account, device_name=body.device_name, address=address
        )
    )


@router.post("/auth/refresh", response_model=TokenResponse)
async def refresh(body: RefreshRequest, ctx: Context, session: Session) -> TokenResponse:
    return _tokens(await service.refresh(ctx, session, body.refresh_token))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    principal: CurrentPrincipal, ctx: Context, session: Session, body: LogoutRequest | None = None
) -> Response:
    await service.sign_out(
        ctx, session, principal, refresh_token=body.refresh_token if body else None
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=AccountOut)
async def me(principal: CurrentPrincipal, session: Session) -> AccountOut:
    account = await session.get(Account, principal.account.id)  # fresh, not the cache's
    assert account is not None
    return AccountOut(
        id=account.id,
        email=account.email,
        email_verified=account.email_verified_at is not None,
        two_factor=account.totp_enabled_at is not None,
    )


def _tokens(issued: service.IssuedTokens) -> TokenResponse:
    return TokenResponse(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
    )
