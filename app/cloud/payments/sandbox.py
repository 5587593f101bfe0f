"""The built-in sandbox provider: behaves like a real one without moving money.

- Cards confirm after ``sandbox_card_delay_s``; test numbers decline (below).
- PayPal and bank transfers stay pending until the money is marked received
  (``porthole cloud payments receive REFERENCE --amount`` or ``/sandbox/v1/…``);
  an underpaid transfer stays pending, an overpayment is recorded.
- Outcomes are delivered as signed webhook events, retried with backoff until a 2xx.

Test cards (any future expiry, any CVC):
  4242 4242 4242 4242   succeeds
  4000 0000 0000 0002   declined: "Your card was declined."
  4000 0000 0000 9995   declined: "Your card has insufficient funds."
  4000 0000 0000 0341   the first payment succeeds, later (renewal) charges are declined
Any other number that passes the Luhn check succeeds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cloud.clock import Clock
from app.cloud.db.models import SandboxOutbox, SandboxPayment
from app.cloud.errors import NotFound
from app.cloud.payments.provider import (
    ChargeRequest,
    ChargeResult,
    PaymentMethodRefused,
    RegisteredMethod,
)
from app.cloud.payments.signatures import sign
from app.tls import client_context

log = logging.getLogger(__name__)

DECLINING_CARDS = {
    "4000000000000002": "Your card was declined.",
    "4000000000009995": "Your card has insufficient funds.",
}
DECLINES_RECURRING = "4000000000000341"
MAX_DELIVERY_BACKOFF_S = 300
IDLE_POLL_S = 1.0
DELIVERY_CONCURRENCY = 16


def luhn_ok(number: str) -> bool:
    digits = [int(ch) for ch in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or number[:4] in {"2221", "2720"}:
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "Amex"
    return "Card"


class SandboxProvider:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        webhook_secret: bytes,
        card_delay_s: float,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.webhook_secret = webhook_secret
        self._card_delay = timedelta(seconds=card_delay_s)
        self.webhook_url: str | None = None
        self._wake = asyncio.Event()

    # -- what the cloud calls ------------------------------------------------------

    async def register_method(self, details: dict[str, Any]) -> RegisteredMethod:
        kind = details.get("type")
        if kind == "card":
            number = "".join(ch for ch in str(details.get("number", "")) if ch.isdigit())
            if not 12 <= len(number) <= 19 or not luhn_ok(number):
                raise PaymentMethodRefused("The card number is not valid.")
            if number in DECLINING_CARDS:
                behaviour = "decline"
            elif number == DECLINES_RECURRING:
                behaviour = "recurringdecline"
            else:
                behaviour = "ok"
            ref = f"sbx_card_{behaviour}_{number[-4:]}_{secrets.token_hex(6)}"
            return RegisteredMethod(ref, f"{card_brand(number)} •••• {number[-4:]}")
        if kind == "paypal":
            email = str(details.get("email") or "").strip()
            if "@" not in email:
                raise PaymentMethodRefused("PayPal needs the account's email address.")
            return RegisteredMethod(f"sbx_paypal_{secrets.token_hex(6)}", f"PayPal ({email})")
        if kind == "bank_transfer":
            return RegisteredMethod(f"sbx_bank_{secrets.token_hex(6)}", "Bank transfer")
        raise PaymentMethodRefused("Unknown payment method: use card, paypal or bank_transfer.")

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        return (await self.charge_many([request]))[0]

    async def charge_many(self, requests: list[ChargeRequest]) -> list[ChargeResult]:
        now = self._clock.now()
        payments = [self._new_payment(request, now) for request in requests]
        async with self._sessions() as session:
            try:
                # One multi-row insert: the renewal job hands over thousands at a time.
                await session.execute(insert(SandboxPayment), [_columns(p) for p in payments])
                await session.commit()
                fresh = True
            except IntegrityError:
                # Some were charged before (a retry): settle them one by one below.
                await session.rollback()
                fresh = False
        if not fresh:
            return [await self._charge_once(payment) for payment in payments]
        self.kick()
        return [self._result(payment) for payment in payments]

    async def _charge_once(self, payment: SandboxPayment) -> ChargeResult:
        async with self._sessions() as session:
            session.add(payment)
            try:
                await session.commit()
                return self._result(payment)
            except IntegrityError:
                # Same purchase charged again: the provider answers as it did the first time.
                await session.rollback()
            existing = await session.get(SandboxPayment, payment.id)
            assert existing is not None
            return self._result(existing)

    def _new_payment(self, request: ChargeRequest, now: datetime) -> SandboxPayment:
        declined_message = self._decline_message(request)
        automatic = request.method_type == "card" or (
            request.method_type == "paypal" and request.recurring
        )
        return SandboxPayment(
            id=f"sbx_pay_{request.purchase_id}",
            purchase_id=request.purchase_id,
            reference=request.reference,
            method_type=request.method_type,
            amount_cents=request.amount_cents,
            currency=request.currency,
            received_cents=0,
            status="failed" if declined_message else "pending",
            confirm_at=now + self._card_delay if automatic and not declined_message else None,
            outcome=declined_message,
            created_at=now,
        )

    @staticmethod
    def _result(payment: SandboxPayment) -> ChargeResult:
        declined = payment.status == "failed"
        return ChargeResult(
            payment.id, declined=declined, message=payment.outcome if declined else None
        )

    async def refund(self, provider_payment_id: str) -> None:
        async with self._sessions() as session:
            result = await session.execute(
                update(SandboxPayment)
                .where(
                    SandboxPayment.id == provider_payment_id, SandboxPayment.status == "succeeded"
                )
                .values(status="refunded")
            )
            payment = await session.get(SandboxPayment, provider_payment_id)
            if result.rowcount == 1 and payment is not None:  # type: ignore[attr-defined]
                self._enqueue(session, "payment.refunded", payment)
            await session.commit()
        self.kick()

    def kick(self) -> None:
        self._wake.set()

    # -- what the sandbox's own operator surface calls (CLI, /sandbox/v1) ------------

    async def receive(self, reference: str, amount_cents: int | None) -> SandboxPayment:
        """Money arrived for a PayPal or bank-transfer payment."""
        async with self._sessions() as session:
            payment = await session.scalar(
                select(SandboxPayment).where(SandboxPayment.reference == reference.strip().upper())
            )
            if payment is None or payment.method_type == "card":
                raise NotFound(f"No PayPal or bank-transfer payment has the reference {reference}.")
            if payment.status != "pending":
                raise NotFound(
                    f"The payment {reference} is not waiting for money ({payment.status})."
                )
            amount = (
                payment.amount_cents - payment.received_cents
                if amount_cents is None
                else amount_cents
            )
            if amount <= 0:
                raise PaymentMethodRefused("The amount received must be positive.")
            received = payment.received_cents + amount
            values: dict[str, Any] = {"received_cents": received}
            if received >= payment.amount_cents:
                values["status"] = "succeeded"
            done = await session.execute(
                update(SandboxPayment)
                .where(
                    SandboxPayment.id == payment.id,
                    SandboxPayment.received_cents == payment.received_cents,
                )
                .values(**values)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise NotFound("The payment changed at the same moment; try again.")
            await session.refresh(payment)
            kind = (
                "payment.succeeded"
                if payment.status == "succeeded"
                else "payment.partially_received"
            )
            self._enqueue(session, kind, payment)
            await session.commit()
        self.kick()
        return payment

    # -- the worker: confirmations and webhook delivery ------------------------------

    async def run(self) -> None:
        # Its webhooks go to this very cloud, over HTTPS when it serves HTTPS.
        async with httpx.AsyncClient(timeout=10, verify=client_context()) as client:
            while True:
                self._wake.clear()
                try:
                    await self._confirm_due_cards()
                    await self._deliver_due_events(client)
                    wait_s = await self._seconds_until_next_work()
                except Exception:
                    log.exception("sandbox worker round failed")
                    wait_s = 1.0
                try:
                    async with asyncio.timeout(wait_s):
                        await self._wake.wait()
                except TimeoutError:
                    pass

    async def _confirm_due_cards(self) -> None:
        now = self._clock.now()
        async with self._sessions() as session:
            due = (
                await session.scalars(
                    select(SandboxPayment)
                    .where(SandboxPayment.status == "pending", SandboxPayment.confirm_at <= now)
                    .limit(500)
                )
            ).all()
            for payment in due:
                claimed = await session.execute(
                    update(SandboxPayment)
                    .where(SandboxPayment.id == payment.id, SandboxPayment.status == "pending")
                    .values(status="succeeded", received_cents=payment.amount_cents)
                )
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    payment.status, payment.received_cents = "succeeded", payment.amount_cents
                    self._enqueue(session, "payment.succeeded", payment)
            await session.commit()

    async def _deliver_due_events(self, client: httpx.AsyncClient) -> None:
        if self.webhook_url is None:
            return
        now = self._clock.now()
        async with self._sessions() as session:
            due = (
                await session.scalars(
                    select(SandboxOutbox)
                    .where(
                        SandboxOutbox.delivered_at.is_(None), SandboxOutbox.next_attempt_at <= now
                    )
                    .order_by(SandboxOutbox.created_at)
                    .limit(200)
                )
            ).all()
        # Delivered side by side, as a provider does, a few at a time.
        gate = asyncio.Semaphore(DELIVERY_CONCURRENCY)

        async def deliver(event: SandboxOutbox) -> None:
            async with gate:
                await self._deliver(client, event)

        await asyncio.gather(*(deliver(event) for event in due))

    async def _deliver(self, client: httpx.AsyncClient, event: SandboxOutbox) -> None:
        delivered = await self._post(client, event.body)
        values: dict[str, Any]
        if delivered:
            values = {"delivered_at": self._clock.now()}
        else:
            backoff = min(2**event.attempts, MAX_DELIVERY_BACKOFF_S)
            values = {
                "attempts": event.attempts + 1,
                "next_attempt_at": self._clock.now() + timedelta(seconds=backoff),
            }
        async with self._sessions() as session:
            await session.execute(
                update(SandboxOutbox)
                .where(SandboxOutbox.event_id == event.event_id)
                .values(**values)
            )
            await session.commit()

    async def _post(self, client: httpx.AsyncClient, body: str) -> bool:
        assert self.webhook_url is not None
        raw = body.encode()
        # Signed at send time, as a real provider does, so retries carry a fresh timestamp.
        signature = sign(self.webhook_secret, raw, int(self._clock.now().timestamp()))
        try:
            response = await client.post(
                self.webhook_url,
                content=raw,
                headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            )
        except httpx.HTTPError as exc:
            log.info("webhook delivery failed: %s", type(exc).__name__)
            return False
        return 200 <= response.status_code < 300

    async def _seconds_until_next_work(self) -> float:
        now = self._clock.now()
        async with self._sessions() as session:
            next_card = await session.scalar(
                select(SandboxPayment.confirm_at)
                .where(SandboxPayment.status == "pending", SandboxPayment.confirm_at.is_not(None))
                .order_by(SandboxPayment.confirm_at)
                .limit(1)
            )
            next_event = await session.scalar(
                select(SandboxOutbox.next_attempt_at)
                .where(SandboxOutbox.delivered_at.is_(None))
                .order_by(SandboxOutbox.next_attempt_at)
                .limit(1)
            )
        moments = [moment for moment in (next_card, next_event) if moment is not None]
        # Work may also arrive from another process (the operator CLI, a second cloud
        # process), which cannot wake this one: so look again at least every second.
        if not moments:
            return IDLE_POLL_S
        return max(0.01, min(IDLE_POLL_S, (min(moments) - now).total_seconds()))

    def _enqueue(self, session: AsyncSession, kind: str, payment: SandboxPayment) -> None:
        now = self._clock.now()
        event_id = f"evt_{secrets.token_hex(12)}"
        body = {
            "id": event_id,
            "type": kind,
            "created": int(now.timestamp()),
            "data": {
                "payment_id": payment.id,
                "purchase_id": payment.purchase_id,
                "amount_cents": payment.amount_cents,
                "received_cents": payment.received_cents,
                "currency": payment.currency,
            },
        }
        session.add(
            SandboxOutbox(
                event_id=event_id,
                body=json.dumps(body),
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )

    def _decline_message(self, request: ChargeRequest) -> str | None:
        if request.method_type != "card" or request.method_ref is None:
            return None
        behaviour = request.method_ref.split("_")[2]
        if behaviour == "decline":
            number_tail = request.method_ref.split("_")[3]
            return next(
                (
                    message
                    for number, message in DECLINING_CARDS.items()
                    if number.endswith(number_tail)
                ),
                "Your card was declined.",
            )
        if behaviour == "recurringdecline" and request.recurring:
            return "Your card was declined."
        return None


def _columns(payment: SandboxPayment) -> dict[str, Any]:
    return {column.key: getattr(payment, column.key) for column in SandboxPayment.__table__.columns}
