"""The session window shares this device's clipboard with a real agent's demo desktop
(whose Ctrl+C copies its text field and Ctrl+V pastes into it): copies cross both ways,
the bar's Clipboard button stops them, and a copy too large is said to stay here."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from app.protocol.clipboard import MAX_TEXT_BYTES, Clip, ClipKind
from app.viewer.qt import QtCore, QtGui, QtTest
from tests.support.api import Api
from tests.support.qt import qt_until
from tests.support.session_window import demo_session_window

Qt = QtCore.Qt


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_copy_here_paste_there_and_back(api: Api, qtbot: QtBot) -> None:
    clipboard = QtGui.QGuiApplication.clipboard()
    clipboard.setText("copied on the tablet")  # before connecting
    async with demo_session_window(api, qtbot) as (window, controller, demo):
        assert window.clipboard_button.isChecked()  # on by default
        await qt_until(
            lambda: demo.clipboard.content == Clip.text("copied on the tablet"), 10, "the copy"
        )
        window.video.setFocus()
        QtTest.QTest.keyClick(window.video, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        await qt_until(lambda: demo.text == "copied on the tablet", 10, "the paste there")

        # Typed and copied on the computer: this device's clipboard has it.
        QtTest.QTest.keyClicks(window.video, "!")
        QtTest.QTest.keyClick(window.video, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        await qt_until(lambda: clipboard.text() == "copied on the tablet!", 10, "the copy here")

        # An image copied here arrives as an image.
        image = QtGui.QImage(64, 48, QtGui.QImage.Format.Format_RGB32)
        image.fill(QtGui.QColor("#e03030"))
        clipboard.setImage(image)
        await qt_until(
            lambda: (
                demo.clipboard.content is not None and demo.clipboard.content.kind == ClipKind.IMAGE
            ),
            10,
            "the image there",
        )
        assert demo.clipboard.content is not None
        received = Image.open(io.BytesIO(demo.clipboard.content.data))
        assert received.size == (64, 48)
        assert received.convert("RGB").getpixel((10, 10)) == (0xE0, 0x30, 0x30)

        # Off: nothing crosses either way.
        window.clipboard_button.setChecked(False)
        session = controller.session
        assert session is not None
        beats = session.stats.heartbeats
        await qt_until(lambda: session.stats.heartbeats >= beats + 1, 10, "the agent to hear")
        clipboard.setText("private")
        QtTest.QTest.keyClick(window.video, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        await qt_until(lambda: demo.keys.count("ctrl+c") == 2, 10, "the second Ctrl+C")
        beats = session.stats.heartbeats
        await qt_until(lambda: session.stats.heartbeats >= beats + 2, 10, "two heartbeats")
        assert demo.clipboard.content == Clip.text("copied on the tablet!")  # its own copy
        assert clipboard.text() == "private"

        # On again, and a copy too large: it stays here, and the window says so.
        window.clipboard_button.setChecked(True)
        await qt_until(lambda: demo.clipboard.content == Clip.text("private"), 10, "the copy")
        clipboard.setText("x" * (MAX_TEXT_BYTES + 1))
        await qt_until(lambda: "stays here" in window.status.text(), 10, "the notice")
        assert demo.clipboard.content == Clip.text("private")
