"""The Sessions page: the session log of the account, updated live as a real session (a
real agent process, the viewer core) starts and ends."""

from __future__ import annotations

import asyncio
import platform
import threading
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from app.protocol.secure import StaticKey
from app.viewer.core.grants import request_session
from app.viewer.core.session import ViewerSession
from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.cloud.portal.test_computers import enrol
from tests.support.agent_process import start_agent
from tests.support.browser import screenshot

pytestmark = pytest.mark.xdist_group("portal")


def one_session(url: str, headers: dict[str, str], computer_id: str) -> None:
    """A viewer opens a session, sees the screen, and leaves (in a thread of its own: the
    browser's driver owns this one)."""

    async def run() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            grant = await request_session(http, headers, computer_id, StaticKey.generate())
        async with ViewerSession(url, grant) as session:
            await session.next_picture(timeout_s=20)

    failures: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(60)
    assert not thread.is_alive() and not failures, failures


def test_the_session_log_shows_who_connected_live(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path
) -> None:
    email = cloud_api.sign_up()
    headers = cloud_api.token(email)
    redeemed = cloud_api.http.post(
        "/api/v1/bundles/redeem", headers=headers, json={"code": cloud_api.bundle_code()}
    )
    assert redeemed.status_code == 200, redeemed.text
    enrol(cloud_api, email, tmp_path / "agent", "Studio PC")
    agent = start_agent(tmp_path / "agent", "--source", "demo")
    try:
        page = open_page()
        sign_in(page, email)
        page.get_by_role("link", name="Sessions").click()
        expect(page.locator("#no-sessions")).to_be_visible()
        # The computer must be online before a session can be granted.
        page.get_by_role("link", name="Computers").click()
        computer_row = page.get_by_role("listitem", name="Studio PC")
        expect(computer_row.locator(".presence")).to_have_attribute("data-online", "true")
        page.get_by_role("link", name="Sessions").click()
        expect(page.locator("#no-sessions")).to_be_visible()
        [computer] = cloud_api.http.get("/api/v1/computers", headers=headers).json()
        one_session(cloud_api.url, headers, computer["id"])
        row = page.locator("#session-table tbody tr")
        expect(row).to_have_count(1)  # drawn live, no reload
        expect(row).to_contain_text("Studio PC")
        expect(row).to_contain_text(f"{platform.node()} (127.0.0.1)")
        expect(row).to_have_attribute("data-outcome", "ended")
        expect(row).to_contain_text("Ended, through the relay")
        screenshot(page, "sessions")
    finally:
        agent.kill()
        agent.wait(15)
