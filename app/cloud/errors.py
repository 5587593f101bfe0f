"""The cloud's one exception tree. Every error reaches clients as ``{"error", "message"}``.

ApiError                      400 and any code a subclass or instance sets
├── BadRequest                400
├── Unauthorized              401 (sign-in needed or credentials refused)
├── PaymentRequired           402 (no subscription that entitles it)
├── Forbidden                 403 (a browser request without its CSRF proof)
├── NotFound                  404 (also for other accounts' things: nothing leaks)
├── Conflict                  409
├── PayloadTooLarge           413
├── TooManyRequests           429 with Retry-After
└── Unavailable               503 (a part of the cloud is briefly unreachable; retry)
"""

from __future__ import annotations

import math


class ApiError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class PaymentRequired(ApiError):
    status = 402
    code = "subscription_required"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "body_too_large"


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = max(1, math.ceil(retry_after_s))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class Unavailable(ApiError):
    status = 503
    code = "try_again"

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "2"}
