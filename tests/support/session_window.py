"""A session window on a real agent's demo desktop, for the view tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.agent.capture.demo import DemoScreen
from app.agent.session import LiveSession
from app.viewer.controllers.session import SessionController
from app.viewer.views.session_window import SessionWindow
from tests.support.api import Api
from tests.support.qt import qt_until
from tests.support.sessions import Host, entitled_online_host, open_session


@contextlib.asynccontextmanager
async def session_window(
    api: Api, qtbot: QtBot, host: Host, bar_hide_ms: int = 600_000, **controller_options: Any
) -> AsyncIterator[tuple[SessionWindow, SessionController, LiveSession]]:
    """A 1000x700 session window on ``host``'s screen, once a picture is shown; its bar
    stays unless ``bar_hide_ms`` says otherwise (a test's touches move nothing)."""
    granted = await open_session(api, host)
    controller = SessionController(**controller_options)
    window = SessionWindow(controller, "Studio")
    window.bar_hide_ms = bar_hide_ms
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    running = asyncio.ensure_future(controller.run(api.url, granted, None))
    try:
        await qt_until(lambda: window.video.painted_frame_id >= 0, 20, "a picture")
        [live] = host.sessions.live
        yield window, controller, live
    finally:
        window.close()
        await asyncio.wait_for(running, 10)


@contextlib.asynccontextmanager
async def demo_session_window(
    api: Api,
    qtbot: QtBot,
    bar_hide_ms: int = 600_000,
    home: Path | None = None,
    host_sound: bool | None = None,
    **controller_options: Any,
) -> AsyncIterator[tuple[SessionWindow, SessionController, DemoScreen]]:
    """``session_window`` on a real agent's demo desktop (its files in ``home``)."""
    async with (
        entitled_online_host(api, home=home, sound=host_sound) as host,
        session_window(api, qtbot, host, bar_hide_ms, **controller_options) as (
            window,
            controller,
            live,
        ),
    ):
        demo = live.desktop.screen
        assert isinstance(demo, DemoScreen)
        yield window, controller, demo
