"""Screen sources and the desktop a session drives: a source says what changed on one
monitor; an input back-end drives the whole desktop (see ``app.agent.inject``)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import numpy.typing as npt

from app.agent.clipboard.base import HostClipboard
from app.agent.inject.base import InputBackend
from app.protocol import Monitor

if TYPE_CHECKING:
    from app.agent.capture.cursor import X11Cursor
    from app.agent.capture.resolution import X11Resolution

log = logging.getLogger(__name__)
RGBFrame = npt.NDArray[np.uint8]  # height, width, 3 (RGB)
#: How a captured image's pixels are laid out: the demo draws RGB; X11 and mss grab BGRA,
#: which goes to the encoder as it is (one colour conversion, in swscale, not two).
PixelFormat = Literal["rgb24", "bgra"]
SOURCES = ("x11", "wayland", "mss", "demo")
INPUTS = ("xtest", "portal", "pynput", "record", "none")


class DesktopUnavailable(Exception):
    """This computer's screen cannot be shared now: no way to reach it, the person at the
    computer said no, the desktop refused, or its stream ended. ``str()`` is the message
    for people (the viewer shows it); ``code`` says which, for programs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Withdrawal:
    """Giving up a desktop still opening, from another thread (the viewer left while the
    person at the computer was being asked): what waits for their answer stops waiting,
    and the question goes away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []
        self.withdrawn = False

    def on_withdraw(self, hook: Callable[[], None]) -> None:
        """``hook`` is called when withdrawn (at once if it already was)."""
        with self._lock:
            if not self.withdrawn:
                self._hooks.append(hook)
                return
        hook()

    def withdraw(self) -> None:
        with self._lock:
            self.withdrawn = True
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            hook()


@dataclass(frozen=True)
class Box:
    """A rectangle of a monitor, in its pixels."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Captured:
    image: npt.NDArray[np.uint8]  # height, width, 3 (rgb24) or 4 (bgra)
    capture_us: int  # wall clock, µs: the viewer measures latency against it after clock sync
    pixel_format: PixelFormat = "rgb24"
    #: Where it changed since the previous grab (the bounding box), when known: everything
    #: outside it is exactly as before, which the encoder is told (x264 then skips it
    #: unexamined).
    changed: Box | None = None

    @property
    def changed_share(self) -> float:
        """How much of the monitor changed (the box's share of its area; 1.0 when unknown):
        small changes are coded fine at once."""
        if self.changed is None:
            return 1.0
        height, width = int(self.image.shape[0]), int(self.image.shape[1])
        return self.changed.width * self.changed.height / (width * height)

    def rgb(self) -> RGBFrame:
        """The picture as RGB (tests and tools; the encoder takes ``image`` as it is)."""
        if self.pixel_format == "rgb24":
            return self.image
        return np.ascontiguousarray(self.image[..., 2::-1])


class ScreenSource(Protocol):
    """One monitor of a screen, captured when it changed."""

    @property
    def width(self) -> int:
        """Of the monitor being captured, even (H.264 wants even sizes)."""
        ...

    @property
    def height(self) -> int: ...

    #: True: changes come from outside and nothing reports them, so the session looks at
    #: the frame rate. False: ``change_fd`` or the input wakes the session.
    polls: bool

    def grab_if_changed(self) -> Captured | None:
        """The monitor if it changed since the last grab (always, the first time)."""
        ...

    def render(self) -> Captured:
        """The monitor now, changed or not (for a keyframe on request)."""
        ...

    def monitors(self) -> list[Monitor]: ...

    @property
    def current(self) -> Monitor: ...

    def select(self, monitor_id: str) -> None:
        """Capture another monitor (KeyError if there is none by that id)."""
        ...

    def reload(self) -> None:
        """Read the monitors again after their sizes changed (not during a grab)."""
        ...

    def change_fd(self) -> int | None:
        """A file descriptor readable when the screen reports a change (X DAMAGE)."""
        ...

    def changes_pending(self) -> bool:
        """After ``change_fd`` was readable: whether a change was reported."""
        ...

    def close(self) -> None: ...


@dataclass
class Desktop:
    screen: ScreenSource
    input: InputBackend
    #: None where this computer's clipboard cannot be reached (sessions do not share it).
    clipboard: HostClipboard | None = None
    #: The pointer (X11 only; elsewhere it is in the picture, as the system draws it).
    cursor: X11Cursor | None = None
    #: Changes a monitor's resolution to fit the viewer (X11 with RandR only).
    resolution: X11Resolution | None = None
    #: Why input is refused, when it is (the viewer is told once, at the start).
    view_only: str | None = None

    def close(self) -> None:
        self.input.close()  # releases whatever is held first
        # The monitor's own resolution back before anything else lets go of the display.
        for part in (self.resolution, self.screen, self.clipboard, self.cursor):
            if part is not None:
                part.close()


def open_desktop(
    source: str,
    display_name: str | None = None,
    input_backend: str | None = None,
    state_dir: Path | None = None,
    withdrawal: Withdrawal | None = None,
) -> Desktop:
    """A screen source with its natural input back-end (X11 → XTest, Wayland → the
    portal's session, mss → pynput, the demo screen is its own input), or the one asked
    for. ``state_dir`` keeps what the desktop lets the agent remember (the portal's
    restore token) and what it must give back (a monitor's resolution). May wait for
    the person at the computer (the portal's dialog), unless ``withdrawal`` gives up
    first, and raises DesktopUnavailable when the screen cannot be shared."""
    screen: ScreenSource
    if source == "wayland":
        return _open_wayland(input_backend or "portal", state_dir, withdrawal)
    if source == "demo":
        from app.agent.capture.demo import DemoScreen

        demo = DemoScreen()
        return Desktop(
            demo,
            _open_input(input_backend, display_name) if input_backend else demo,
            demo.clipboard,
        )
    if source == "x11":
        from app.agent.capture.x11 import X11Screen

        screen = X11Screen(display_name)
    elif source == "mss":
        from app.agent.capture.mss_screen import MssScreen

        screen = MssScreen(display_name)
    else:
        raise ValueError(f"unknown screen source {source!r}: use {', '.join(SOURCES)}")
    default = "xtest" if source == "x11" else "pynput"
    try:
        desktop = Desktop(screen, _open_input(input_backend or default, display_name))
    except BaseException:
        screen.close()
        raise
    desktop.clipboard = _open_clipboard(source, display_name)
    if source == "x11":
        from app.agent.capture.cursor import X11Cursor

        try:
            desktop.cursor = X11Cursor(display_name)
        except RuntimeError as exc:
            log.warning("the viewer will not draw the pointer: %s", exc)
        from app.agent.capture.resolution import FitRefused, X11Resolution

        try:
            desktop.resolution = X11Resolution(display_name, state_dir)
        except FitRefused as exc:
            log.warning("sessions will not fit the screen to the viewer: %s", exc)
        else:
            if desktop.resolution.recovered:  # put back after an agent that died
                screen.reload()
    return desktop


def desktop_asks(source: str, input_backend: str | None, state_dir: Path | None) -> bool:
    """Whether opening this desktop now waits for the person at the computer: the Wayland
    portal's dialog, unless the portal remembers an earlier grant. Asks the portal (a few
    quick calls on the session bus): not on the event loop."""
    if source != "wayland":
        return False
    from app.agent.xdg_portal import asks_person

    return asks_person(interactive=(input_backend or "portal") == "portal", state_dir=state_dir)


def _open_wayland(
    input_backend: str, state_dir: Path | None, withdrawal: Withdrawal | None
) -> Desktop:
    """One portal session for the screen and, through the portal, the input: one grant,
    one dialog. View only where the portal has no RemoteDesktop or input is not wanted."""
    from app.agent.capture.portal import PortalScreen
    from app.agent.xdg_portal import PortalSession

    session = PortalSession(
        interactive=input_backend == "portal", state_dir=state_dir, withdrawal=withdrawal
    )
    try:
        screen = PortalScreen(session)  # closes the session when it closes
    except BaseException:
        session.close()
        raise
    try:
        if input_backend != "portal":
            backend = _open_input(input_backend, None)
        elif session.interactive:
            from app.agent.inject.portal import PortalInput

            backend = PortalInput(session)
        else:
            backend = _open_input("none", None)
    except BaseException:
        screen.close()
        raise
    from app.agent.inject.view_only import ViewOnlyInput

    notice = None
    if isinstance(backend, ViewOnlyInput):
        notice = (
            "This computer shares its screen for viewing only: its desktop does not "
            "allow remote input here."
            if input_backend == "portal"
            else "This computer shares its screen for viewing only."
        )
    return Desktop(screen, backend, _open_clipboard("wayland", None), view_only=notice)


def _open_clipboard(source: str, display_name: str | None) -> HostClipboard | None:
    """X11's selection (told of each copy) where there is an X display, else the
    platform's clipboard commands (macOS, Windows, Wayland), or none."""
    if source == "x11" or (
        sys.platform.startswith("linux") and (display_name or os.environ.get("DISPLAY"))
    ):
        from app.agent.clipboard.x11 import ClipboardUnavailable, X11Clipboard

        try:
            return X11Clipboard(display_name)
        except ClipboardUnavailable as exc:
            log.warning("sessions will not share the clipboard: %s", exc)
            return None
    from app.agent.clipboard.command import platform_clipboard

    found = platform_clipboard(display_name)
    if found is None:
        log.warning("sessions will not share the clipboard: no clipboard commands found")
    return found


def _open_input(name: str, display_name: str | None) -> InputBackend:
    if name == "xtest":
        from app.agent.inject.xtest import XTestInput

        return XTestInput(display_name)
    if name == "pynput":
        if display_name:
            os.environ["DISPLAY"] = display_name  # pynput reads it when it connects
        from app.agent.inject.pynput_input import PynputInput

        return PynputInput()
    if name == "record":
        from app.agent.inject.recording import RecordingInput

        return RecordingInput()
    if name == "none":
        from app.agent.inject.view_only import ViewOnlyInput

        return ViewOnlyInput()
    if name == "portal":
        raise ValueError("the portal's input goes with the wayland source only")
    raise ValueError(f"unknown input back-end {name!r}: use {', '.join(INPUTS)}")


def default_source() -> str:
    """Wayland's portal in a Wayland session (its DISPLAY, if any, is XWayland's, which
    shows X clients only), X11 where there is an X display, else the demo screen."""
    if sys.platform.startswith("linux"):
        if os.environ.get("XDG_SESSION_TYPE") == "wayland" or os.environ.get("WAYLAND_DISPLAY"):
            return "wayland"
        return "x11" if os.environ.get("DISPLAY") else "demo"
    return "mss"  # Windows and macOS always have a screen to capture
