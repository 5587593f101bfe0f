"""The payment provider interface the billing domain talks to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from app.cloud.errors import ApiError

MethodType = Literal["card", "paypal", "bank_transfer"]


class PaymentMethodRefused(ApiError):
    """The payment details cannot be used (invalid card number, missing field…)."""

    status = 422
    code = "payment_method_invalid"


@dataclass(frozen=True)
class RegisteredMethod:
    provider_ref: str
    label: str


@dataclass(frozen=True)
class ChargeRequest:
    purchase_id: str  # also the provider-side idempotency key: a retry never charges twice
    reference: str
    amount_cents: int
    currency: str
    method_type: MethodType
    method_ref: str | None
    recurring: bool


@dataclass(frozen=True)
class ChargeResult:
    provider_payment_id: str
    declined: bool = False
    message: str | None = None


class PaymentProvider(Protocol):
    webhook_secret: bytes

    async def register_method(self, details: dict[str, object]) -> RegisteredMethod:
        """Validate and keep payment details; only a label and an opaque ref come back."""
        ...

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        """Start collecting money. The outcome arrives later as a signed event, except an
        immediate decline."""
        ...

    async def charge_many(self, requests: list[ChargeRequest]) -> list[ChargeResult]:
        """The same for a batch (the renewal job), in as few round trips as possible."""
        ...

    async def refund(self, provider_payment_id: str) -> None: ...

    def kick(self) -> None:
        """Look for due work now (tests and the sandbox clock use this)."""
        ...
