"""The provider of a deployment where payments are switched off: no sandbox, no
``/sandbox/v1``, and purchases answer a clear 503 instead of pretending to charge."""

from __future__ import annotations

from app.cloud.errors import ApiError
from app.cloud.payments.provider import ChargeRequest, ChargeResult, RegisteredMethod


class PaymentsUnavailable(ApiError):
    status = 503
    code = "payments_unavailable"


_MESSAGE = "Payments are not available on this server right now. Nothing was charged."


class DisabledProvider:
    webhook_secret = b""

    async def register_method(self, details: dict[str, object]) -> RegisteredMethod:
        raise PaymentsUnavailable(_MESSAGE)

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        raise PaymentsUnavailable(_MESSAGE)

    async def charge_many(self, requests: list[ChargeRequest]) -> list[ChargeResult]:
        raise PaymentsUnavailable(_MESSAGE)

    async def refund(self, provider_payment_id: str) -> None:
        raise PaymentsUnavailable(_MESSAGE)

    def kick(self) -> None:
        pass
