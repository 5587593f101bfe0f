"""The sandbox provider delivers signed webhooks and retries with backoff until a 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import json

from app.cloud.context import CloudContext
from app.cloud.payments.provider import ChargeRequest
from app.cloud.payments.sandbox import SandboxProvider, luhn_ok
from app.cloud.payments.signatures import verify


class FlakyWebhook:
    """A loopback HTTP endpoint that fails the first deliveries, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.deliveries: list[tuple[bytes, str]] = []
        self.accepted = asyncio.Event()
        self.port = 0

    async def __aenter__(self) -> FlakyWebhook:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        headers = dict(
            line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
        )
        headers = {key.lower(): value for key, value in headers.items()}
        body = await reader.readexactly(int(headers["content-length"]))
        self.deliveries.append((body, headers["stripe-signature"]))
        ok = len(self.deliveries) > self.failures
        writer.write(
            (b"HTTP/1.1 200 OK" if ok else b"HTTP/1.1 503 Service Unavailable")
            + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        writer.close()
        if ok:
            self.accepted.set()


async def test_webhooks_are_signed_and_retried_until_accepted(cloud_context: CloudContext) -> None:
    secret = b"whsec_sandbox_test"
    sandbox = SandboxProvider(
        cloud_context.sessions, cloud_context.clock, webhook_secret=secret, card_delay_s=0
    )
    async with FlakyWebhook(failures=2) as endpoint:
        sandbox.webhook_url = f"http://127.0.0.1:{endpoint.port}/events"
        worker = asyncio.create_task(sandbox.run())
        try:
            method = await sandbox.register_method({"type": "card", "number": "4242424242424242"})
            result = await sandbox.charge(
                ChargeRequest(
                    "purchase-1", "PH-TEST-0001", 499, "EUR", "card", method.provider_ref, False
                )
            )
            assert not result.declined
            async with asyncio.timeout(20):  # backoff 1 s, then 2 s
                await endpoint.accepted.wait()
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
    assert len(endpoint.deliveries) == 3
    bodies = {body for body, _ in endpoint.deliveries}
    assert len(bodies) == 1, "every retry carries the same event"
    body, signature = endpoint.deliveries[-1]
    verify(secret, body, signature, now=cloud_context.clock.now().timestamp(), tolerance_s=300)
    event = json.loads(body)
    assert event["type"] == "payment.succeeded" and event["data"]["purchase_id"] == "purchase-1"


async def test_declining_test_cards(cloud_context: CloudContext) -> None:
    sandbox = SandboxProvider(
        cloud_context.sessions, cloud_context.clock, webhook_secret=b"x", card_delay_s=0
    )
    for number, message in (
        ("4000000000000002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
    ):
        method = await sandbox.register_method({"type": "card", "number": number})
        result = await sandbox.charge(
            ChargeRequest(
                f"p-{number}",
                f"PH-{number[-4:]}-0000",
                499,
                "EUR",
                "card",
                method.provider_ref,
                False,
            )
        )
        assert result.declined and result.message == message
    # Pays once, declines renewals.
    method = await sandbox.register_method({"type": "card", "number": "4000000000000341"})
    first = await sandbox.charge(
        ChargeRequest("p-a", "PH-AAAA-0341", 499, "EUR", "card", method.provider_ref, False)
    )
    renewal = await sandbox.charge(
        ChargeRequest("p-b", "PH-BBBB-0341", 499, "EUR", "card", method.provider_ref, True)
    )
    assert not first.declined and renewal.declined
    # Charging the same purchase again is answered as the first time, never a second payment.
    again = await sandbox.charge(
        ChargeRequest("p-a", "PH-AAAA-0341", 499, "EUR", "card", method.provider_ref, False)
    )
    assert again.provider_payment_id == first.provider_payment_id


def test_luhn() -> None:
    assert luhn_ok("4242424242424242") and not luhn_ok("4242424242424241")
