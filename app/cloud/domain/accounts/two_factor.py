"""Two-factor sign-in: TOTP (RFC 6238, by ``pyotp``) with a code good once per time step,
and ten single-use recovery codes, stored hashed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.db.models import Account, RecoveryCode
from app.cloud.errors import BadRequest, Conflict, Unauthorized
from app.cloud.security.secrets import digest

RECOVERY_CODES = 10
#: Shown as the issuer in authenticator apps.
TOTP_ISSUER = "Porthole"
OTP_REQUIRED = "Enter the 6-digit code from your authenticator app (or a recovery code)."
WRONG_OTP = "That code is not right. Check the time on your phone, or use a recovery code."


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    uri: str


async def start_totp(session: AsyncSession, account: Account) -> TotpSetup:
    """A new secret to scan; two-factor is on once ``confirm_totp`` saw a code of it."""
    if account.totp_enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on.", code="totp_enabled")
    secret = pyotp.random_base32()
    await session.execute(
        update(Account).where(Account.id == account.id).values(totp_secret=secret)
    )
    await session.commit()
    account.totp_secret = secret
    return TotpSetup(secret, provisioning_uri(account))


def provisioning_uri(account: Account) -> str:
    """The ``otpauth://`` URI an authenticator app scans (the set-up's secret)."""
    assert account.totp_secret is not None
    return pyotp.TOTP(account.totp_secret).provisioning_uri(
        name=account.email, issuer_name=TOTP_ISSUER
    )


async def confirm_totp(
    ctx: CloudContext, session: AsyncSession, account_id: str, code: str
) -> list[str]:
    """Two-factor on, if ``code`` comes from the secret being set up; the recovery codes
    (shown once: only their hashes are kept)."""
    account = await session.get(Account, account_id)
    assert account is not None
    if account.totp_secret is None or account.totp_enabled_at is not None:
        raise Conflict("Start setting up two-factor sign-in first.", code="totp_not_started")
    if not _totp_matches(account, code, ctx.clock.now()):
        raise BadRequest(WRONG_OTP, code="invalid_otp")
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    await session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))
    session.add_all(RecoveryCode(code_hash=digest(c), account_id=account_id) for c in codes)
    account.totp_enabled_at = ctx.clock.now()
    await session.commit()
    return codes


async def disable_totp(session: AsyncSession, account_id: str) -> None:
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(totp_secret=None, totp_enabled_at=None, totp_last_step=None)
    )
    await session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))
    await session.commit()


async def check_second_factor(
    ctx: CloudContext, session: AsyncSession, account: Account, otp: str | None
) -> None:
    """For an account with two-factor on: ``otp`` must be a current code (each good once)
    or an unused recovery code. Unauthorized ``otp_required`` / ``invalid_otp``."""
    if account.totp_enabled_at is None:
        return
    if not otp:
        raise Unauthorized(OTP_REQUIRED, code="otp_required")
    now = ctx.clock.now()
    cleaned = otp.replace(" ", "").replace("-", "")
    if cleaned.isdigit() and _totp_matches(account, cleaned, now):
        await session.commit()  # the time step is spent
        return
    used = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.code_hash == digest(_normal_recovery(otp)),
            RecoveryCode.account_id == account.id,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if used.rowcount == 1:  # type: ignore[attr-defined]
        await session.commit()
        return
    raise Unauthorized(WRONG_OTP, code="invalid_otp")


def _totp_matches(account: Account, code: str, now: datetime) -> bool:
    """A code of the current time step or a neighbour (clocks drift), never one of a
    step already used."""
    if account.totp_secret is None or not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(account.totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step - 1, step, step + 1):
        if account.totp_last_step is not None and candidate <= account.totp_last_step:
            continue
        if secrets.compare_digest(totp.at(candidate * totp.interval), code):
            account.totp_last_step = candidate
            return True
    return False


def _recovery_code() -> str:
    raw = secrets.token_hex(6)  # 48 bits, typed rarely: xxxx-xxxx-xxxx
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normal_recovery(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
