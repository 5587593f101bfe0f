"""Account security: change the password (every other sign-in ends), sign out everywhere,
the signed-in devices and revoking one, password reset and email verification by mailed
single-use links, and deleting the account (two-factor: ``two_factor``).

Links and recovery codes are stored hashed (SHA-256: they are high-entropy), good once
(a conditional update is the arbiter), and expire."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.db.models import Account, AccountLink, Computer, RecoveryCode, SignIn
from app.cloud.domain.accounts.service import Principal, normalise_email, revoke_sign_ins
from app.cloud.domain.billing.status import set_auto_renew
from app.cloud.domain.computers.service import remove as remove_computer
from app.cloud.errors import ApiError, BadRequest, NotFound
from app.cloud.security.secrets import digest, new_token

# -- passwords and sign-ins -------------------------------------------------------------


async def change_password(
    ctx: CloudContext, session: AsyncSession, principal: Principal, new_password: str
) -> int:
    """The new password; every other sign-in of the account ends. How many ended."""
    account = principal.account
    await session.execute(
        update(Account)
        .where(Account.id == account.id)
        .values(password_hash=await ctx.passwords.hash(new_password))
    )
    ended = await revoke_sign_ins(
        ctx, session, account.id, "password_changed", keep=principal.sign_in_id
    )
    await session.commit()
    return ended


async def sign_out_everywhere(ctx: CloudContext, session: AsyncSession, account_id: str) -> int:
    ended = await revoke_sign_ins(ctx, session, account_id, "signed_out_everywhere")
    await session.commit()
    return ended


async def signed_in_devices(session: AsyncSession, account_id: str) -> list[SignIn]:
    rows = await session.scalars(
        select(SignIn)
        .where(SignIn.account_id == account_id, SignIn.revoked_at.is_(None))
        .order_by(SignIn.created_at.desc())
        .limit(200)
    )
    return list(rows)


async def revoke_device(
    ctx: CloudContext, session: AsyncSession, account_id: str, sign_in_id: str
) -> None:
    row = await session.get(SignIn, sign_in_id)
    if row is None or row.account_id != account_id or row.revoked_at is not None:
        raise NotFound("No such signed-in device.", code="no_such_sign_in")
    await revoke_sign_ins(ctx, session, account_id, "revoked", only=sign_in_id)
    await session.commit()


# -- mailed links: password reset and email verification --------------------------------


async def _new_link(
    ctx: CloudContext, session: AsyncSession, account_id: str, purpose: str, ttl_s: int
) -> str:
    token = new_token("prl")
    now = ctx.clock.now()
    session.add(
        AccountLink(
            token_hash=digest(token),
            account_id=account_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    await session.commit()
    return token


async def _use_link(
    ctx: CloudContext, session: AsyncSession, token: str, purpose: str
) -> AccountLink:
    now = ctx.clock.now()
    refused = BadRequest(
        "This link is not valid, was already used or has expired. Ask for a new one.",
        code="invalid_link",
    )
    link = await session.get(AccountLink, digest(token))
    if link is None or link.purpose != purpose or link.expires_at <= now:
        raise refused
    claimed = await session.execute(
        update(AccountLink)
        .where(AccountLink.token_hash == link.token_hash, AccountLink.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise refused
    return link


async def send_password_reset(ctx: CloudContext, session: AsyncSession, email: str) -> None:
    """Mails a reset link if the account exists; says nothing either way (the caller
    answers the same), so nobody learns who has an account."""
    account = await session.scalar(
        select(Account).where(Account.email == normalise_email(email), Account.deleted_at.is_(None))
    )
    if account is None:
        return
    token = await _new_link(ctx, session, account.id, "reset", ctx.settings.password_reset_ttl_s)
    minutes = ctx.settings.password_reset_ttl_s // 60
    await ctx.mailer.send(
        account.email,
        "Reset your Porthole password",
        "Someone (we hope you) asked to reset the password of your Porthole account.\n\n"
        f"Choose a new one here, within {minutes} minutes:\n"
        f"{ctx.settings.public_url.rstrip('/')}/#/reset/{token}\n\n"
        "The link works once. Every device signed in to your account will be signed out.\n"
        "If it was not you, ignore this mail: your password stays as it is.\n",
    )


async def reset_password(
    ctx: CloudContext, session: AsyncSession, token: str, new_password: str
) -> None:
    """The link's account gets the new password; every sign-in ends (whoever knew the old
    password is out), and the email counts as verified (the link reached it)."""
    link = await _use_link(ctx, session, token, "reset")
    now = ctx.clock.now()
    await session.execute(
        update(Account)
        .where(Account.id == link.account_id)
        .values(
            password_hash=await ctx.passwords.hash(new_password),
            email_verified_at=now,
        )
    )
    await revoke_sign_ins(ctx, session, link.account_id, "password_reset")
    await session.commit()


async def send_verification(ctx: CloudContext, session: AsyncSession, account: Account) -> None:
    if account.email_verified_at is not None:
        return
    ttl_s = ctx.settings.email_verification_ttl_s
    token = await _new_link(ctx, session, account.id, "verify", ttl_s)
    await ctx.mailer.send(
        account.email,
        "Confirm your email for Porthole",
        "Welcome to Porthole. Confirm that this address is yours:\n"
        f"{ctx.settings.public_url.rstrip('/')}/#/verify/{token}\n\n"
        "It lets you reset your password if you ever forget it.\n",
    )


async def verify_email(ctx: CloudContext, session: AsyncSession, token: str) -> None:
    link = await _use_link(ctx, session, token, "verify")
    await session.execute(
        update(Account)
        .where(Account.id == link.account_id)
        .values(email_verified_at=ctx.clock.now())
    )
    await session.commit()


# -- deleting the account ---------------------------------------------------------------


async def delete_account(ctx: CloudContext, session: AsyncSession, account: Account) -> None:
    """The person is gone: sign-ins ended, computers removed (their agents are told),
    auto-renewal off, the email and password erased so the address can sign up again.
    Payment records stay, as the law asks of them, tied to an account that is no one."""
    account_id = account.id
    computers = await session.scalars(select(Computer.id).where(Computer.account_id == account_id))
    for computer_id in list(computers):
        await remove_computer(ctx, session, account_id, computer_id)
    with contextlib.suppress(ApiError):  # none running, bundled: nothing would renew
        await set_auto_renew(ctx, account_id, False)
    await revoke_sign_ins(ctx, session, account_id, "account_deleted")
    await session.execute(delete(AccountLink).where(AccountLink.account_id == account_id))
    await session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(
            email=f"deleted-{uuid.uuid4().hex}@deleted.invalid",
            password_hash="!",  # matches no password
            totp_secret=None,
            totp_enabled_at=None,
            email_verified_at=None,
            deleted_at=ctx.clock.now(),
        )
    )
    await session.commit()
