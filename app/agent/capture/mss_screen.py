"""The cross-platform screen source (Windows, macOS, any X11): ``mss`` grabs, and the
session polls at the frame rate since nothing reports changes; an unchanged screen
costs a grab and a comparison, and sends nothing."""

from __future__ import annotations

from app.agent.capture.base import Captured
from app.agent.capture.grab import RegionGrabber
from app.protocol import Monitor


class MssScreen:
    polls = True

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name
        self._grabber = RegionGrabber(display_name)
        self._monitors = self._list_monitors()
        self._current = next((m for m in self._monitors if m.primary), self._monitors[0])
        self._grabber.aim(self._current)

    def reload(self) -> None:
        """The monitors again, after their sizes changed: the same one shown (by id, else
        the primary), grabbed by a new grabber (its buffers sized for the screen as it
        is now). Not while a grab is running."""
        self._grabber.close()
        self._grabber = RegionGrabber(self._display_name)
        self._monitors = self._list_monitors()
        self._current = next(
            (m for m in self._monitors if m.id == self._current.id),
            next((m for m in self._monitors if m.primary), self._monitors[0]),
        )
        self._grabber.aim(self._current)

    def _list_monitors(self) -> list[Monitor]:
        return self._grabber.mss_monitors()

    @property
    def width(self) -> int:
        return self._grabber.width

    @property
    def height(self) -> int:
        return self._grabber.height

    @property
    def current(self) -> Monitor:
        return self._current

    def monitors(self) -> list[Monitor]:
        return list(self._monitors)

    def select(self, monitor_id: str) -> None:
        chosen = [m for m in self._monitors if m.id == monitor_id]
        if not chosen:
            raise KeyError(monitor_id)
        self._current = chosen[0]
        self._grabber.aim(self._current)

    def grab_if_changed(self) -> Captured | None:
        return self._grabber.grab_if_changed()

    def render(self) -> Captured:
        return self._grabber.render()

    def change_fd(self) -> int | None:
        return None

    def changes_pending(self) -> bool:
        return True

    def close(self) -> None:
        self._grabber.close()
