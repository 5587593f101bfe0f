"""Wake-on-LAN in the app against the real cloud: a sleeping computer's card offers Wake
while another computer of the account is online on its network; pressing it reaches
that computer's agent, the card says "Waking…", and the computer's presence coming live
turns it back into Connect."""

from __future__ import annotations

import asyncio

import pytest

from app.viewer.controllers.app import AppController
from app.viewer.qt import QtCore, QtTest
from tests.support.api import PASSWORD, Api, EventStream
from tests.support.qt import qt_until, screenshot
from tests.support.wake import DESK, HOME, MEDIA_WIRED, Agent
from tests.viewer.controllers.test_app import sign_in_through_the_form

Qt = QtCore.Qt


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_sleeping_computer_is_woken_from_its_card(app: AppController, api: Api) -> None:
    user = await api.sign_up()
    desk = await api.enroll(user, "Desk")
    media = await api.enroll(user, "Media PC")
    sleeper = Agent(api, media["agent_token"], HOME)
    async with EventStream(api, user) as events:
        async with sleeper.online(events, media["computer_id"]):
            pass  # its adapters are known; now it sleeps
        await sign_in_through_the_form(app, user.email, PASSWORD)
        rows = app.window.computers.rows
        await qt_until(lambda: media["computer_id"] in rows, 10, "the sleeping computer's card")
        await qt_until(lambda: app.feed is not None and app.feed.state == "live", 10, "live")
        row = rows[media["computer_id"]]
        # Alone on its network: nothing can wake it, and nothing offers to.
        assert not row.wake_button.isVisible() and not row.connect_button.isEnabled()

        relay = Agent(api, desk["agent_token"], DESK)
        async with relay.online(events, desk["computer_id"]):
            # The desk comes online on its network: the sleeping computer's card offers Wake.
            await qt_until(lambda: row.wake_button.isVisible(), 10, "Wake on the card")
            assert not row.connect_button.isVisible()
            assert row.wake_button.text() == "Wake" and row.wake_button.isEnabled()
            assert not rows[desk["computer_id"]].wake_button.isVisible()
            screenshot(app.window, "computers-wake")

            QtTest.QTest.mouseClick(row.wake_button, Qt.MouseButton.LeftButton)
            assert row.wake_button.text() == "Waking…" and not row.wake_button.isEnabled()
            request = await asyncio.wait_for(relay.wakes.get(), 10)
            assert request.computer_id == media["computer_id"]
            assert request.targets[0].mac == MEDIA_WIRED
            await qt_until(
                lambda: "Waking Media PC through Desk" in app.window.status.currentMessage(),
                10,
                "what the app says",
            )
            screenshot(app.window, "computers-waking")

            # It wakes: its agent links up, and the card is Connect again.
            async with Agent(api, media["agent_token"], HOME).online(
                events, media["computer_id"], new_adapters=False
            ):
                await qt_until(lambda: row.computer.online, 10, "the woken computer online")
                assert row.connect_button.isVisible() and row.connect_button.isEnabled()
                assert not row.wake_button.isVisible()
