"""Accounts: sign up, sign in, refresh-token rotation, sign out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.db.models import Account, RefreshToken, SignIn
from app.cloud.domain.accounts import throttle, two_factor
from app.cloud.errors import Conflict, Unauthorized
from app.cloud.security.keys import InvalidToken
from app.cloud.security.secrets import digest, new_token

WRONG_CREDENTIALS = "The email or password is incorrect."


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Principal:
    """The signed-in account behind an access token."""

    account: Account
    sign_in_id: str
    expires_at: datetime


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_account(
    ctx: CloudContext, session: AsyncSession, email: str, password: str
) -> Account:
    account = Account(
        id=str(uuid.uuid4()),
        email=normalise_email(email),
        password_hash=await ctx.passwords.hash(password),
        created_at=ctx.clock.now(),
    )
    session.add(account)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("An account with this email already exists.", code="email_taken") from None
    return account


async def authenticate(
    ctx: CloudContext,
    session: AsyncSession,
    email: str,
    password: str,
    address: str,
    otp: str | None = None,
) -> Account:
    """The account if the password is right (and, with two-factor on, ``otp`` too);
    throttled, and silent about unknown emails. A right password without a code answers
    ``otp_required`` and costs no attempt; a wrong code counts as a failure."""
    email = normalise_email(email)
    settings = ctx.settings
    now = ctx.clock.now()
    window = timedelta(seconds=settings.throttle_window_s)
    attempts = [
        await throttle.charge(
            session,
            key,
            throttle.ThrottlePolicy(window, free, timedelta(seconds=base_block)),
            now,
        )
        for key, free, base_block in (
            (
                throttle.account_key(email),
                settings.account_free_failures,
                settings.account_base_block_s,
            ),
            (
                throttle.address_key(address),
                settings.address_free_failures,
                settings.address_base_block_s,
            ),
        )
    ]
    # Counted and visible to every other attempt before the (slow) password check.
    await session.commit()
    account = await session.scalar(select(Account).where(Account.email == email))
    if await ctx.passwords.verify(account.password_hash if account else None, password):
        assert account is not None
        try:
            await two_factor.check_second_factor(ctx, session, account, otp)
        except Unauthorized as exc:
            if exc.code == "otp_required":
                for attempt in attempts:
                    await attempt.succeeded(session, forget=False)
                await session.commit()
            raise
        await attempts[0].succeeded(session, forget=True)
        await attempts[1].succeeded(session, forget=False)
        await session.commit()
        return account
    # Wrong: the counts stand, and any block they set.
    raise Unauthorized(WRONG_CREDENTIALS, code="invalid_credentials")


def _new_sign_in(
    ctx: CloudContext,
    session: AsyncSession,
    account: Account,
    device_name: str | None,
    address: str | None,
) -> SignIn:
    """One signed-in device, named for the account's list of devices."""
    now = ctx.clock.now()
    sign_in = SignIn(
        id=str(uuid.uuid4()),
        account_id=account.id,
        created_at=now,
        device_name=device_name,
        address=address,
        last_used_at=now,
    )
    session.add(sign_in)
    return sign_in


async def start_sign_in(
    ctx: CloudContext,
    session: AsyncSession,
    account: Account,
    *,
    device_name: str | None = None,
    address: str | None = None,
) -> IssuedTokens:
    sign_in = _new_sign_in(ctx, session, account, device_name, address)
    await session.flush()  # the refresh token refers to it; no ORM relationship orders them
    tokens = _issue(ctx, session, account.id, sign_in.id)
    await session.commit()
    return tokens


async def start_web_sign_in(
    ctx: CloudContext,
    session: AsyncSession,
    account: Account,
    *,
    device_name: str | None = None,
    address: str | None = None,
) -> Principal:
    """A portal sign-in: no refresh token, the browser holds a session cookie instead."""
    now = ctx.clock.now()
    sign_in = _new_sign_in(ctx, session, account, device_name, address)
    await session.commit()
    expires_at = now + timedelta(seconds=ctx.settings.web_session_ttl_s)
    return Principal(account=account, sign_in_id=sign_in.id, expires_at=expires_at)


async def refresh(ctx: CloudContext, session: AsyncSession, refresh_token: str) -> IssuedTokens:
    now = ctx.clock.now()
    stored = await session.get(RefreshToken, digest(refresh_token))
    if stored is None:
        raise Unauthorized(
            "This refresh token is not valid. Sign in again.", code="invalid_refresh_token"
        )
    sign_in = await session.get(SignIn, stored.sign_in_id)
    assert sign_in is not None
    if sign_in.revoked_at is not None:
        raise Unauthorized("This sign-in has ended. Sign in again.", code="session_ended")
    if stored.expires_at <= now:
        raise Unauthorized("This sign-in has expired. Sign in again.", code="refresh_token_expired")
    # Only one caller may use a refresh token: the conditional update is the arbiter.
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == stored.token_hash, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        # A used token came back: it was stolen or replayed. End the whole family.
        await _revoke(ctx, session, sign_in.id, now, "refresh_token_reused")
        await session.commit()
        raise Unauthorized(
            "This sign-in was ended because an old refresh token was used again. Sign in again.",
            code="refresh_token_reused",
        )
    sign_in.last_used_at = now
    tokens = _issue(ctx, session, sign_in.account_id, sign_in.id)
    await session.commit()
    return tokens


async def sign_out(
    ctx: CloudContext, session: AsyncSession, principal: Principal, *, refresh_token: str | None
) -> None:
    """End this sign-in, and the one a given refresh token belongs to if it is the same
    account's (a client may hold a refresh token from an earlier sign-in)."""
    now = ctx.clock.now()
    await _revoke(ctx, session, principal.sign_in_id, now, "signed_out")
    if refresh_token:
        stored = await session.get(RefreshToken, digest(refresh_token))
        sign_in = await session.get(SignIn, stored.sign_in_id) if stored else None
        if sign_in is not None and sign_in.account_id == principal.account.id:
            await _revoke(ctx, session, sign_in.id, now, "signed_out")
    await session.commit()


async def principal_from_access_token(
    ctx: CloudContext, access_token: str, *, kind: str = "access"
) -> Principal:
    """The live sign-in behind a signed token: an API access token, or (``kind="web"``)
    the portal's session cookie. Both end when their sign-in is signed out."""
    now = ctx.clock.now()
    try:
        claims = ctx.keys.verify(access_token, kind=kind, now=now)
    except InvalidToken as exc:
        what = "Access token" if kind == "access" else "Session"
        raise Unauthorized(f"{what} refused: {exc}.", code="invalid_token") from None
    sign_in_id, account_id = str(claims.get("sid")), str(claims["sub"])
    expires_at = datetime.fromtimestamp(claims["exp"], tz=now.tzinfo)
    cached = ctx.sign_ins.get(sign_in_id)
    if cached is not None and cached.id == account_id:
        return Principal(account=cached, sign_in_id=sign_in_id, expires_at=expires_at)
    async with ctx.sessions() as session:
        row = (
            await session.execute(
                select(Account, SignIn)
                .join(SignIn, SignIn.account_id == Account.id)
                .where(SignIn.id == sign_in_id, Account.id == account_id)
            )
        ).first()
    if row is None or row[1].revoked_at is not None:
        raise Unauthorized("This sign-in has ended. Sign in again.", code="session_ended")
    ctx.sign_ins.put(sign_in_id, row[0])
    return Principal(account=row[0], sign_in_id=sign_in_id, expires_at=expires_at)


def web_session_token(ctx: CloudContext, principal: Principal) -> str:
    """The portal's cookie: a signed token of the sign-in, long-lived but revoked with it."""
    return ctx.keys.issue(
        {"sub": principal.account.id, "sid": principal.sign_in_id, "typ": "web"},
        now=ctx.clock.now(),
        ttl_s=ctx.settings.web_session_ttl_s,
    )


def access_token_for(ctx: CloudContext, principal: Principal) -> str:
    """A short-lived access token of an existing sign-in (no refresh token): what the
    portal, holding only its cookie, uses for the live event stream."""
    return _access_token(ctx, principal.account.id, principal.sign_in_id)


def _access_token(ctx: CloudContext, account_id: str, sign_in_id: str) -> str:
    return ctx.keys.issue(
        {"sub": account_id, "sid": sign_in_id, "typ": "access"},
        now=ctx.clock.now(),
        ttl_s=ctx.settings.access_token_ttl_s,
    )


def _issue(
    ctx: CloudContext, session: AsyncSession, account_id: str, sign_in_id: str
) -> IssuedTokens:
    now = ctx.clock.now()
    access = _access_token(ctx, account_id, sign_in_id)
    refresh_token = new_token("prt")
    session.add(
        RefreshToken(
            token_hash=digest(refresh_token),
            sign_in_id=sign_in_id,
            created_at=now,
            expires_at=now + timedelta(seconds=ctx.settings.refresh_token_ttl_s),
        )
    )
    return IssuedTokens(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=ctx.settings.access_token_ttl_s,
    )


async def _revoke(
    ctx: CloudContext, session: AsyncSession, sign_in_id: str, now: datetime, reason: str
) -> None:
    ctx.sign_ins.forget(sign_in_id)
    await session.execute(
        update(SignIn)
        .where(SignIn.id == sign_in_id, SignIn.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def revoke_sign_ins(
    ctx: CloudContext,
    session: AsyncSession,
    account_id: str,
    reason: str,
    *,
    keep: str | None = None,
    only: str | None = None,
) -> int:
    """End the account's live sign-ins (all, all but ``keep``, or ``only`` one): their
    refresh tokens and portal cookies stop working at once. How many ended."""
    query = select(SignIn.id).where(SignIn.account_id == account_id, SignIn.revoked_at.is_(None))
    if keep is not None:
        query = query.where(SignIn.id != keep)
    if only is not None:
        query = query.where(SignIn.id == only)
    ended = list(await session.scalars(query))
    now = ctx.clock.now()
    for sign_in_id in ended:
        await _revoke(ctx, session, sign_in_id, now, reason)
    return len(ended)
