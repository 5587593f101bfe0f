"""XTest under a real X server: the events applications receive, read back from Xvfb."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from Xlib import XK, X, display

from app.agent.inject.xtest import XTestInput
from tests.support.xprobe import full_screen_window, next_events, typed_keysyms


@pytest.fixture
def injector(x_display: str) -> Iterator[XTestInput]:
    subject = XTestInput(x_display)
    yield subject
    subject.close()


def test_clicks_arrive_where_they_were_sent(injector: XTestInput, probe: display.Display) -> None:
    full_screen_window(probe, X.ButtonPressMask)
    injector.click(321, 123, "left", 1)
    injector.click(600, 400, "right", 1, ("ctrl",))
    first, second = next_events(probe, X.ButtonPress, 2)
    assert (first.root_x, first.root_y, first.detail) == (321, 123, 1)
    assert (second.root_x, second.root_y, second.detail) == (600, 400, 3)
    assert second.state & X.ControlMask and not first.state & X.ControlMask


def test_wheel_notches_both_ways_and_zoom(injector: XTestInput, probe: display.Display) -> None:
    full_screen_window(probe, X.ButtonPressMask)
    injector.wheel(100, 100, 0.0, 0.5)
    injector.wheel(100, 100, 0.0, 1.5)  # 2 notches down in all
    injector.wheel(100, 100, -1.0, 0.0)  # one left
    injector.wheel(100, 100, 0.0, -1.0, ("ctrl",))  # zoom in
    presses = next_events(probe, X.ButtonPress, 4)
    assert [e.detail for e in presses] == [5, 5, 6, 4]
    assert presses[-1].state & X.ControlMask


def test_text_and_chords_arrive_as_key_events(injector: XTestInput, probe: display.Display) -> None:
    full_screen_window(probe, X.KeyPressMask, focus=True)
    injector.type_text("Hi")
    injector.key("Return")
    injector.key("c", ("ctrl",))
    presses = next_events(probe, X.KeyPress, 6)  # Shift, H, i, Return, Control, c
    assert [k for k in typed_keysyms(probe, presses) if k != XK.XK_Shift_L] == [
        XK.string_to_keysym("H"),
        XK.string_to_keysym("i"),
        XK.XK_Return,
        XK.XK_Control_L,
        XK.string_to_keysym("c"),
    ]
    assert presses[-1].state & X.ControlMask


def test_characters_missing_from_the_keyboard_map_are_still_typed(
    injector: XTestInput, probe: display.Display
) -> None:
    full_screen_window(probe, X.KeyPressMask, focus=True)
    injector.type_text("é✓€")
    presses = next_events(probe, X.KeyPress, 3)
    assert typed_keysyms(probe, presses) == [0xE9, 0x1000000 + ord("✓"), 0x1000000 + ord("€")]


def test_held_keys_and_buttons_are_released_when_the_session_ends(
    x_display: str, probe: display.Display
) -> None:
    full_screen_window(probe, X.KeyReleaseMask | X.ButtonReleaseMask, focus=True)
    subject = XTestInput(x_display)
    subject.key_down("Shift_L")
    subject.press(50, 50, "left")
    subject.close()  # the session dropped
    key, button = next_events(probe, (X.KeyRelease, X.ButtonRelease), 2)
    assert probe.keycode_to_keysym(key.detail, 0) == XK.XK_Shift_L
    assert button.detail == 1
    pointer = probe.screen().root.query_pointer()
    assert not pointer.mask & (X.Button1Mask | X.ShiftMask)
