"""Webhook signatures in the ``Stripe-Signature: t=…,v1=…`` scheme: HMAC-SHA256 over
``"{t}.{raw body}"``, checked on the raw bytes, with a tolerance on ``t`` against replays."""

from __future__ import annotations

import hashlib
import hmac


class InvalidSignature(Exception):
    """The event was not signed by our provider, was altered, or is too old."""


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: bytes, body: bytes, header: str | None, *, now: float, tolerance_s: int) -> None:
    if not header:
        raise InvalidSignature("missing Stripe-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidSignature("malformed Stripe-Signature header")
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    # Several v1 values are allowed so a secret can be rotated without downtime.
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidSignature("signature does not match the body")
    if abs(now - timestamp) > tolerance_s:
        raise InvalidSignature("timestamp outside the tolerance: a stale or replayed event")
