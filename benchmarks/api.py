"""Setting up accounts and enrolled computers through the cloud's public API."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

PASSWORD = "benchmark horse battery"
# Access tokens live 15 minutes by default; sign in again well before that.
TOKEN_REFRESH_AFTER_S = 10 * 60


class ApiError(Exception):
    pass


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise ApiError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: {response.text[:300]}"
        )
    return response


@dataclass
class Account:
    email: str
    password: str = PASSWORD
    access_token: str = ""
    signed_in_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def headers(self, http: httpx.AsyncClient) -> dict[str, str]:
        """A bearer header with a fresh enough access token."""
        async with self._lock:
            if time.monotonic() - self.signed_in_at > TOKEN_REFRESH_AFTER_S:
                await sign_in(http, self)
        return {"Authorization": f"Bearer {self.access_token}"}


def new_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@bench.example.com"


async def create_account(http: httpx.AsyncClient, label: str) -> Account:
    account = Account(new_email(label))
    expect(
        await http.post(
            "/api/v1/accounts", json={"email": account.email, "password": account.password}
        ),
        201,
    )
    return account


async def sign_in(http: httpx.AsyncClient, account: Account) -> str:
    body = expect(
        await http.post(
            "/api/v1/auth/token", json={"email": account.email, "password": account.password}
        ),
        200,
    ).json()
    account.access_token = str(body["access_token"])
    account.signed_in_at = time.monotonic()
    return account.access_token


async def enroll(http: httpx.AsyncClient, account: Account, name: str) -> str:
    """Enrol one computer with a fresh enrolment code; return its agent token."""
    code = expect(
        await http.post("/api/v1/enrollment-codes", headers=await account.headers(http)), 201
    ).json()["code"]
    enrolled = expect(
        await http.post(
            "/api/v1/agents",
            json={"enrollment_code": code, "name": name, "os": "Linux 6.1 (benchmark)"},
        ),
        201,
    ).json()
    return str(enrolled["agent_token"])


@dataclass
class Enrolled:
    tokens: list[str] = field(default_factory=list)
    # Connections the cloud dropped without an answer; the enrolment was tried again.
    transport_errors: Counter[str] = field(default_factory=Counter)


async def enroll_many(
    http: httpx.AsyncClient,
    account: Account,
    count: int,
    concurrency: int,
    on_progress: Callable[[int], None] | None = None,
    attempts: int = 3,
) -> Enrolled:
    """Enrol ``count`` computers, at most ``concurrency`` at a time.

    A request the cloud drops without answering is retried with a fresh code (a dropped
    ``POST /agents`` may still have created an offline computer) and counted, so the
    setup finishes and the report still shows it."""
    enrolled = Enrolled()
    names = iter(range(count))

    async def worker() -> None:
        for number in names:  # shared iterator: each worker takes the next name
            for attempt in range(attempts):
                try:
                    token = await enroll(http, account, f"bench-{number:05d}")
                except httpx.TransportError as exc:
                    enrolled.transport_errors[type(exc).__name__] += 1
                    if attempt == attempts - 1:
                        raise
                else:
                    enrolled.tokens.append(token)
                    break
            if on_progress is not None:
                on_progress(len(enrolled.tokens))

    await asyncio.gather(*(worker() for _ in range(min(concurrency, count))))
    return enrolled


async def computers(http: httpx.AsyncClient, account: Account) -> list[dict[str, object]]:
    response = await http.get("/api/v1/computers", headers=await account.headers(http))
    return list(expect(response, 200).json())
