"""The X11 desktop under a real X server (Xvfb): capture sees what is drawn, and XTest
input arrives as real events, read back from the server."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from typing import Any

import pytest
from Xlib import XK, X, display

from app.agent.capture.x11 import X11Desktop, list_monitors


@pytest.fixture
def desktop(x_display: str) -> Iterator[X11Desktop]:
    subject = X11Desktop(x_display)
    yield subject
    subject.close()


@pytest.fixture
def probe(x_display: str) -> Iterator[display.Display]:
    """A second client of the X server, to draw and to watch events."""
    conn = display.Display(x_display)
    yield conn
    conn.close()


def next_events(conn: display.Display, wanted: int, count: int, timeout_s: float = 10) -> list[Any]:
    found: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < count:
        while conn.pending_events():
            received = conn.next_event()
            if received.type == wanted:
                found.append(received)
        if len(found) >= count:
            break
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only {len(found)} of {count} events arrived"
        select.select([conn.fileno()], [], [], remaining)  # wakes when the server writes
    return found


def full_screen_window(conn: display.Display, mask: int) -> object:
    screen = conn.screen()
    window = screen.root.create_window(
        0,
        0,
        screen.width_in_pixels,
        screen.height_in_pixels,
        0,
        screen.root_depth,
        background_pixel=screen.white_pixel,
        event_mask=mask | X.StructureNotifyMask,
    )
    window.map()
    next_events(conn, X.MapNotify, 1)
    return window


def test_monitors_are_listed(x_display: str) -> None:
    [monitor] = list_monitors(x_display)
    assert (monitor["width"], monitor["height"]) == (1280, 720)


def test_capture_sees_changes_and_only_changes(desktop: X11Desktop, probe: display.Display) -> None:
    root = probe.screen().root
    root.change_attributes(background_pixel=0x0000FF)  # blue
    root.clear_area()
    probe.sync()
    first = desktop.grab_if_changed()
    assert first is not None and first.image.shape == (720, 1280, 3)
    assert tuple(first.image[360, 640]) == (0, 0, 255)
    assert desktop.grab_if_changed() is None  # still screen: nothing
    root.change_attributes(background_pixel=0xFF0000)
    root.clear_area()
    probe.sync()
    second = desktop.grab_if_changed()
    assert second is not None and tuple(second.image[360, 640]) == (255, 0, 0)


def test_clicks_arrive_where_they_were_sent(desktop: X11Desktop, probe: display.Display) -> None:
    full_screen_window(probe, X.ButtonPressMask)
    desktop.click(321, 123)
    desktop.click(600, 400, button="right")
    first, second = next_events(probe, X.ButtonPress, 2)
    assert (first.root_x, first.root_y, first.detail) == (321, 123, 1)
    assert (second.root_x, second.root_y, second.detail) == (600, 400, 3)
    desktop.wheel(2.0)
    scrolls = next_events(probe, X.ButtonPress, 2)
    assert [e.detail for e in scrolls] == [5, 5]


def test_typed_text_arrives_as_key_events(desktop: X11Desktop, probe: display.Display) -> None:
    window = full_screen_window(probe, X.KeyPressMask)
    window.set_input_focus(X.RevertToParent, X.CurrentTime)  # type: ignore[attr-defined]
    probe.sync()
    desktop.type_text("Hi")
    desktop.key("Return")
    presses = next_events(probe, X.KeyPress, 4)  # Shift, H, i, Return
    typed = [probe.keycode_to_keysym(e.detail, 1 if e.state & X.ShiftMask else 0) for e in presses]
    assert [k for k in typed if k != XK.XK_Shift_L] == [
        XK.string_to_keysym("H"),
        XK.string_to_keysym("i"),
        XK.XK_Return,
    ]
