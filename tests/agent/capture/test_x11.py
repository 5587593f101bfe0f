"""The X11 source under a real X server (Xvfb): capture sees what is drawn, X DAMAGE
wakes it only when something is, and monitors defined with RandR can be chosen."""

from __future__ import annotations

import ctypes
import select
from collections.abc import Iterator

import numpy as np
import pytest
from Xlib import display

from app.agent.capture import shm_ring
from app.agent.capture.x11 import X11Screen, list_monitors
from tests.conftest import x_server
from tests.support.xprobe import define_monitor, paint_root


@pytest.fixture
def screen(x_display: str) -> Iterator[X11Screen]:
    subject = X11Screen(x_display)
    yield subject
    subject.close()


def readable(fd: int, timeout_s: float) -> bool:
    return bool(select.select([fd], [], [], timeout_s)[0])


def test_one_screen_is_one_monitor(x_display: str) -> None:
    [monitor] = list_monitors(x_display)
    assert (monitor.width, monitor.height, monitor.primary) == (1280, 720, True)


def test_capture_sees_changes_and_only_changes(screen: X11Screen, probe: display.Display) -> None:
    paint_root(probe, 0x0000FF)  # blue
    first = screen.grab_if_changed()
    assert first is not None and first.rgb().shape == (720, 1280, 3)
    assert tuple(first.rgb()[360, 640]) == (0, 0, 255)
    assert screen.grab_if_changed() is None  # still screen: nothing
    paint_root(probe, 0xFF0000)
    second = screen.grab_if_changed()
    assert second is not None and tuple(second.rgb()[360, 640]) == (255, 0, 0)


def test_damage_wakes_the_session_only_when_something_is_drawn(
    screen: X11Screen, probe: display.Display
) -> None:
    assert not screen.polls, "Xvfb has DAMAGE: no polling"
    fd = screen.change_fd()
    assert fd is not None
    assert screen.grab_if_changed() is not None  # the first picture, which re-arms DAMAGE
    assert not (readable(fd, 0.2) and screen.changes_pending())  # a still screen: silence
    paint_root(probe, 0x00FF00)
    assert readable(fd, 5), "DAMAGE did not report the change"
    assert screen.changes_pending()
    changed = screen.grab_if_changed()
    assert changed is not None and tuple(changed.rgb()[10, 10]) == (0, 255, 0)
    assert screen.grab_if_changed() is None


def test_monitors_defined_with_randr_are_listed_and_chosen() -> None:
    with x_server(2560, 720) as name:
        conn = display.Display(name)
        root = conn.screen().root
        define_monitor(conn, "TEST-1", 0, 0, 1280, 720, primary=True)
        define_monitor(conn, "TEST-2", 1280, 0, 1280, 720, primary=False)
        monitors = list_monitors(name)
        assert [(m.id, m.name, m.x, m.width, m.primary) for m in monitors] == [
            ("1", "TEST-1", 0, 1280, True),
            ("2", "TEST-2", 1280, 1280, False),
            ("all", "All monitors", 0, 2560, False),
        ]
        # The right half red, the left half blue: each monitor shows its own.
        gc = root.create_gc(foreground=0x0000FF)
        root.fill_rectangle(gc, 0, 0, 1280, 720)
        gc.change(foreground=0xFF0000)
        root.fill_rectangle(gc, 1280, 0, 1280, 720)
        conn.sync()
        screen = X11Screen(name)
        try:
            assert screen.current.id == "1"
            first = screen.grab_if_changed()
            assert first is not None and tuple(first.rgb()[360, 640]) == (0, 0, 255)
            screen.select("2")
            second = screen.grab_if_changed()
            assert second is not None and second.rgb().shape == (720, 1280, 3)
            assert tuple(second.rgb()[360, 640]) == (255, 0, 0)
            screen.select("all")
            whole = screen.grab_if_changed()
            assert whole is not None and whole.rgb().shape == (720, 2560, 3)
            with pytest.raises(KeyError):
                screen.select("3")
        finally:
            screen.close()
            conn.close()


def test_the_fallback_source_polls_with_mss(x_display: str, probe: display.Display) -> None:
    from app.agent.capture.mss_screen import MssScreen

    screen = MssScreen(x_display)
    try:
        assert screen.polls and screen.change_fd() is None
        paint_root(probe, 0x123456)
        grabbed = screen.grab_if_changed()
        assert grabbed is not None and tuple(grabbed.rgb()[5, 5]) == (0x12, 0x34, 0x56)
        assert screen.grab_if_changed() is None
        assert [m.primary for m in screen.monitors()] == [True]
    finally:
        screen.close()


def test_a_grab_says_where_the_screen_changed(screen: X11Screen, probe: display.Display) -> None:
    """The encoder is told that everything outside this box is exactly as before: it must
    hold every changed pixel, and little else."""
    paint_root(probe, 0x202020)
    assert screen.grab_if_changed() is not None
    root = probe.screen().root
    gc = root.create_gc(foreground=0xFFFFFF)
    root.fill_rectangle(gc, 301, 200, 9, 14)  # about a character
    probe.sync()
    changed = screen.grab_if_changed()
    assert changed is not None and changed.changed is not None
    box = changed.changed
    assert (box.x, box.y) <= (301, 200) and box.x + box.width >= 310
    assert box.y == 200 and box.height == 14 and box.width <= 10
    assert changed.changed_share < 0.001


def test_grabs_held_by_the_encoder_keep_their_pixels_while_later_grabs_come(
    screen: X11Screen, probe: display.Display
) -> None:
    """Grabs are written into shared memory and handed on without a copy: a grab still
    held (waiting for the encoder, being encoded) must never be overwritten by the next
    ones, however many come, and a grab let go frees its memory for another."""
    held = []
    for colour in range(1, 2 * shm_ring.SLOTS + 2):  # more grabs held than there are slots
        paint_root(probe, colour * 0x0A0B0C)
        captured = screen.grab_if_changed()
        assert captured is not None
        held.append((colour * 0x0A0B0C, captured))
    for colour, captured in held:
        red, green, blue = (int(v) for v in captured.rgb()[100, 200])
        assert (red << 16 | green << 8 | blue) == colour
    ring = screen._grabber._ring
    assert ring is not None and not ring.broken
    held.clear()
    paint_root(probe, 0x123456)
    again = screen.grab_if_changed()
    assert again is not None
    owner: object = again.image
    while isinstance(owner, np.ndarray):
        owner = owner.base
    assert isinstance(owner, memoryview) and isinstance(owner.obj, ctypes.Array)  # a slot
