"""The session controller with the real cloud and agent: a window closed while its session
is still opening ends it at once, and the person at the computer is no longer asked."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from app.viewer.controllers.session import SessionController
from app.viewer.views.session_window import SessionWindow
from tests.support.api import Api
from tests.support.sessions import AskedHost, entitled_online_host, open_session, session_logged
from tests.support.waiting import eventually

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
WAITING = "Waiting for the person at the computer to allow the connection…"


async def test_closing_the_window_while_the_person_is_asked_withdraws_the_question(
    api: Api, qtbot: QtBot
) -> None:
    host_ui = AskedHost()
    async with entitled_online_host(api, host_ui=host_ui) as host:
        controller = SessionController()
        window = SessionWindow(controller, "Studio")
        qtbot.addWidget(window)
        states: list[tuple[str, str]] = []
        controller.state_changed.connect(lambda state, detail: states.append((state, detail)))
        window.show()
        grant = await open_session(api, host)
        running = asyncio.ensure_future(controller.run(api.url, grant, None))
        try:
            async with asyncio.timeout(20):
                await host_ui.asked.wait()
            await eventually(lambda: ("connecting", WAITING) in states, 20, "the window to wait")
            window.close()  # while the person at the computer still reads the question
            async with asyncio.timeout(10):
                await running
                await host_ui.withdrawn.wait()
        finally:
            running.cancel()
        assert states[-1] == ("closed", "Closed by the viewer.")
        assert controller.session is None and not host.sessions.live
        # Nobody said no: the session log says it ended, not that it was declined.
        await session_logged(api, host.user, "ended")
