"""Routes: account security (change password, sign out everywhere, signed-in devices,
password reset and email verification by mailed link, two-factor, deleting the account)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from app.cloud.api.deps import Context, CurrentPrincipal, Session, client_address
from app.cloud.api.schemas import Password, StrictBody
from app.cloud.db.models import Account
from app.cloud.domain.accounts import security, throttle, two_factor
from app.cloud.domain.accounts.service import Principal, authenticate

router = APIRouter(tags=["account security"])
Address = Annotated[str, Depends(client_address)]
Otp = Annotated[str | None, Field(max_length=40)]


class PasswordChange(StrictBody):
    current_password: Annotated[str, Field(max_length=1024)]
    new_password: Password
    otp: Otp = None


class SignedOut(BaseModel):
    #: How many sign-ins (devices) were ended.
    signed_out: int


class SignInOut(BaseModel):
    id: str
    device_name: str | None
    address: str | None
    created_at: datetime
    last_used_at: datetime | None
    #: The sign-in making this call.
    current: bool


class ResetRequest(StrictBody):
    email: Annotated[str, Field(max_length=320)]


class ResetConfirm(StrictBody):
    token: Annotated[str, Field(min_length=10, max_length=200)]
    new_password: Password


class LinkToken(StrictBody):
    token: Annotated[str, Field(min_length=10, max_length=200)]


class TwoFactorSetup(BaseModel):
    secret: str
    otpauth_uri: str
    #: The URI as a QR code to scan (an SVG data URI; ``qr_png`` for apps).
    qr_svg: str


class TwoFactorCode(StrictBody):
    code: Annotated[str, Field(min_length=6, max_length=10)]


class RecoveryCodes(BaseModel):
    #: Shown once; each signs in once in place of a code.
    recovery_codes: list[str]


class Confirmation(StrictBody):
    password: Annotated[str, Field(max_length=1024)]
    otp: Otp = None


async def _confirm(
    ctx: Context,
    session: Session,
    principal: Principal,
    address: str,
    password: str,
    otp: str | None,
) -> None:
    """The password again (and the code, with two-factor on), throttled like a sign-in:
    a stolen access token alone cannot change the account."""
    await authenticate(ctx, session, principal.account.email, password, address, otp)


@router.post("/me/password", response_model=SignedOut)
async def change_password(
    body: PasswordChange,
    principal: CurrentPrincipal,
    ctx: Context,
    session: Session,
    address: Address,
) -> SignedOut:
    await _confirm(ctx, session, principal, address, body.current_password, body.otp)
    ended = await security.change_password(ctx, session, principal, body.new_password)
    return SignedOut(signed_out=ended)


@router.post("/auth/logout-everywhere", response_model=SignedOut)
async def sign_out_everywhere(
    principal: CurrentPrincipal, ctx: Context, session: Session
) -> SignedOut:
    return SignedOut(
        signed_out=await security.sign_out_everywhere(ctx, session, principal.account.id)
    )


@router.get("/me/sign-ins", response_model=list[SignInOut])
async def signed_in_devices(principal: CurrentPrincipal, session: Session) -> list[SignInOut]:
    return [
        SignInOut(
            id=row.id,
            device_name=row.device_name,
            address=row.address,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            current=row.id == principal.sign_in_id,
        )
        for row in await security.signed_in_devices(session, principal.account.id)
    ]


@router.delete("/me/sign-ins/{sign_in_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_device(
    sign_in_id: str, principal: CurrentPrincipal, ctx: Context, session: Session
) -> Response:
    await security.revoke_device(ctx, session, principal.account.id, sign_in_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def password_reset(
    body: ResetRequest, ctx: Context, session: Session, address: Address
) -> dict[str, str]:
    """Always the same answer: whether the email has an account stays unknown."""
    now = ctx.clock.now()
    email = body.email.strip().lower()
    async with (
        throttle.guarded(
            ctx.sessions,
            f"reset:{address}"[:100],
            throttle.allowing(10, 3600, 60),
            now,
            what="password reset requests",
            refund=False,
        ),
        throttle.guarded(
            ctx.sessions,
            throttle.reset_key(email),
            throttle.allowing(3, 3600, 300),
            now,
            what="password reset requests for this address",
            refund=False,
        ),
    ):
        await security.send_password_reset(ctx, session, email)
    return {"message": "If an account has this email, a link to reset its password is on its way."}


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def password_reset_confirm(body: ResetConfirm, ctx: Context, session: Session) -> Response:
    await security.reset_password(ctx, session, body.token, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/verify-email", status_code=status.HTTP_204_NO_CONTENT)
async def verify_email(body: LinkToken, ctx: Context, session: Session) -> Response:
    await security.verify_email(ctx, session, body.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/email-verification", status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(
    principal: CurrentPrincipal, ctx: Context, session: Session
) -> dict[str, str]:
    async with throttle.guarded(
        ctx.sessions,
        f"verify:{principal.account.id}",
        throttle.allowing(5, 3600, 300),
        ctx.clock.now(),
        what="verification mails",
        refund=False,
    ):
        await security.send_verification(ctx, session, principal.account)
    return {"message": "A link to confirm your email is on its way."}


@router.post("/me/two-factor", response_model=TwoFactorSetup)
async def start_two_factor(principal: CurrentPrincipal, session: Session) -> TwoFactorSetup:
    setup = await two_factor.start_totp(session, principal.account)
    return TwoFactorSetup(
        secret=setup.secret,
        otpauth_uri=setup.uri,
        qr_svg=segno.make(setup.uri, error="m").svg_data_uri(scale=5, border=2),
    )


@router.get("/me/two-factor/qr.png")
async def two_factor_qr(principal: CurrentPrincipal, session: Session) -> Response:
    """The set-up QR code as a PNG (the app draws it); after ``POST /me/two-factor``."""
    account = await session.get(Account, principal.account.id)  # fresh: set up just now
    if account is None or account.totp_secret is None or account.totp_enabled_at is not None:
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    uri = two_factor.provisioning_uri(account)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=6, border=2)
    return Response(
        buffer.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"}
    )


@router.post("/me/two-factor/confirm", response_model=RecoveryCodes)
async def confirm_two_factor(
    body: TwoFactorCode, principal: CurrentPrincipal, ctx: Context, session: Session
) -> RecoveryCodes:
    codes = await two_factor.confirm_totp(ctx, session, principal.account.id, body.code)
    return RecoveryCodes(recovery_codes=codes)


@router.delete("/me/two-factor", status_code=status.HTTP_204_NO_CONTENT)
async def disable_two_factor(
    body: Confirmation,
    principal: CurrentPrincipal,
    ctx: Context,
    session: Session,
    address: Address,
) -> Response:
    await _confirm(ctx, session, principal, address, body.password, body.otp)
    await two_factor.disable_totp(session, principal.account.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(
    body: Confirmation,
    principal: CurrentPrincipal,
    ctx: Context,
    session: Session,
    address: Address,
) -> Response:
    await _confirm(ctx, session, principal, address, body.password, body.otp)
    await security.delete_account(ctx, session, principal.account)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
