"""A session under the viewer's own event loop (qasync, as ``porthole`` and the kiosk run
it), not the tests' asyncio loop: it stays up until stopped. Under qasync every asyncio
deadline is a Qt timer, and an infinite one raised at once, ending each session as soon
as it was live."""

from __future__ import annotations

import asyncio

import pytest

from app.viewer.controllers.session import SessionController
from app.viewer.qt import QtWidgets, qasync
from app.viewer.views.session_window import SessionWindow
from tests.support.api import Api
from tests.support.server import CloudThread
from tests.support.sessions import entitled_online_host, open_session


async def live_until_stopped(url: str) -> list[str]:
    async with Api(url) as api, entitled_online_host(api) as host:
        granted = await open_session(api, host)
        controller = SessionController()
        window = SessionWindow(controller, "Studio")
        states: list[str] = []
        live = asyncio.Event()

        def changed(state: str, detail: str) -> None:
            states.append(state)
            if state == "live":
                live.set()

        controller.state_changed.connect(changed)
        window.show()
        grant = granted
        running = asyncio.ensure_future(controller.run(api.url, grant, None))
        try:
            async with asyncio.timeout(20):
                await live.wait()
            assert controller.session is not None
            await controller.session.next_picture(10)
            assert not running.done(), states
            assert controller.session.state == "live"
        finally:
            window.close()  # stops the controller
            await asyncio.wait_for(running, 10)
        return states


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_session_stays_up_under_qasync(cloud: CloudThread, qapp: QtWidgets.QApplication) -> None:
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)  # closing the window must not end the loop
    loop = qasync.QEventLoop(qapp)
    try:
        states = loop.run_until_complete(live_until_stopped(cloud.url))
    finally:
        loop.close()
        qapp.setQuitOnLastWindowClosed(quits)
    assert states[0] == "connecting" and states[1] == "live" and states[-1] == "closed"
    assert states.count("live") == 1, states
