"""The cloud's one typed settings object, read from ``PORTHOLE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_mail_dir() -> Path:
    return Path(platformdirs.user_data_dir("porthole", appauthor=False)) / "mail"


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("porthole", appauthor=False))
    return f"sqlite+aiosqlite:///{data_dir / 'cloud.db'}"


class Settings(BaseSettings):
    """Everything the cloud can be told; defaults are the embedded single-machine setup."""

    model_config = SettingsConfigDict(env_prefix="PORTHOLE_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    # The keys (one set per purpose, see app.cloud.security.keys) are made on first start
    # and kept in the database, so every cloud process of a deployment shares them without
    # a key file lying around. Each process reloads them this often, and a rotated key
    # starts signing this long after it is made: every process and agent knows it first.
    key_refresh_s: float = 60.0
    # A request's headers must all arrive within this (a slow trickle holds a connection).
    header_timeout_s: float = 10.0
    key_publish_s: int = 300
    public_url: str = "http://127.0.0.1:8740"
    # TLS served by the cloud itself (uvicorn): PEM certificate chain and private key.
    # Unset: plain HTTP, for a TLS reverse proxy in front (README) or the local demo.
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    # Reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated
    # addresses, or "*"), so throttling sees the real client and HSTS the real scheme.
    # Unset: nobody's; a client cannot pick the address it is throttled under.
    forwarded_allow_ips: str | None = None

    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    # The web portal's session cookie: it ends earlier when the person signs out.
    web_session_ttl_s: int = 7 * 24 * 3600
    enrollment_code_ttl_s: int = 15 * 60
    # A session ticket only has to last from the grant to the handshake.
    session_ticket_ttl_s: int = 60
    # How long a process trusts a sign-in it saw live; sign-out in another process takes
    # effect here within this time (in the same process, at once).
    sign_in_cache_s: float = 5.0

    # Sign-in throttling: after `*_free_failures` failed attempts within the window, each
    # further failure doubles the wait, starting at `*_base_block_s`, capped at the window.
    throttle_window_s: int = 15 * 60
    account_free_failures: int = 5
    account_base_block_s: int = 30
    address_free_failures: int = 20
    address_base_block_s: int = 60
    # Sign-ups per client address and hour; wrong enrolment or bundle codes per address
    # (enrolment) or account (bundles) in the throttle window; enrolment codes an account
    # may make per hour. Past these, waits double as for sign-ins.
    signups_per_hour_per_address: int = 20
    code_free_failures: int = 10
    enrollment_codes_per_hour: int = 30

    # Agents send a heartbeat this often; a link silent for `heartbeat_timeout_s` is dead.
    heartbeat_interval_s: float = 5.0
    heartbeat_timeout_s: float = 12.0
    # Online computers refresh `last_seen` this often, so a crashed cloud process's links
    # are swept offline by the others after `presence_lease_s`.
    presence_refresh_s: float = 30.0
    presence_lease_s: float = 90.0
    hello_timeout_s: float = 10.0
    # The relay: how long a half waits for the other, idle time before a session is
    # closed, and the per-session, per-direction bandwidth cap.
    relay_pair_timeout_s: float = 30.0
    relay_idle_s: float = 30.0
    relay_max_bytes_per_s: float = 8 * 1024 * 1024
    # A granted session neither half joined is forgotten after this (its ticket lived 60 s).
    relay_unjoined_ttl_s: float = 120.0

    # WebSockets (agent links, live events, relay) open at once, from one client address
    # and in all, per cloud process; over either, a new one is closed with 4429.
    max_connections_per_address: int = 1000
    max_connections: int = 30_000
    # POST /sessions per account and minute (per process): a viewer that loops cannot
    # flood a computer with offers.
    session_grants_per_minute: int = 30
    # Wake-on-LAN: the UDP port magic packets go to, and how many wakes of one computer a
    # minute (in all processes: past them, waits double as for sign-ins).
    wake_port: int = Field(default=9, ge=1, le=65535)
    wakes_per_minute: int = 3

    # Several cloud processes: a Redis URL (redis://host:6379/0) carries presence, events
    # and session offers between them. Unset: one process, in-memory.
    broker_url: SecretStr | None = None
    # Several cloud processes: where viewers and agents reach THIS process's relay
    # (http(s)://host:port), so both halves of a session meet where it was granted.
    # Unset: the address the viewer called.
    relay_public_url: str | None = None

    max_body_bytes: int = 64 * 1024
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19 * 1024
    argon2_parallelism: int = 1
    # How many argon2 hashes may run at once; the rest queue instead of starving the loop.
    hashing_threads: int = 2

    # Billing. Prices are integer cents; plan ids are part of the public API.
    currency: str = "EUR"
    price_month_1_cents: int = 499
    price_year_1_cents: int = 4999
    price_year_2_cents: int = 8999
    computers_per_subscription: int = 5
    grace_days: int = 7
    renewal_retry_hours: int = 24
    idempotency_ttl_h: int = 48
    # The payment provider. "disabled" (the default, so a plain `cloud serve` never hands
    # out free subscriptions) refuses purchases clearly; "sandbox" behaves like a real one
    # (delays, declines, signed webhooks) without moving money, and serves /sandbox/v1.
    # Only `porthole demo`, the tests, or PORTHOLE_PAYMENT_PROVIDER=sandbox turn it on.
    payment_provider: str = "disabled"
    # The operator's credential for /sandbox/v1 (mint bundle codes, mark money received,
    # move the clock, run renewals), sent as the X-Porthole-Operator header; never a
    # customer's token. Unset: those calls are refused (the CLI on the server still works).
    operator_token: SecretStr | None = None
    payment_webhook_secret: SecretStr | None = None
    webhook_tolerance_s: int = 300
    sandbox_card_delay_s: float = 3.0
    # How often background jobs look for due work when nothing woke them earlier.
    renewal_interval_s: float = 60.0

    # Mail (password-reset and verification links): "file" writes each one as an .eml file
    # into mail_dir (0600; never to a log); smtp://user:password@host:587 or smtps://…:465
    # sends it (app/cloud/mail.py).
    mailer_url: SecretStr = SecretStr("file")
    mail_dir: Path = Field(default_factory=default_mail_dir)
    mail_from: str = "Porthole <no-reply@porthole.invalid>"
    password_reset_ttl_s: int = 3600
    email_verification_ttl_s: int = 7 * 24 * 3600

    log_level: str = "info"

    @property
    def sandbox(self) -> bool:
        return self.payment_provider == "sandbox"

    def plan_prices(self) -> dict[str, int]:
        return {
            "month-1": self.price_month_1_cents,
            "year-1": self.price_year_1_cents,
            "year-2": self.price_year_2_cents,
        }
