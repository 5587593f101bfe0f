"""The pynput back-end (Windows and macOS in the field) driven on a real X server here,
so its events are read back the same way as XTest's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from Xlib import XK, X, display

from app.agent.capture.base import open_desktop
from app.agent.inject.base import InputBackend
from tests.support.xprobe import full_screen_window, next_events, typed_keysyms


@pytest.fixture
def injector(x_display: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[InputBackend]:
    monkeypatch.setenv("DISPLAY", x_display)
    desktop = open_desktop("mss", x_display)  # mss comes with pynput
    assert type(desktop.input).__name__ == "PynputInput"
    yield desktop.input
    desktop.close()


def test_clicks_and_wheel(injector: InputBackend, probe: display.Display) -> None:
    full_screen_window(probe, X.ButtonPressMask)
    injector.click(200, 100, "left", 1)
    injector.wheel(200, 100, 0.0, 1.0)
    click, wheel = next_events(probe, X.ButtonPress, 2)
    assert (click.root_x, click.root_y, click.detail) == (200, 100, 1)
    assert wheel.detail == 5  # down, as the protocol means it


def test_typing_and_keys(injector: InputBackend, probe: display.Display) -> None:
    full_screen_window(probe, X.KeyPressMask, focus=True)
    injector.type_text("ok")
    injector.key("Return")
    presses = next_events(probe, X.KeyPress, 3)
    assert typed_keysyms(probe, presses) == [
        XK.string_to_keysym("o"),
        XK.string_to_keysym("k"),
        XK.XK_Return,
    ]
