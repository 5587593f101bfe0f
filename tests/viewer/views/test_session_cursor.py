"""The session window draws the computer's pointer (a real X server's, through a real
agent) where it is on the host, twice as large after a touch, and not while a mouse is
over the window (this device's own pointer is there)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from Xlib import display

from app.viewer.qt import QtCore, QtGui, QtTest
from tests.support.api import Api
from tests.support.qt import qt_until
from tests.support.session_window import session_window
from tests.support.sessions import entitled_online_host


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_hosts_pointer_is_drawn_where_it_is(
    api: Api, qtbot: QtBot, x_display: str, probe: display.Display
) -> None:
    root = probe.screen().root
    root.warp_pointer(640, 360)
    probe.sync()
    async with (
        entitled_online_host(api, source="x11", display_name=x_display) as host,
        session_window(api, qtbot, host) as (window, controller, _),
    ):
        video = window.video
        await qt_until(lambda: video.host_cursor_rect is not None, 20, "the pointer drawn")

        def tip() -> tuple[float, float]:
            """Where the drawn pointer's hotspot is, in widget pixels."""
            rect, session = video.host_cursor_rect, controller.session
            assert rect is not None and session is not None and session.cursor is not None
            shape = session.cursor_shapes[session.cursor.serial]
            scale = rect.width() / shape.width
            return rect.x() + shape.hot_x * scale, rect.y() + shape.hot_y * scale

        def at(x: float, y: float) -> bool:
            expected = controller.viewport.to_widget(x, y)
            return abs(tip()[0] - expected[0]) < 1 and abs(tip()[1] - expected[1]) < 1

        await qt_until(lambda: at(0.5, 0.5), 10, "the pointer in the middle")
        root.warp_pointer(320, 540)  # moved on the host
        probe.sync()
        await qt_until(lambda: at(0.25, 0.75), 10, "the pointer where it went")
        small = video.host_cursor_rect
        assert small is not None

        # A mouse over the window: its own pointer shows, the drawn one goes.
        where = QtCore.QPointF(100, 100)
        moved = QtGui.QMouseEvent(
            QtCore.QEvent.Type.MouseMove,
            where,
            video.mapToGlobal(where),
            QtCore.Qt.MouseButton.NoButton,
            QtCore.Qt.MouseButton.NoButton,
            QtCore.Qt.KeyboardModifier.NoModifier,
        )
        QtCore.QCoreApplication.sendEvent(video, moved)
        await qt_until(lambda: video.host_cursor_rect is None, 10, "the drawn pointer gone")

        # A finger: the drawn pointer is back, twice as large.
        device = QtTest.QTest.createTouchDevice()
        finger = QtCore.QPoint(500, 300)
        QtTest.QTest.touchEvent(video, device, False).press(0, finger, video).commit()
        QtTest.QTest.touchEvent(video, device, False).release(0, finger, video).commit()
        await qt_until(lambda: video.host_cursor_rect is not None, 10, "the pointer back")
        large = video.host_cursor_rect
        assert large is not None and large.width() == pytest.approx(2 * small.width())
