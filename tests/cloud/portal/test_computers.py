"""The Computers tab: live presence from a real agent, rename, remove, enrolment codes,
and one account never seeing another's computers."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.cloud.clock import OffsetClock
from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.support.agent_process import porthole, start_agent
from tests.support.browser import screenshot
from tests.support.netns import veth_namespace
from tests.support.server import CloudThread

# One worker runs the browser tests, one after another: a single Chromium at a time.
pytestmark = pytest.mark.xdist_group("portal")


def enrol(cloud_api: CloudApi, email: str, state_dir: Path, name: str) -> None:
    enrolled = porthole(
        "agent", "--state-dir", str(state_dir), "enroll", "--cloud", cloud_api.url,
        "--name", name, "--code", cloud_api.enrolment_code(email),
    )  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr


def test_presence_turns_online_and_offline_live(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path
) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    expect(page.locator("#no-computers")).to_be_visible()
    expect(page.locator("#live-state")).to_have_text("Live updates on")
    enrol(cloud_api, email, tmp_path / "agent", "Studio PC")
    row = page.get_by_role("listitem", name="Studio PC")
    presence = row.locator(".presence")
    expect(presence).to_have_attribute("data-online", "false")  # added, live

    agent = start_agent(tmp_path / "agent", "--source", "demo")
    try:
        expect(presence).to_have_attribute("data-online", "true")
        expect(presence).to_have_text("Online")
        screenshot(page, "computers-online")
        agent.kill()
        agent.wait(15)
        expect(presence).to_have_attribute("data-online", "false")
        expect(row).to_contain_text("Last seen")
    finally:
        agent.kill()
        agent.wait(15)


def test_rename_remove_and_enrolment_code(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path
) -> None:
    email = cloud_api.sign_up()
    enrol(cloud_api, email, tmp_path / "a", "Old name")
    page = open_page()
    sign_in(page, email)
    page.get_by_role("button", name="Rename Old name").click()
    field = page.get_by_label("New name for Old name")
    field.fill("Kitchen kiosk")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("listitem", name="Kitchen kiosk")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Kitchen kiosk").click()
    expect(page.locator("#no-computers")).to_be_visible()
    assert cloud_api.http.get("/api/v1/computers", headers=cloud_api.token(email)).json() == []

    page.get_by_role("button", name="Get an enrolment code").click()
    code = page.locator("#enrolment-code").inner_text()
    expect(page.locator("pre.command")).to_contain_text(f"--code {code}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code
    screenshot(page, "computers-enrolment-code")
    enrol_with = porthole(
        "agent", "--state-dir", str(tmp_path / "b"), "enroll", "--cloud", cloud_api.url,
        "--name", "From the portal", "--code", code,
    )  # fmt: skip
    assert enrol_with.returncode == 0, enrol_with.stderr
    expect(page.get_by_role("listitem", name="From the portal")).to_be_visible()


def test_a_second_account_cannot_see_the_first_ones_computers(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path
) -> None:
    first, second = cloud_api.sign_up(), cloud_api.sign_up()
    enrol(cloud_api, first, tmp_path / "a", "First's PC")
    first_page: Any = open_page()
    sign_in(first_page, first)
    expect(first_page.get_by_role("listitem", name="First's PC")).to_be_visible()

    second_page: Any = open_page()
    sign_in(second_page, second)
    expect(second_page.locator("#no-computers")).to_be_visible()
    # The first account's computer, asked for by id with the second's cookie: not there.
    computer_id = first_page.get_by_role("listitem", name="First's PC").get_attribute(
        "data-computer-id"
    )
    # (with the context's own request client: a 404 in the page would log a console error)
    response = second_page.request.get(f"{cloud_api.url}/api/v1/computers/{computer_id}")
    assert response.status == 404
    # A computer added to the first account later never shows up on the second's page.
    enrol(cloud_api, first, tmp_path / "b", "First's laptop")
    expect(first_page.get_by_role("listitem", name="First's laptop")).to_be_visible()
    expect(second_page.locator("#no-computers")).to_be_visible()


def test_live_updates_come_back_after_the_cloud_restarts(
    open_page: OpenPage, cloud_api: CloudApi, portal_cloud: CloudThread, tmp_path: Path
) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    live = page.locator("#live-state")
    expect(live).to_have_text("Live updates on")
    # While the cloud is away the page's reconnection attempts fail, as they should.
    open_page.expect_failure("ERR_CONNECTION_REFUSED")
    open_page.expect_failure("WebSocket")
    portal_cloud.stop()
    expect(live).to_have_text("Reconnecting to live updates…")
    screenshot(page, "computers-reconnecting")

    again = CloudThread(portal_cloud.settings, OffsetClock(), port=portal_cloud.port).start()
    try:
        # Same database, same signing key: the session survives, and what happened while
        # the page was not listening shows up once it listens again.
        api_again = CloudApi(again.url)
        enrol(api_again, email, tmp_path / "agent", "Added meanwhile")
        api_again.http.close()
        expect(live).to_have_text("Live updates on", timeout=45_000)
        expect(page.get_by_role("listitem", name="Added meanwhile")).to_be_visible()
    finally:
        again.stop()


def test_live_updates_keep_the_keyboard_focus(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path
) -> None:
    email = cloud_api.sign_up()
    enrol(cloud_api, email, tmp_path / "a", "First PC")
    page = open_page()
    sign_in(page, email)
    rename = page.get_by_role("button", name="Rename First PC")
    rename.focus()
    enrol(cloud_api, email, tmp_path / "b", "Second PC")  # the list is redrawn, live
    expect(page.get_by_role("listitem", name="Second PC")).to_be_visible()
    expect(rename).to_be_focused()


def test_a_sleeping_computer_is_woken_from_the_list(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path
) -> None:
    """Two real agents on this machine (one network, one address): the one that reported
    its adapters sleeps, the other wakes it. Their one adapter is this side of a veth
    pair into a network namespace, so the magic packet never leaves the machine."""
    with veth_namespace() as link:
        wake_through_the_portal(open_page, cloud_api, tmp_path, link.host_interface)


def wake_through_the_portal(
    open_page: OpenPage, cloud_api: CloudApi, tmp_path: Path, interface: str
) -> None:
    adapter = {"PORTHOLE_WAKE_INTERFACES": interface}
    email = cloud_api.sign_up()
    enrol(cloud_api, email, tmp_path / "media", "Media PC")
    enrol(cloud_api, email, tmp_path / "desk", "Desk")
    page = open_page()
    sign_in(page, email)
    media_row = page.get_by_role("listitem", name="Media PC")
    presence = media_row.locator(".presence")
    media = start_agent(tmp_path / "media", "--source", "demo", env=adapter)
    try:
        expect(presence).to_have_attribute("data-online", "true")
        until(lambda: adapters_known(tmp_path / "cloud.db", "Media PC"), 15, "its adapters")
    finally:
        media.kill()
        media.wait(15)
    expect(presence).to_have_attribute("data-online", "false")
    wake = page.get_by_role("button", name="Wake Media PC")
    expect(wake).to_have_count(0)  # nothing on its network can wake it yet

    desk = start_agent(tmp_path / "desk", "--source", "demo", env=adapter)
    try:
        expect(wake).to_be_visible()
        screenshot(page, "computers-wake")
        wake.click()
        expect(page.get_by_text("Waking Media PC through Desk…")).to_be_visible()
        expect(wake).to_be_disabled()
        expect(wake).to_contain_text("Waking…")
        # It wakes (its agent links up): Wake gives way.
        media = start_agent(tmp_path / "media", "--source", "demo", env=adapter)
        expect(presence).to_have_attribute("data-online", "true")
        expect(wake).to_have_count(0)
    finally:
        for agent in (media, desk):
            agent.kill()
            agent.wait(15)


def adapters_known(database: Path, name: str) -> bool:
    with contextlib.closing(sqlite3.connect(database)) as db:
        row = db.execute("SELECT adapters FROM computers WHERE name = ?", (name,)).fetchone()
    return row is not None and row[0] is not None


def until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """A bounded wait on state with no event a synchronous test can await."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout_s} s for {what}"
        time.sleep(0.02)
