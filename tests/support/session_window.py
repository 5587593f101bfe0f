"""A session window on a real agent's demo desktop, for the view tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.agent.capture.demo import DemoScreen
from app.viewer.controllers.session import SessionController
from app.viewer.views.session_window import SessionWindow
from tests.support.api import Api
from tests.support.qt import qt_until
from tests.support.sessions import entitled_online_host, open_session


@contextlib.asynccontextmanager
async def demo_session_window(
    api: Api,
    qtbot: QtBot,
    bar_hide_ms: int = 600_000,
    home: Path | None = None,
    host_sound: bool | None = None,
    **controller_options: Any,
) -> AsyncIterator[tuple[SessionWindow, SessionController, DemoScreen]]:
    """A 1000x700 session window showing a real agent's demo desktop (a picture shown);
    its bar stays unless ``bar_hide_ms`` says otherwise (a test's touches move nothing)."""
    async with entitled_online_host(api, home=home, sound=host_sound) as host:
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
            demo = live.desktop.screen
            assert isinstance(demo, DemoScreen)
            yield window, controller, demo
        finally:
            window.close()
            await asyncio.wait_for(running, 10)
