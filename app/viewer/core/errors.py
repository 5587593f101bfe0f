"""What can go wrong talking to the cloud, as one exception tree the UI can act on.

Every exception carries ``.message``, a sentence to show people (the cloud's own
``message`` when it sent one), ``.code`` (the cloud's ``error`` code, or ``""`` when the
failure happened before the cloud answered) and ``.retryable`` (whether trying the same
thing again may work, i.e. whether the UI offers a Retry button)::

    CloudError                  anything else (403, an answer the app cannot read)
    ├── CloudUnreachable        no answer: connection refused, timed out, dropped  (retryable)
    ├── ServerError             5xx: the cloud failed                              (retryable)
    ├── SessionExpired          the sign-in ended or was refused: back to sign-in
    ├── WrongCredentials        401 invalid_credentials at sign-in
    │   └── CodeRequired        401 otp_required / invalid_otp: two-factor is on
    ├── Throttled               429, with .retry_after_s                           (retryable)
    ├── SubscriptionRequired    402
    ├── NotFound                404 (also another account's computer)
    ├── Conflict                409: email taken, computer offline, limit reached…
    │   └── InFlight            409 idempotency_key_in_flight: the same purchase is
    │                           still being processed, .retry_after_s              (retryable)
    ├── Invalid                 400, 413, 422: the request was refused as it stands
    └── PaymentDeclined         the payment was declined or the payment method refused
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.viewer.core.i18n import tr, translating


class CloudError(Exception):
    """Base of every error of the cloud layer."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        #: For people: a whole sentence, shown as is.
        self.message = message
        #: The cloud's machine-readable ``error`` code, when it answered.
        self.code = code
        #: The HTTP status, when the cloud answered.
        self.status = status


class CloudUnreachable(CloudError):
    """The cloud did not answer (offline, refused, timed out, connection dropped)."""

    retryable = True


class ServerError(CloudError):
    """The cloud answered with a 5xx: its fault, and usually passing."""

    retryable = True


class SessionExpired(CloudError):
    """The sign-in is over (expired, signed out elsewhere, refresh token refused)."""


class WrongCredentials(CloudError):
    """The email or password is wrong."""


class CodeRequired(WrongCredentials):
    """The password was right, and two-factor is on: the code is missing or wrong."""


class Throttled(CloudError):
    """Too many attempts; the same call works again after ``retry_after_s`` seconds."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after_s: float, code: str = "", status: int | None = 429
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after_s = retry_after_s


class SubscriptionRequired(CloudError):
    """The call needs an active subscription."""


class NotFound(CloudError):
    """No such thing in this account."""


class Conflict(CloudError):
    """The request clashes with the current state (for example the computer is offline)."""

    def __init__(self, message: str, *, code: str = "", status: int | None = 409) -> None:
        super().__init__(message, code=code, status=status)
        # "busy": someone else was changing the subscription at the same moment.
        self.retryable = code == "busy"


class InFlight(Conflict):
    """The same purchase (same Idempotency-Key) is still being processed: retry soon with
    the same key to learn its outcome."""

    retryable = True

    def __init__(self, message: str, *, retry_after_s: float, code: str = "") -> None:
        super().__init__(message, code=code)
        self.retryable = True
        self.retry_after_s = retry_after_s


class Invalid(CloudError):
    """The cloud refused the request as it stands (a bad field, an unknown plan or code)."""


class PaymentDeclined(CloudError):
    """The payment was declined (card refused, insufficient funds) or the payment method
    was refused (an invalid card number). Another method may work; the same will not."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        status: int | None = None,
        purchase_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status)
        #: The failed purchase, when the cloud recorded one (a declined charge).
        self.purchase_id = purchase_id


def _retry_after(headers: Mapping[str, str]) -> float:
    try:
        return max(0.0, float(headers.get("retry-after", "1")))
    except ValueError:
        return 1.0  # an HTTP date or junk: waiting a second is a safe reading


def error_from_answer(status: int, body: Any, headers: Mapping[str, str]) -> CloudError:
    """The exception for a refusal from the cloud (``{"error": code, "message": text}``)."""
    code = str(body.get("error", "")) if isinstance(body, dict) else ""
    sent = body.get("message") if isinstance(body, dict) else None
    message = str(sent) if isinstance(sent, str) and sent.strip() else ""

    def said(fallback: str) -> str:
        # ``fallback`` comes translated (a literal in ``tr``, for the extractor to find).
        # The cloud writes English: in another language our own sentence for the same
        # refusal reads better than the cloud's exact words.
        if translating():
            return fallback
        return message or fallback

    if status == 401 and code == "otp_required":
        return CodeRequired(
            said(tr("Enter the 6-digit code from your authenticator app (or a recovery code).")),
            code=code,
            status=401,
        )
    if status == 401 and code == "invalid_otp":
        return CodeRequired(
            said(
                tr("That code is not right. Check the time on your phone, or use a recovery code.")
            ),
            code=code,
            status=401,
        )
    if status == 401 and code == "invalid_credentials":
        return WrongCredentials(
            said(tr("The email or password is incorrect.")), code=code, status=401
        )
    if status == 401:
        return SessionExpired(
            said(tr("Your sign-in has ended. Sign in again.")), code=code, status=401
        )
    if status == 402:
        return SubscriptionRequired(
            said(tr("This needs an active subscription.")), code=code, status=402
        )
    if status == 404:
        return NotFound(said(tr("It is not there any more.")), code=code, status=404)
    if status == 409 and code == "idempotency_key_in_flight":
        return InFlight(
            said(tr("The same purchase is still being processed; retry in a moment.")),
            code=code,
            retry_after_s=_retry_after(headers),
        )
    if status == 409:
        return Conflict(said(tr("That clashes with a change made meanwhile.")), code=code)
    if status == 422 and code == "payment_method_invalid":
        return PaymentDeclined(said(tr("The payment method was refused.")), code=code, status=422)
    if status in (400, 413, 422):
        return Invalid(said(tr("The cloud refused the request.")), code=code, status=status)
    if status == 429:
        return Throttled(
            said(tr("Too many attempts. Wait a moment and try again.")),
            code=code,
            retry_after_s=_retry_after(headers),
        )
    if status >= 500:
        return ServerError(
            said(tr("Something went wrong on the cloud's side. Try again in a moment.")),
            code=code,
            status=status,
        )
    fallback = tr("The cloud refused the request ({status}).").format(status=status)
    return CloudError(message or fallback, code=code, status=status)
