"""The session bar's "Match device": on a computer that can change its resolution (a real X
server through a real agent) the computer's screen takes the window's picture area, and
follows the window when it is resized; off, the computer has its own again. On one that
cannot (the demo screen), the button stays disabled and nothing is asked."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.agent.capture.x11 import list_monitors
from tests.conftest import x_server
from tests.support.api import Api
from tests.support.qt import qt_until, screenshot
from tests.support.session_window import demo_session_window, session_window
from tests.support.sessions import entitled_online_host

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def display_size(name: str) -> tuple[int, int]:
    [monitor] = list_monitors(name)
    return monitor.width, monitor.height


def fitted_to(width: int, height: int) -> tuple[int, int]:
    """What the agent gives for a picture area of that size (widths by 8)."""
    return width // 8 * 8, height // 2 * 2


@on_sqlite
async def test_the_computer_takes_the_windows_shape_and_follows_it(api: Api, qtbot: QtBot) -> None:
    with x_server(1920, 1200) as name:
        async with (
            entitled_online_host(api, source="x11", display_name=name) as host,
            session_window(api, qtbot, host) as (window, controller, _),
        ):
            button = window.fit_button
            await qt_until(button.isEnabled, 20, "the computer saying it can fit")
            assert not button.isChecked() and display_size(name) == (1920, 1200)

            button.click()
            area = window.video.size()
            wanted = fitted_to(area.width(), area.height())
            await qt_until(lambda: display_size(name) == wanted, 20, "the window's shape")
            session = controller.session
            assert session is not None
            await qt_until(
                lambda: (
                    session.latest is not None
                    and session.latest.rgb.shape[:2] == (wanted[1], wanted[0])
                ),
                20,
                "a picture of the new size",
            )
            screenshot(window, "session-match-device")

            # An upright window: the computer's screen turns upright once it settles.
            window.resize(700, 1000)
            area = window.video.size()
            upright = fitted_to(area.width(), area.height())
            assert upright[1] > upright[0]
            await qt_until(lambda: display_size(name) == upright, 20, "the upright shape")

            button.click()  # off: the computer's own resolution, session still live
            await qt_until(lambda: display_size(name) == (1920, 1200), 20, "its own again")
            assert session.state == "live"


@on_sqlite
async def test_a_computer_that_keeps_its_resolution_leaves_the_button_off(
    api: Api, qtbot: QtBot
) -> None:
    async with demo_session_window(api, qtbot, fit_screen=True) as (window, controller, _):
        session = controller.session
        assert session is not None
        target = session.stats.heartbeats + 2
        await qt_until(lambda: session.stats.heartbeats >= target, 20, "heartbeats")
        assert not window.fit_button.isEnabled()
        assert session.detail == ""  # nothing asked, nothing refused
