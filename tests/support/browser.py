"""Headless Chromium (Debian's, not a downloaded one) driven by Playwright, with the
checks every portal test gets for free: no console error, no failed request, nothing
fetched from anywhere but the cloud under test, no CSP violation."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCREENSHOTS = Path(os.environ.get("PORTHOLE_SCREENSHOTS", "build/screenshots")) / "portal"
REQUIRE_CHROMIUM = os.environ.get("PORTHOLE_REQUIRE_CHROMIUM") == "1"
# As root in CI Chromium needs --no-sandbox; the rest keep it off this machine's closed
# network (background updates, sync, QUIC probes to Google).
EXPECTED_REFUSAL = "Failed to load resource: the server responded with a status of 4"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    message = "Debian's chromium is not installed (scripts/install-system-packages test)"
    if REQUIRE_CHROMIUM:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class PageWatch:
    """What a page did that a user could notice going wrong."""

    origin: str
    problems: list[str] = field(default_factory=list)

    def attach(self, page: object) -> None:
        from playwright.sync_api import ConsoleMessage, Page, Request, Response

        assert isinstance(page, Page)

        def console(message: ConsoleMessage) -> None:
            # Chromium logs every 4xx answer; those the portal expects (a wrong password,
            # a taken email) it shows to the person, and tests check what it shows.
            if message.text.startswith(EXPECTED_REFUSAL):
                return
            if message.type in ("error", "warning"):
                self.problems.append(f"console {message.type}: {message.text}")

        def response(response: Response) -> None:
            if response.status >= 500:
                self.problems.append(f"server error {response.status}: {response.url}")

        def failed(request: Request) -> None:
            # A fetch cut short by a navigation (a reload, leaving the page) is not a fault.
            if request.failure != "net::ERR_ABORTED":
                self.problems.append(f"failed: {request.url} {request.failure}")

        def request(request: Request) -> None:
            parts = urlsplit(request.url)
            if parts.scheme in ("data", "blob"):
                return
            if f"{parts.scheme}://{parts.netloc}" not in (self.origin, self.ws_origin):
                self.problems.append(f"request to another host: {request.url}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", request)
        page.on("response", response)
        page.on("requestfailed", failed)

    @property
    def ws_origin(self) -> str:
        return "ws://" + self.origin.removeprefix("http://")


def screenshot(page: object, name: str) -> Path:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def launched() -> Iterator[object]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
