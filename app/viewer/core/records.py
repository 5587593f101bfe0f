"""What the cloud's answers mean to the viewer, as typed records, and the payment methods
it can be sent.

Parsing is tolerant: fields the cloud adds later are ignored and optional fields may be
missing, so an older viewer keeps working against a newer cloud. Only what the UI cannot
do without (ids, states) is required; a missing one raises ``KeyError``/``TypeError``/
``ValueError``, which the client reports as an answer it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

MethodType = Literal["card", "paypal", "bank_transfer"]


def _opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None else str(value)


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    return int(value) if isinstance(value, int | float) else 0


def _when(body: dict[str, Any], key: str) -> datetime | None:
    value = body.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    email_verified: bool = False
    two_factor: bool = False

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Account:
        return cls(
            str(body["id"]),
            str(body["email"]),
            bool(body.get("email_verified")),
            bool(body.get("two_factor")),
        )


@dataclass(frozen=True)
class SignInRecord:
    """One signed-in device of the account (``GET /api/v1/me/sign-ins``)."""

    id: str
    device_name: str
    address: str
    created_at: datetime | None
    last_used_at: datetime | None
    #: The sign-in of this app.
    current: bool

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> SignInRecord:
        return cls(
            str(body["id"]),
            str(body.get("device_name") or ""),
            str(body.get("address") or ""),
            _when(body, "created_at"),
            _when(body, "last_used_at"),
            bool(body.get("current")),
        )


@dataclass(frozen=True)
class TwoFactorSetup:
    """Two-factor set-up begun: the secret to type, or its QR code (PNG) to scan."""

    secret: str = field(repr=False)
    uri: str = field(repr=False)
    qr_png: bytes = field(default=b"", repr=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> TwoFactorSetup:
        return cls(str(body["secret"]), str(body["otpauth_uri"]))


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int = 0

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Tokens:
        return cls(str(body["access_token"]), str(body["refresh_token"]), _int(body, "expires_in"))


@dataclass(frozen=True)
class Screen:
    id: str
    width: int
    height: int
    primary: bool = False


@dataclass(frozen=True)
class Computer:
    id: str
    name: str
    os: str
    online: bool
    last_seen: datetime | None
    screens: tuple[Screen, ...] = ()
    #: Wake-on-LAN: offline, and another computer of the account is online on its network.
    wakeable: bool = False

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Computer:
        wake = body.get("wake")
        screens = tuple(
            Screen(
                str(s.get("id", "")), _int(s, "width"), _int(s, "height"), bool(s.get("primary"))
            )
            for s in body.get("screens") or ()
            if isinstance(s, dict)
        )
        return cls(
            id=str(body["id"]),
            name=str(body.get("name", "")),
            os=str(body.get("os", "")),
            online=bool(body.get("online")),
            last_seen=_when(body, "last_seen"),
            screens=screens,
            wakeable=isinstance(wake, dict) and wake.get("available") is True,
        )


@dataclass(frozen=True)
class EnrollmentCode:
    code: str
    expires_at: datetime | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> EnrollmentCode:
        return cls(str(body["code"]), _when(body, "expires_at"))


@dataclass(frozen=True)
class Plan:
    id: str
    months: int
    price_cents: int
    currency: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Plan:
        return cls(
            str(body["id"]), _int(body, "months"), _int(body, "price_cents"), str(body["currency"])
        )


@dataclass(frozen=True)
class PendingPayment:
    """An initial purchase waiting for its money (``subscription.pending``)."""

    purchase_id: str
    method: str
    since: datetime | None
    plan: str | None = None
    reference: str | None = None
    amount_due_cents: int = 0

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> PendingPayment:
        return cls(
            purchase_id=str(body["purchase_id"]),
            method=str(body.get("method", "")),
            since=_when(body, "since"),
            plan=_opt_str(body, "plan"),
            reference=_opt_str(body, "reference"),
            amount_due_cents=_int(body, "amount_due_cents"),
        )


@dataclass(frozen=True)
class Subscription:
    """``GET /api/v1/subscription``: the state and what the banner shows about it."""

    #: none, pending_payment, active, grace, expired or bundled.
    state: str
    plan: str | None = None
    current_period_end: datetime | None = None
    auto_renew: bool = False
    grace_until: datetime | None = None
    ended_reason: str | None = None
    #: Label of the method renewals charge, e.g. "Visa •••• 4242".
    payment_method: str | None = None
    pending: PendingPayment | None = None
    computers_used: int | None = None
    computers_limit: int | None = None
    #: The cloud's own one-line summary (English), for states this viewer does not know.
    message: str = ""

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Subscription:
        pending = body.get("pending")
        used, limit = body.get("computers_used"), body.get("computers_limit")
        return cls(
            state=str(body["state"]),
            plan=_opt_str(body, "plan"),
            current_period_end=_when(body, "current_period_end"),
            auto_renew=bool(body.get("auto_renew")),
            grace_until=_when(body, "grace_until"),
            ended_reason=_opt_str(body, "ended_reason"),
            payment_method=_opt_str(body, "payment_method"),
            pending=PendingPayment.from_json(pending) if isinstance(pending, dict) else None,
            computers_used=used if isinstance(used, int) else None,
            computers_limit=limit if isinstance(limit, int) else None,
            message=str(body.get("message") or ""),
        )


@dataclass(frozen=True)
class BankInstructions:
    iban: str
    beneficiary: str
    reference: str
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class Purchase:
    """One purchase (``POST``/``GET /api/v1/purchases``), a receipt once confirmed."""

    id: str
    #: pending, confirmed, failed or refunded.
    state: str
    plan: str
    method: str
    amount_cents: int = 0
    currency: str = ""
    method_label: str | None = None
    reference: str | None = None
    failure_message: str | None = None
    created_at: datetime | None = None
    period_end: datetime | None = None
    instructions: BankInstructions | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Purchase:
        raw = body.get("payment_instructions")
        instructions = None
        if isinstance(raw, dict):
            instructions = BankInstructions(
                str(raw.get("iban", "")),
                str(raw.get("beneficiary", "")),
                str(raw.get("reference", "")),
                _int(raw, "amount_cents"),
                str(raw.get("currency", "")),
            )
        return cls(
            id=str(body["id"]),
            state=str(body["state"]),
            plan=str(body.get("plan", "")),
            method=str(body.get("method", "")),
            amount_cents=_int(body, "amount_cents"),
            currency=str(body.get("currency", "")),
            method_label=_opt_str(body, "method_label"),
            reference=_opt_str(body, "reference"),
            failure_message=_opt_str(body, "failure_message"),
            created_at=_when(body, "created_at"),
            period_end=_when(body, "period_end"),
            instructions=instructions,
        )


@dataclass(frozen=True)
class SessionRecord:
    """One entry of the session log (``GET /api/v1/sessions/history``)."""

    computer_name: str
    device_name: str
    address: str
    granted_at: datetime | None
    duration_s: float | None
    #: relay or direct, once started.
    path: str | None
    #: granted, running, ended, ended_by_host or declined.
    outcome: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> SessionRecord:
        duration = body.get("duration_s")
        return cls(
            computer_name=str(body.get("computer_name", "")),
            device_name=str(body.get("device_name", "")),
            address=str(body.get("address", "")),
            granted_at=_when(body, "granted_at"),
            duration_s=float(duration) if isinstance(duration, int | float) else None,
            path=_opt_str(body, "path"),
            outcome=str(body.get("outcome", "")),
        )


# -- payment methods the viewer sends ---------------------------------------------------


@dataclass(frozen=True)
class Card:
    # Kept out of repr so a logged exception or state never shows the card.
    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    type: Literal["card"] = "card"

    def as_json(self) -> dict[str, Any]:
        return {
            "type": "card",
            "number": self.number,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "cvc": self.cvc,
        }


@dataclass(frozen=True)
class PayPal:
    email: str
    type: Literal["paypal"] = "paypal"

    def as_json(self) -> dict[str, Any]:
        return {"type": "paypal", "email": self.email}


@dataclass(frozen=True)
class BankTransfer:
    type: Literal["bank_transfer"] = "bank_transfer"

    def as_json(self) -> dict[str, Any]:
        return {"type": "bank_transfer"}


PaymentMethod = Card | PayPal | BankTransfer


def os_family(os_name: str) -> str:
    """linux, windows, macos or other, from what the agent says its system is."""
    name = os_name.lower()
    if "windows" in name:
        return "windows"
    if "mac" in name or "darwin" in name:
        return "macos"
    linuxes = ("linux", "ubuntu", "debian", "fedora", "arch", "mint", "suse", "red hat")
    if any(word in name for word in linuxes):
        return "linux"
    return "other"
