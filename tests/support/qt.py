"""Qt in async tests: the asyncio loop runs the session, and Qt's events are processed
while waiting for a condition (bounded), so signals from the decode thread arrive."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from app.viewer.qt import QtCore, QtTest, QtWidgets
from tests.support.screenshots import SCREENSHOTS


async def qt_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    app = QtWidgets.QApplication.instance()
    assert app is not None, "create the QApplication first (the qapp fixture)"
    deadline = time.monotonic() + timeout_s
    while True:
        app.processEvents()
        if condition():
            return
        assert time.monotonic() < deadline, f"still waiting after {timeout_s} s for {what}"
        await asyncio.sleep(0.005)


def screenshot(widget: QtWidgets.QWidget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


def tab_stops(window: QtWidgets.QWidget, count: int) -> list[QtWidgets.QWidget | None]:
    """Where the keyboard is now and after each of ``count`` presses of Tab."""
    stops: list[QtWidgets.QWidget | None] = [window.focusWidget()]
    for _ in range(count):
        focused = window.focusWidget()
        assert focused is not None, "nothing has the keyboard"
        QtTest.QTest.keyClick(focused, QtCore.Qt.Key.Key_Tab)
        stops.append(window.focusWidget())
    return stops
