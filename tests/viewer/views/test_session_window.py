"""The session window against a real agent's demo desktop: the picture is shown
letterboxed, and touch, mouse and keys drive the desktop (read back from its state)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.agent.capture.demo import DemoScreen
from app.viewer.controllers.session import SessionController
from app.viewer.qt import QtCore, QtGui, QtTest, QtWidgets
from app.viewer.views.session_window import SessionWindow
from tests.support.api import Api
from tests.support.qt import qt_until, screenshot, tab_stops
from tests.support.session_window import demo_session_window, session_window
from tests.support.sessions import entitled_online_host
from tests.support.waiting import eventually

Qt = QtCore.Qt


def at(window: SessionWindow, x: float, y: float) -> QtCore.QPoint:
    """The widget point showing remote point (x, y), normalised."""
    wx, wy = window.controller.viewport.to_widget(x, y)
    return QtCore.QPoint(round(wx), round(wy))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_window_shows_the_screen_and_drives_it(api: Api, qtbot: QtBot) -> None:
    async with entitled_online_host(api) as host:
        async with session_window(api, qtbot, host) as (window, controller, live):
            demo = live.desktop.screen
            assert isinstance(demo, DemoScreen)
            assert window.status.text() == "Connected"

            # Letterboxed: 16:9 in a taller widget leaves black bands above and below,
            # and the picture itself is the demo desktop's blue background.
            rect = controller.viewport.target_rect()
            assert rect.y > 0 and rect.width == window.video.width()
            shot = window.video.grab().toImage()
            assert shot.pixelColor(5, 2).name() == "#000000"
            assert shot.pixelColor(5, shot.height() - 3).name() == "#000000"
            corner = shot.pixelColor(round(rect.x + 4), round(rect.y + 4))
            assert corner.blue() > corner.red() + 20
            screenshot(window, "session-window")

            # A finger tap on the canvas leaves a mark on the remote desktop.
            device = QtTest.QTest.createTouchDevice()
            marks = len(demo.marks)
            QtTest.QTest.touchEvent(window.video, device, False).press(
                0, at(window, 0.7, 0.5), window.video
            ).commit()
            QtTest.QTest.touchEvent(window.video, device, False).release(
                0, at(window, 0.7, 0.5), window.video
            ).commit()
            await qt_until(lambda: len(demo.marks) > marks, 10, "a tap on the canvas")
            assert demo.clicks[-1].button == "left"

            # The mouse passes through: a right click opens the desktop's menu there.
            QtTest.QTest.mouseClick(
                window.video, Qt.MouseButton.RightButton, pos=at(window, 0.25, 0.5)
            )
            await qt_until(lambda: demo.menu_at is not None, 10, "a right-click menu")
            assert demo.menu_at == (320, 360)

            # Keys: typed into the desktop's text field; Backspace removes one.
            window.video.setFocus()
            QtTest.QTest.keyClicks(window.video, "Hi")
            QtTest.QTest.keyClick(window.video, Qt.Key.Key_Backspace)
            await qt_until(lambda: demo.text == "H", 10, "typing")

            # The on-screen bar: Ctrl latched, then Tab → a Ctrl+Tab chord.
            window.keyboard_button.setChecked(True)
            window.modifier_buttons["ctrl"].setChecked(True)
            [tab] = [
                b for b in window.keys_bar.findChildren(QtWidgets.QToolButton) if b.text() == "Tab"
            ]
            tab.click()
            await qt_until(lambda: "ctrl+Tab" in demo.keys, 10, "Ctrl+Tab")
            assert not window.modifier_buttons["ctrl"].isChecked()
            shown = window.video.painted_frame_id
            await qt_until(lambda: window.video.painted_frame_id > shown, 10, "a new picture")
            screenshot(window, "session-window-keyboard")

            # The statistics overlay, on its chord (the one key combination kept local).
            QtTest.QTest.keyClick(
                window.video,
                Qt.Key.Key_S,
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.ShiftModifier,
            )
            assert window.stats_label.isVisible() and "fps" in window.stats_label.text()
            assert controller.session is not None
            assert controller.session.stats.snapshot().render_ms is not None  # drawn, timed
            assert "ctrl+alt+shift+s" not in [k.lower() for k in demo.keys]

            # Quality: "Fast" asks the agent for a lighter stream.
            window.quality_box.setCurrentIndex(window.quality_box.findData("fast"))
            window.quality_box.activated.emit(window.quality_box.currentIndex())
            await qt_until(lambda: live.stream._settings == (2500, 30, 0.75), 10, "fast")

            # One monitor: no switcher; several: a list to choose from.
            assert not window.monitor_box.isVisible()
            controller.screens_changed.emit(["1", "2"], ["Left", "Right"], "2")
            assert window.monitor_box.isVisible() and window.monitor_box.currentText() == "Right"
        await eventually(lambda: not host.sessions.live, 10, "the session to end")


def touches(
    window: SessionWindow, device: QtGui.QPointingDevice
) -> QtTest.QTest.QTouchEventSequence:
    return QtTest.QTest.touchEvent(window.video, device, False)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_touch_gestures_arrive_as_the_right_actions(api: Api, qtbot: QtBot) -> None:
    async with demo_session_window(api, qtbot) as (window, controller, demo):
        device = QtTest.QTest.createTouchDevice()
        video = window.video

        # Double tap on the third list row: a double click, which opens it.
        row = at(window, 100 / 1280, (720 * 0.32 + 2 * int(720 * 0.055) + 8) / 720)
        for _ in range(2):
            touches(window, device).press(0, row, video).commit()
            touches(window, device).release(0, row, video).commit()
        await qt_until(lambda: demo.opened == "Document 03", 10, "a double click")

        # Long press on the canvas: the magnifier; moving on points through it (nothing
        # pressed: no trail), and lifting clicks where the finger is: one mark there.
        marks = len(demo.marks)
        spot = at(window, 0.55, 0.45)
        touches(window, device).press(0, spot, video).commit()
        await qt_until(lambda: controller.lens is not None, 5, "the magnifier")
        for step in range(1, 6):
            point = QtCore.QPoint(spot.x() + step * 6, spot.y() + step * 3)
            touches(window, device).move(0, point, video).commit()
        assert controller.lens == (point.x(), point.y())
        # Its dark outer ring, right of its centre (which floats 110 px above the finger),
        # on the canvas, which is white there.
        lens = window.video.grab().toImage()
        assert lens.pixelColor(point.x() + 73, point.y() - 110).lightness() < 100
        screenshot(window, "session-window-lens")
        touches(window, device).release(0, point, video).commit()
        await qt_until(lambda: len(demo.marks) > marks, 10, "a click through the lens")
        remote = controller.viewport.to_remote(point.x(), point.y())
        clicked = demo.clicks[-1]
        assert clicked.button == "left" and controller.lens is None
        assert abs(clicked.x - remote[0] * 1280) <= 2 and abs(clicked.y - remote[1] * 720) <= 2
        assert len(demo.marks) == marks + 1  # pointing dragged nothing

        # A long press lifted without moving: a right click, once lifted.
        spot = at(window, 0.3, 0.6)
        touches(window, device).press(0, spot, video).commit()
        await qt_until(lambda: controller.lens is not None, 5, "the magnifier again")
        assert demo.menu_at is None
        touches(window, device).release(0, spot, video).commit()
        await qt_until(lambda: demo.menu_at is not None, 5, "a right click")
        assert demo.clicks[-1].button == "right"

        # One-finger drag on the canvas: a trail.
        marks = len(demo.marks)
        start = at(window, 0.6, 0.4)
        touches(window, device).press(0, start, video).commit()
        for step in range(1, 6):
            point = QtCore.QPoint(start.x() + step * 15, start.y() + step * 8)
            touches(window, device).move(0, point, video).commit()
        touches(window, device).release(0, point, video).commit()
        await qt_until(lambda: len(demo.marks) >= marks + 5, 10, "a drawn trail")

        # Two fingers moving up: the list scrolls down.
        a, b = at(window, 0.15, 0.8), at(window, 0.2, 0.8)
        touches(window, device).press(0, a, video).press(1, b, video).commit()
        for step in range(1, 9):
            dy = -step * 25
            touches(window, device).move(0, a + QtCore.QPoint(0, dy), video).move(
                1, b + QtCore.QPoint(0, dy), video
            ).commit()
        touches(window, device).release(0, a + QtCore.QPoint(0, dy), video).release(
            1, b + QtCore.QPoint(0, dy), video
        ).commit()
        await qt_until(lambda: demo.list_offset > 0, 10, "the list to scroll")

        # Pinch out: a local zoom about the fingers (nothing sent to the computer).
        clicks = len(demo.clicks)
        a, b = at(window, 0.45, 0.5), at(window, 0.55, 0.5)
        touches(window, device).press(0, a, video).press(1, b, video).commit()
        for step in range(1, 9):
            spread = QtCore.QPoint(step * 20, 0)
            touches(window, device).move(0, a - spread, video).move(1, b + spread, video).commit()
        touches(window, device).release(0, a - spread, video).release(1, b + spread, video).commit()
        await qt_until(lambda: controller.viewport.zoomed, 5, "the local zoom")
        assert controller.viewport.zoom > 1.5 and len(demo.clicks) == clicks
        assert demo.zoom_percent == 100  # local, not the remote's own zoom
        # Zoomed in, the picture comes at full detail (a fresh one, the screen is still).
        await qt_until(
            lambda: (
                (picture := controller.picture()) is not None and picture.image.shape[1] == 1280
            ),
            10,
            "a full-detail picture",
        )
        screenshot(window, "session-window-zoomed")
        window.zoom_button.click()
        assert not controller.viewport.zoomed


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_trackpad_mode_moves_the_pointer_by_the_finger_and_taps_click_there(
    api: Api, qtbot: QtBot
) -> None:
    async with demo_session_window(api, qtbot) as (window, controller, demo):
        device = QtTest.QTest.createTouchDevice()
        video = window.video
        window.trackpad_button.setChecked(True)
        assert controller.trackpad

        # A finger slides a tenth of the picture's width to the right, starting
        # anywhere: the remote pointer goes from the middle by as much.
        width = controller.viewport.target_rect().width
        start = at(window, 0.2, 0.8)
        touches(window, device).press(0, start, video).commit()
        for step in range(1, 11):
            point = QtCore.QPoint(start.x() + round(step * width / 100), start.y())
            touches(window, device).move(0, point, video).commit()
        touches(window, device).release(0, point, video).commit()
        await qt_until(lambda: demo.pointer[0] >= 760, 10, "the pointer to move")
        assert abs(demo.pointer[0] - 768) <= 3 and demo.pointer[1] == 360
        assert not demo.clicks  # moving the pointer clicks nothing

        # A tap far from it clicks where the pointer is, not under the finger. (Within
        # the offscreen platform's 800x600 screen: touches beyond it are dropped.)
        far = at(window, 0.3, 0.7)
        touches(window, device).press(0, far, video).commit()
        touches(window, device).release(0, far, video).commit()
        await qt_until(lambda: bool(demo.clicks), 10, "a click")
        assert (demo.clicks[-1].button, demo.clicks[-1].y) == ("left", 360)
        assert abs(demo.clicks[-1].x - 768) <= 3

        # The pointer is drawn over the picture (screen grabs leave the host's out).
        tip = at(window, *controller.recogniser.pointer)
        inside = window.video.grab().toImage().pixelColor(tip.x() + 3, tip.y() + 10)
        assert inside.name() == "#000000"
        screenshot(window, "session-window-trackpad")
        window.trackpad_button.setChecked(False)
        assert not controller.trackpad


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_on_touch_the_bar_hides_and_a_swipe_from_the_top_edge_brings_it_back(
    api: Api, qtbot: QtBot
) -> None:
    async with demo_session_window(api, qtbot, bar_hide_ms=200) as (window, controller, demo):
        device = QtTest.QTest.createTouchDevice()
        video = window.video
        spot = at(window, 0.7, 0.5)
        touches(window, device).press(0, spot, video).commit()
        touches(window, device).release(0, spot, video).commit()
        await qt_until(lambda: bool(demo.clicks), 10, "the tap")
        await qt_until(lambda: not window.bar.isVisible(), 5, "the bar to get out of the way")
        await qt_until(lambda: video.geometry().top() == 0, 5, "the screen to take its place")
        screenshot(window, "session-window-touch-no-bar")

        # A swipe down from the top edge: the bar is back, and the computer got nothing.
        clicks, marks = len(demo.clicks), len(demo.marks)
        top = QtCore.QPoint(500, 4)
        touches(window, device).press(0, top, video).commit()
        for step in range(1, 6):
            touches(window, device).move(0, top + QtCore.QPoint(2, step * 20), video).commit()
        touches(window, device).release(0, top + QtCore.QPoint(2, 100), video).commit()
        await qt_until(lambda: window.bar.isVisible(), 5, "the bar to come back")
        assert (len(demo.clicks), len(demo.marks)) == (clicks, marks)
        assert not controller.recogniser.button_held


def bar_overflows(window: SessionWindow) -> list[str]:
    """The bar's shown controls that do not fit in the window's width, or only squeezed
    below their size (a "Disc…nect")."""
    return [
        child.text() if isinstance(child, QtWidgets.QAbstractButton) else type(child).__name__
        for child in window.bar.findChildren(QtWidgets.QWidget)
        if child.isVisible()
        and isinstance(child, (QtWidgets.QAbstractButton, QtWidgets.QComboBox))
        and (
            child.geometry().right() > window.bar.width()
            or child.width() < child.sizeHint().width()
        )
    ]


@pytest.mark.parametrize(("width", "size"), [(390, "phone"), (820, "tablet"), (1440, "desktop")])
def test_the_bar_fits_a_phone_a_tablet_and_a_desktop(qtbot: QtBot, width: int, size: str) -> None:
    controller = SessionController()
    window = SessionWindow(controller, "Studio")
    qtbot.addWidget(window)
    window.resize(width, 800)
    window.show()
    qtbot.waitExposed(window)
    assert window.width() == width  # the bar does not make the window wider
    assert bar_overflows(window) == []
    for always in (window.keyboard_button, window.disconnect_button):
        assert always.isVisible()
    moved = [action.text() for action in window.more_menu.actions() if action.isVisible()]
    if size == "desktop":
        assert not window.more_button.isVisible() and moved == []
        assert window.trackpad_button.isVisible()
    else:
        assert window.more_button.isVisible() and "Statistics" in moved
    if size == "phone":
        # What moved still works from the menu, checked as the button would be.
        assert "Trackpad" in moved and not window.trackpad_button.isVisible()
        [trackpad] = [a for a in window.more_menu.actions() if a.text() == "Trackpad"]
        trackpad.trigger()
        assert controller.trackpad and window.trackpad_button.isChecked()
    screenshot(window, f"session-window-{size}")


def test_the_bar_is_reached_with_the_keyboard(qtbot: QtBot) -> None:
    controller = SessionController()
    window = SessionWindow(controller, "Studio")
    qtbot.addWidget(window)
    window.resize(1440, 800)
    with qtbot.waitActive(window):
        window.show()
        window.present()
    QtTest.QTest.keyClick(
        window.video,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.focusWidget() is window.quality_box  # the bar's first control
    assert tab_stops(window, 3) == [
        window.quality_box,
        window.full_screen_button,
        window.keyboard_button,
        window.trackpad_button,
    ]
    QtTest.QTest.keyClick(window.trackpad_button, Qt.Key.Key_Space)
    assert controller.trackpad  # pressed from the keyboard
    QtTest.QTest.keyClick(window.trackpad_button, Qt.Key.Key_Escape)
    assert window.focusWidget() is window.video  # keys go to the computer again
    assert window.trackpad_button.focusPolicy() == Qt.FocusPolicy.NoFocus
