"""README's first command: ``porthole demo`` brings up the cloud and an online demo computer."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from app.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.support.api import Api, EventStream
from tests.support.billing import CARD, buy, wait_state
from tests.support.browser import PageWatch, launched, screenshot


def _read_until(process: subprocess.Popen[str], marker: str, timeout_s: float) -> str:
    assert process.stdout is not None
    timer = threading.Timer(timeout_s, process.kill)
    timer.start()
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                return "".join(seen)
    finally:
        timer.cancel()
    raise AssertionError("demo output ended early:\n" + "".join(seen[-40:]))


def test_demo_runs_cloud_and_an_online_demo_computer(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "demo", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = _read_until(process, "Press Ctrl+C", timeout_s=90)
        match = re.search(r"Web portal:\s+(http://127\.0\.0\.1:\d+)/", output)
        assert match, output
        with httpx.Client(base_url=match.group(1), timeout=30) as http:
            tokens = http.post(
                "/api/v1/auth/token", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            ).json()
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            [computer] = http.get("/api/v1/computers", headers=headers).json()
            assert computer["name"] == "Demo computer" and computer["online"] is True
        # The viewer opened signed in to the demo account (offscreen here).
        _read_until(process, f"signed in as {DEMO_EMAIL}", timeout_s=60)
        asyncio.run(_buy_and_see_it_go_active(match.group(1)))
        _portal_shows_the_demo(match.group(1))
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
    finally:
        process.kill()
        process.wait(10)


async def _buy_and_see_it_go_active(url: str) -> None:
    """The demo account buys with a card and sees the subscription go active live."""
    async with Api(url) as api:
        user = await api.sign_in(DEMO_EMAIL, DEMO_PASSWORD)
        async with EventStream(api, user) as events:
            bought = await buy(api, user, "month-1", CARD)
            assert bought.status_code == 201 and bought.json()["state"] == "pending"
            # The demo's sandbox confirms cards after its default delay, by itself.
            active = await wait_state(api, user, events, "active", timeout_s=30)
        assert active["plan"] == "month-1"


def _portal_shows_the_demo(url: str) -> None:
    """The demo's cloud serves the portal: in Chromium, the demo account sees its active
    subscription and its online computer."""
    from playwright.sync_api import expect

    with launched() as browser:
        page = browser.new_page()  # type: ignore[attr-defined]
        watch = PageWatch(url)
        watch.attach(page)
        page.goto(f"{url}/#/computers")
        page.get_by_label("Email").fill(DEMO_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#subscription-banner")).to_have_attribute("data-state", "active")
        row = page.get_by_role("listitem", name="Demo computer")
        expect(row.locator(".presence")).to_have_text("Online")
        screenshot(page, "demo-computers")
        assert not watch.problems, watch.problems
