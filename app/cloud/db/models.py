"""Database tables. Request/response schemas live in ``app.cloud.api``, apart from these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.cloud.db.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Stored lower-cased; the unique index makes "one account per email" a database fact.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Two-factor: the TOTP secret (set when set-up starts, enabled once a code confirmed
    # it), and the last time step used, so a code is good once.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A deleted account keeps its row (billing records refer to it), emptied of the person.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignIn(Base):
    """One signed-in device: the family every rotated refresh token of it belongs to."""

    __tablename__ = "sign_ins"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # What the account's list of signed-in devices shows.
    device_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    address: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AccountLink(Base):
    """A single-use link mailed to the account: password reset or email verification."""

    __tablename__ = "account_links"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    #: "reset" or "verify".
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RecoveryCode(Base):
    """A two-factor recovery code (hashed), good once."""

    __tablename__ = "recovery_codes"

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    # SHA-256 of the token: the token itself is never stored.
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    sign_in_id: Mapped[str] = mapped_column(
        ForeignKey("sign_ins.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInThrottle(Base):
    """Failed sign-ins per key ("account:<hash>" or "address:<ip>"), shared by all processes."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Computer(Base):
    __tablename__ = "computers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    os: Mapped[str] = mapped_column(String(200))
    screens: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    agent_token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Which control link currently holds the computer online; a late close of an older
    # link must not take a newer one offline.
    link_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Where the agent listens for direct sessions, as it announced on its current link.
    direct_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # The agent's X25519 key (``x25519:…``): session tickets name it, and viewers encrypt
    # to it end to end. Registered at enrolment; an agent that lacked one sends it on its
    # control link.
    session_public_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Wake-on-LAN: the network adapters the agent last reported ([{interface, mac, ipv4}],
    # kept while it sleeps), and the address its last control link came from, so only a
    # computer seen from the same place can wake it (app.cloud.domain.computers.wake).
    adapters: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    link_address: Mapped[str | None] = mapped_column(String(100), nullable=True)


class SessionLogEntry(Base):
    """One granted session: who, from where, to which computer, when, how long, by which
    path, and how it ended (the agent reports start and end over its control link)."""

    __tablename__ = "session_log"
    __table_args__ = (Index("ix_session_log_account_granted", "account_id", "granted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # No foreign key: the log outlives a removed computer, under the name it had.
    computer_id: Mapped[str] = mapped_column(String(36))
    computer_name: Mapped[str] = mapped_column(String(200))
    device_name: Mapped[str] = mapped_column(String(100))
    viewer_address: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: "relay" or "direct", once started.
    path: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: None while running (or never joined); "ended", "ended_by_host", "declined".
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)


class CloudKey(Base):
    """One of the cloud's keys: an Ed25519 seed (access, web, ticket) or an HMAC key
    (csrf, root). See ``app.cloud.security.keys``."""

    __tablename__ = "cloud_keys"
    __table_args__ = (
        # Two rotations racing each other cannot both make generation n + 1.
        UniqueConstraint("purpose", "generation", name="uq_cloud_keys_generation"),
    )

    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    generation: Mapped[int] = mapped_column(Integer)
    secret: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it starts signing: a little after it is made, so that every cloud process and
    #: every agent knows it before anything it signed reaches them.
    signs_from: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when a newer key replaces it: what it signed last has expired by then.
    verifies_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PaymentMethod(Base):
    """A way to pay the provider holds for the account; we keep only its label."""

    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100))
    provider_ref: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subscription(Base):
    """One per account. Changed only by compare-and-set on ``version``, so concurrent
    confirmations and renewal jobs never lose each other's updates."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # paid | bundled
    status: Mapped[str] = mapped_column(String(20))  # none|active|grace|expired|refunded
    plan_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Periods are computed from the anchor: end = anchor + months_paid (anniversary kept).
    anchor: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    months_paid: Mapped[int] = mapped_column(Integer, default=0)
    current_period_end: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, index=True
    )
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_method_id: Mapped[str | None] = mapped_column(
        ForeignKey("payment_methods.id", ondelete="SET NULL"), nullable=True
    )
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    renewal_attempt: Mapped[int] = mapped_column(Integer, default=0)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Purchase(Base):
    __tablename__ = "purchases"
    __table_args__ = (
        # One purchase per idempotency key: the database, not the code, forbids a second.
        UniqueConstraint("account_id", "idempotency_key", name="uq_purchases_idempotency"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # initial | renewal
    plan_id: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    method_type: Mapped[str] = mapped_column(String(20))
    payment_method_id: Mapped[str | None] = mapped_column(
        ForeignKey("payment_methods.id", ondelete="SET NULL"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(20))  # pending|confirmed|failed|refunded
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # "<Idempotency-Key>#<claim time>": one purchase per claim of a key.
    idempotency_key: Mapped[str | None] = mapped_column(String(130), nullable=True)
    # At most one renewal charge per subscription, period and attempt.
    renewal_key: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)
    provider_payment_id: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    received_cents: Mapped[int] = mapped_column(Integer, default=0)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary(32))
    state: Mapped[str] = mapped_column(String(20))  # in_flight | completed
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PaymentEvent(Base):
    """A provider event, stored before anything acts on it; the id deduplicates."""

    __tablename__ = "payment_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)


class BundleCode(Base):
    __tablename__ = "bundle_codes"

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    redeemed_by: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )


class SandboxPayment(Base):
    """The sandbox provider's own books: what a real provider would keep on its side."""

    __tablename__ = "sandbox_payments"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    purchase_id: Mapped[str] = mapped_column(String(36), unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    method_type: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    received_cents: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))  # pending|succeeded|failed|refunded
    confirm_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # Why it was declined, when it was.
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxOutbox(Base):
    """Signed events the sandbox still has to deliver to the webhook, with retries."""

    __tablename__ = "sandbox_outbox"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
