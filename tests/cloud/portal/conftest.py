"""The portal in headless Chromium against the real cloud (uvicorn on 127.0.0.1, SQLite,
the sandbox payment provider)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.cloud.clock import OffsetClock
from tests.conftest import fast_settings
from tests.support.api import PASSWORD
from tests.support.browser import PageWatch, launched
from tests.support.server import OPERATOR_HEADERS, CloudThread


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Per module, not per session: Playwright's sync API holds an event loop while it
    # runs, and the asyncio tests that follow on this worker need it gone.
    with launched() as browser:
        yield browser


@pytest.fixture
def portal_cloud(tmp_path: Path) -> Iterator[CloudThread]:
    settings = fast_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}",
        # Long enough to see "pending" on the page, short enough for a test.
        sandbox_card_delay_s=1.5,
    )
    server = CloudThread(settings, OffsetClock()).start()
    yield server
    server.stop()


class CloudApi:
    """The test's own hand on the cloud: accounts, and the sandbox's money."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30, headers=OPERATOR_HEADERS)

    def sign_up(self, email: str | None = None) -> str:
        email = email or f"{uuid.uuid4().hex[:10]}@example.com"
        created = self.http.post("/api/v1/accounts", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201, created.text
        return email

    def token(self, email: str) -> dict[str, str]:
        response = self.http.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def purchases(self, email: str) -> list[dict[str, Any]]:
        response = self.http.get("/api/v1/purchases", headers=self.token(email))
        assert response.status_code == 200
        return list(response.json())

    def receive(self, reference: str, amount_cents: int) -> None:
        response = self.http.post(
            f"/sandbox/v1/payments/{reference}/receive", json={"amount_cents": amount_cents}
        )
        assert response.status_code == 200, response.text

    def advance(self, seconds: float) -> None:
        """Moves the cloud's sandbox clock (renewals, expiry, session lifetimes)."""
        response = self.http.post("/sandbox/v1/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text

    def run_renewals(self) -> dict[str, int]:
        response = self.http.post("/sandbox/v1/renewals/run")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def bundle_code(self, months: int = 12) -> str:
        response = self.http.post("/sandbox/v1/bundles", json={"months": months})
        assert response.status_code == 200, response.text
        return str(response.json()["codes"][0])

    def enrolment_code(self, email: str) -> str:
        response = self.http.post("/api/v1/enrollment-codes", headers=self.token(email))
        assert response.status_code == 201, response.text
        return str(response.json()["code"])


@pytest.fixture
def cloud_api(portal_cloud: CloudThread) -> Iterator[CloudApi]:
    api = CloudApi(portal_cloud.url)
    yield api
    api.http.close()


class OpenPage:
    """Opens the portal in fresh browser contexts (each its own cookies) and watches every
    page: after the test, any console error, server error, failed request or request to
    another host fails it, unless the test said that failure is part of its scenario."""

    def __init__(self, browser: Any, url: str) -> None:
        self.browser = browser
        self.url = url
        self.contexts: list[Any] = []
        self.watches: list[PageWatch] = []
        self.expected: list[str] = []

    def __call__(
        self,
        route: str = "#/signin",
        *,
        locale: str = "en-GB",
        width: int = 1280,
        height: int = 900,
    ) -> Any:
        context = self.browser.new_context(
            locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        watch = PageWatch(self.url)
        watch.attach(page)
        self.watches.append(watch)
        page.goto(f"{self.url}/{route}")
        return page

    def expect_failure(self, text: str) -> None:
        self.expected.append(text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        problems = [
            problem
            for watch in self.watches
            for problem in watch.problems
            if not any(text in problem for text in self.expected)
        ]
        assert not problems, "\n".join(problems)


@pytest.fixture
def open_page(browser: Any, portal_cloud: CloudThread) -> Iterator[OpenPage]:
    pages = OpenPage(browser, portal_cloud.url)
    yield pages
    pages.close()


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    # The hash router draws a page after the click or load that asked for it: typing
    # before the sign-in page is there would type into the page it replaces.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#subscription-banner").wait_for()
