"""The X11 screen: one monitor (or all of them) grabbed with MIT-SHM through ``mss``,
woken by the X DAMAGE extension when something is drawn, so a still screen costs
nothing and a change is captured at once. Without DAMAGE it falls back to polling.

Monitors come from RandR 1.5 (what desktops and ``xrandr --setmonitor`` define), with
"all monitors" offered too when there are several; input goes through XTest
(``app.agent.inject.xtest``)."""

from __future__ import annotations

import dataclasses

import Xlib.threaded  # noqa: F401  (real locks: the session reads events on its loop
from Xlib import display  # while the capture thread re-arms DAMAGE)
from Xlib.ext import damage

from app.agent.capture.base import Captured
from app.agent.capture.mss_screen import MssScreen
from app.protocol import Monitor

ALL_MONITORS = "all"


def list_monitors(display_name: str | None = None) -> list[Monitor]:
    conn = display.Display(display_name)
    try:
        return _monitors_of(conn)
    finally:
        conn.close()


def _monitors_of(conn: display.Display) -> list[Monitor]:
    screen = conn.screen()
    # The root's geometry, not the size the connection was told when it opened: the
    # screen may have been resized since (a viewer fitted it, ScreenFit).
    size = screen.root.get_geometry()
    whole = Monitor(
        id=ALL_MONITORS,
        name="All monitors",
        x=0,
        y=0,
        width=size.width,
        height=size.height,
        primary=False,
    )
    found: list[Monitor] = []
    if conn.has_extension("RANDR"):
        reply = screen.root.xrandr_get_monitors(is_active=True)
        for info in reply.monitors:
            found.append(
                Monitor(
                    id=str(len(found) + 1),
                    name=(conn.get_atom_name(info.name) or "")[:80],
                    x=info.x,
                    y=info.y,
                    width=info.width_in_pixels,
                    height=info.height_in_pixels,
                    primary=bool(info.primary),
                )
            )
    if len(found) > 1:  # a monitor spanning the whole screen is "all monitors", below
        found = [
            m for m in found if (m.x, m.y, m.width, m.height) != (0, 0, whole.width, whole.height)
        ]
        found = [dataclasses.replace(m, id=str(index)) for index, m in enumerate(found, start=1)]
    if not found:
        return [dataclasses.replace(whole, id="1", name="Screen", primary=True)]
    if not any(m.primary for m in found):
        found[0] = dataclasses.replace(found[0], primary=True)
    return [*found, whole] if len(found) > 1 else found


class X11Screen(MssScreen):
    def __init__(self, display_name: str | None = None) -> None:
        self._display = display.Display(display_name)
        super().__init__(display_name)
        # DAMAGE on the root window: one notification when the screen stops being
        # clean; subtracting before each grab re-arms it (a change during the grab
        # notifies again, so nothing is missed).
        self._damage = 0
        if self._display.has_extension("DAMAGE"):
            self._display.damage_query_version()
            self._damage = self._display.screen().root.damage_create(damage.DamageReportNonEmpty)
            self._display.sync()
            # python-xlib registers a copy of the event class: match the event code.
            extension = self._display.query_extension("DAMAGE")
            assert extension is not None  # has_extension said so
            self._damage_event = extension.first_event + damage.DamageNotifyCode
        self.polls = not self._damage
        self._pending = True

    def _list_monitors(self) -> list[Monitor]:
        return _monitors_of(self._display)

    def change_fd(self) -> int | None:
        return self._display.fileno() if self._damage else None

    def changes_pending(self) -> bool:
        """Read what the X server sent; True if the screen was drawn on."""
        while self._display.pending_events():
            event = self._display.next_event()
            if event.type == self._damage_event:
                self._pending = True
        return self._pending

    def grab_if_changed(self) -> Captured | None:
        if self._damage:
            if not self.changes_pending():
                # A round trip: whatever was drawn before now has been reported after it.
                self._display.sync()
                if not self.changes_pending():
                    return None
            self._pending = False
            self._display.damage_subtract(self._damage)
            self._display.sync()
        return super().grab_if_changed()

    def select(self, monitor_id: str) -> None:
        super().select(monitor_id)
        self._pending = True

    def reload(self) -> None:
        super().reload()
        self._pending = True

    def close(self) -> None:
        if self._damage:
            self._display.damage_destroy(self._damage)
        self._display.close()
        super().close()
