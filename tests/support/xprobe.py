"""A second client of a test X server: draws, and reads back the events that input
back-ends produced (what applications on the host would receive)."""

from __future__ import annotations

import select
import time
from typing import Any

from Xlib import X, display
from Xlib.protocol import rq


def next_events(
    conn: display.Display, wanted: int | tuple[int, ...], count: int, timeout_s: float = 10
) -> list[Any]:
    """The next ``count`` events of the type(s) ``wanted`` (others are dropped), keeping
    the keyboard map current (back-ends may bind characters to spare keycodes)."""
    types = wanted if isinstance(wanted, tuple) else (wanted,)
    found: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < count:
        while conn.pending_events():
            received = conn.next_event()
            if received.type == X.MappingNotify:
                conn.refresh_keyboard_mapping(received)
            elif received.type in types:
                found.append(received)
        if len(found) >= count:
            break
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only {len(found)} of {count} events arrived"
        select.select([conn.fileno()], [], [], remaining)  # wakes when the server writes
    return found


def full_screen_window(conn: display.Display, mask: int, *, focus: bool = False) -> Any:
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
    if focus:
        window.set_input_focus(X.RevertToParent, X.CurrentTime)
        conn.sync()
    return window


def paint_root(conn: display.Display, rgb: int) -> None:
    root = conn.screen().root
    root.change_attributes(background_pixel=rgb)
    root.clear_area()
    conn.sync()


def typed_keysyms(conn: display.Display, presses: list[Any]) -> list[int]:
    """The keysyms of key presses, as an application would read them (Shift level)."""
    return [conn.keycode_to_keysym(e.detail, 1 if e.state & X.ShiftMask else 0) for e in presses]


class _SetMonitor(rq.Request):
    # RandR 1.5 SetMonitor, flattened: python-xlib's own nested version fails to pack.
    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(43),
        rq.RequestLength(),
        rq.Window("window"),
        rq.Card32("name"),
        rq.Bool("primary"),
        rq.Bool("automatic"),
        rq.LengthOf("crtcs", 2),
        rq.Int16("x"),
        rq.Int16("y"),
        rq.Card16("width_in_pixels"),
        rq.Card16("height_in_pixels"),
        rq.Card32("width_in_millimeters"),
        rq.Card32("height_in_millimeters"),
        rq.List("crtcs", rq.Card32Obj),
    )


def define_monitor(
    conn: display.Display, name: str, x: int, y: int, width: int, height: int, primary: bool
) -> None:
    """What ``xrandr --setmonitor`` does: a monitor on part of the screen."""
    _SetMonitor(
        display=conn.display,
        opcode=conn.display.get_extension_major("RANDR"),
        window=conn.screen().root,
        name=conn.intern_atom(name),
        primary=primary,
        automatic=False,
        x=x,
        y=y,
        width_in_pixels=width,
        height_in_pixels=height,
        width_in_millimeters=width * 254 // 960,
        height_in_millimeters=height * 254 // 960,
        crtcs=[],
    )
    conn.sync()
