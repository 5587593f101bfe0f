"""Giving a monitor the resolution a viewer fits (X11, RandR 1.2+), and giving it back.

A tablet in portrait or a 4:3 kiosk shows a 16:9 desktop as a small letterboxed picture;
with the monitor set to the viewer's shape it fills the glass. The mode is one the output
already has at that size, or one made here with CVT reduced-blanking timings (what
``cvt -r`` prints), which virtual displays (Xvfb, Xorg's dummy driver, VNC servers) take
as they are; a physical output that refuses it leaves the monitor as it was, and the
viewer is told.

The monitor's own mode and the screen's size are remembered at the first change and put
back by :meth:`X11Resolution.restore` (when the viewer asks, and when the session ends or
drops); the modes made here are deleted then too, so nothing is left behind. An agent
that dies before it could (killed, a power cut of its own process) left a note in its
state folder: the next agent on that display puts the monitor back, unless the person at
the computer has chosen another resolution since."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from Xlib import display
from Xlib.error import DisplayError, XError
from Xlib.ext import randr

from app.identity import write_private
from app.protocol import Monitor

log = logging.getLogger(__name__)

#: Smallest and largest size given to a monitor, whatever the viewer asks.
MIN_WIDTH, MIN_HEIGHT = 640, 480
MAX_SIDE = 8192
#: Pixels per inch assumed for the physical size when the screen does not report one.
FALLBACK_DPI = 96
#: The note in the agent's state folder of a monitor fitted and not yet given back.
FITTED_FILE = "fitted-monitor.json"
#: The names of the modes made here start with this.
MODE_PREFIX = "porthole-"


class FitRefused(Exception):
    """The monitor keeps its resolution; the message says why, for people."""


@dataclass(frozen=True)
class _Crtc:
    id: int
    x: int
    y: int
    width: int
    height: int
    mode: int
    rotation: int
    outputs: tuple[int, ...]


@dataclass(frozen=True)
class _Original:
    crtc: _Crtc
    width: int
    height: int
    width_mm: int
    height_mm: int


def fitted_size(
    width: int, height: int, low: tuple[int, int], high: tuple[int, int]
) -> tuple[int, int]:
    """The size given for a request of ``width`` x ``height``: its shape kept, within the
    screen's limits (``low``/``high``) and ours, the width a multiple of 8 and the height
    even (what drivers and H.264 want)."""
    floor_w, floor_h = max(MIN_WIDTH, low[0]), max(MIN_HEIGHT, low[1])
    ceil_w, ceil_h = min(MAX_SIDE, high[0]), min(MAX_SIDE, high[1])
    # Scale down to fit under the ceiling, then up to reach the floor, keeping the shape.
    shrink = min(1.0, ceil_w / width, ceil_h / height)
    shrunk_w, shrunk_h = width * shrink, height * shrink
    grow = max(1.0, floor_w / shrunk_w, floor_h / shrunk_h)
    fitted_w, fitted_h = min(ceil_w, shrunk_w * grow), min(ceil_h, shrunk_h * grow)
    return max(8, int(fitted_w) // 8 * 8), max(2, int(fitted_h) // 2 * 2)


def cvt_reduced_blanking(width: int, height: int, refresh: float = 60.0) -> dict[str, int]:
    """A mode's timings by VESA CVT with reduced blanking (v1), as ``cvt -r`` computes."""
    h_blank, h_front, h_sync = 160, 48, 32
    v_front, v_back_min, min_vblank_us = 3, 6, 460.0
    aspect = _aspect(width, height)
    v_sync = _CVT_VSYNC[aspect] if aspect is not None else 10  # CVT tells the aspect by it
    h_period_us = (1e6 / refresh - min_vblank_us) / height
    vbi_lines = max(math.floor(min_vblank_us / h_period_us) + 1, v_front + v_sync + v_back_min)
    h_total, v_total = width + h_blank, height + vbi_lines
    clock_step = 250_000  # CVT rounds the pixel clock down to 0.25 MHz
    dot_clock = int(h_total * v_total * refresh) // clock_step * clock_step
    return {
        "width": width,
        "height": height,
        "dot_clock": dot_clock,
        "h_sync_start": width + h_front,
        "h_sync_end": width + h_front + h_sync,
        "h_total": h_total,
        "h_skew": 0,
        "v_sync_start": height + v_front,
        "v_sync_end": height + v_front + v_sync,
        "v_total": v_total,
        "flags": randr.HSyncPositive | randr.VSyncNegative,
    }


#: CVT's vertical sync width for each standard aspect ratio (10 lines: any other).
_CVT_VSYNC = {(4, 3): 4, (16, 9): 5, (16, 10): 6, (5, 4): 7, (15, 9): 7}


def _aspect(width: int, height: int) -> tuple[int, int] | None:
    """The standard aspect ratio a size has, as CVT tells them apart."""
    for ratio in _CVT_VSYNC:
        if height == width * ratio[1] // ratio[0]:
            return ratio
    return None


class X11Resolution:
    """Changes the resolution of monitors of one X display, on a connection of its own.
    With a ``state_dir``, what must be given back is noted there until it is, and a note
    left by an agent that died is acted on here (``recovered`` says so)."""

    def __init__(self, display_name: str | None = None, state_dir: Path | None = None) -> None:
        self._display = display.Display(display_name)
        try:
            if not self._display.has_extension("RANDR"):
                raise FitRefused("This display cannot change its resolution (no RandR).")
            version = self._display.xrandr_query_version()
            if (version.major_version, version.minor_version) < (1, 2):
                raise FitRefused("This display cannot change its resolution (RandR < 1.2).")
        except BaseException:
            self._display.close()
            raise
        self._root = self._display.screen().root
        self._original: _Original | None = None
        self._made: dict[tuple[int, int], int] = {}  # (width, height) -> mode made here
        self._note = state_dir / FITTED_FILE if state_dir is not None else None
        #: A monitor left fitted by an agent that died was given its own resolution back.
        self.recovered = self._recover()

    @property
    def changed(self) -> bool:
        return self._original is not None

    def fit(self, monitor: Monitor, width: int, height: int) -> tuple[int, int]:
        """Give ``monitor`` about ``width`` x ``height``; returns the size it now has.
        Raises :exc:`FitRefused` (the monitor as it was) when it cannot."""
        try:
            return self._fit(monitor, width, height)
        except XError as exc:
            self._display.sync()
            raise FitRefused(f"The computer's display refused the resolution ({exc}).") from None

    def _fit(self, monitor: Monitor, width: int, height: int) -> tuple[int, int]:
        resources = self._root.xrandr_get_screen_resources_current()
        crtc = self._crtc_showing(monitor, resources)
        if crtc is None:
            raise FitRefused("This monitor cannot change its resolution.")
        if crtc.rotation != randr.Rotate_0:
            raise FitRefused("A rotated monitor keeps its resolution.")
        limits = self._root.xrandr_get_screen_size_range()
        size = fitted_size(
            width,
            height,
            (limits.min_width, limits.min_height),
            (limits.max_width, limits.max_height),
        )
        if self._original is None:
            geometry = self._root.get_geometry()
            screen = self._display.screen()
            self._original = _Original(
                crtc,
                geometry.width,
                geometry.height,
                screen.width_in_mms,
                screen.height_in_mms,
            )
        elif self._original.crtc.id != crtc.id:
            # Another monitor was fitted before (the viewer switched): give it back first.
            self.restore()
            return self._fit(monitor, width, height)
        if (crtc.width, crtc.height) == size:
            return size
        self._write_note(size)  # before the change: a death during it is covered too
        mode = self._mode_for(size, crtc.outputs, resources)
        self._configure(crtc, mode, size, resources)
        return size

    def restore(self) -> None:
        """The monitor's own mode and the screen's own size again; the modes made here
        deleted. Nothing happens when nothing was changed."""
        original, self._original = self._original, None
        if original is not None:
            try:
                resources = self._root.xrandr_get_screen_resources_current()
                crtc = original.crtc
                self._configure(
                    crtc,
                    crtc.mode,
                    (crtc.width, crtc.height),
                    resources,
                    screen=(original.width, original.height, original.width_mm, original.height_mm),
                )
            except XError:
                self._display.sync()  # (the display went on without us: nothing to undo)
        if self._made:
            resources = self._root.xrandr_get_screen_resources_current()
            outputs = original.crtc.outputs if original is not None else ()
            for mode in self._made.values():
                self._forget_mode(mode, outputs, resources)
        self._made.clear()
        self._display.sync()
        if self._note is not None:
            self._note.unlink(missing_ok=True)

    def close(self) -> None:
        try:
            self.restore()
        finally:
            self._display.close()

    # -- after an agent that died ------------------------------------------------------------

    def _write_note(self, fitted: tuple[int, int]) -> None:
        if self._note is None or self._original is None:
            return
        note = {
            "display": self._display.get_display_name(),
            "original": asdict(self._original),
            "fitted": list(fitted),
        }
        write_private(self._note, json.dumps(note))

    def _recover(self) -> bool:
        """Give back what an agent that died left fitted on this display (its note says
        what), unless the monitor shows another size than it was given (the person at
        the computer chose one since: theirs stays). The modes made here go either way,
        but for one in use."""
        if self._note is None:
            return False
        try:
            note = json.loads(self._note.read_text(encoding="utf-8"))
            if note["display"] != self._display.get_display_name():
                return False  # another display's: the agent on it acts on it
            stored = note["original"]
            crtc = _Crtc(**{**stored["crtc"], "outputs": tuple(stored["crtc"]["outputs"])})
            original = _Original(**{**stored, "crtc": crtc})
            fitted = (int(note["fitted"][0]), int(note["fitted"][1]))
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            log.warning("the note of a monitor left fitted is unreadable: it is dropped")
            self._note.unlink(missing_ok=True)
            return False
        try:
            resources = self._root.xrandr_get_screen_resources_current()
            now = self._display.xrandr_get_crtc_info(crtc.id, resources.config_timestamp)
            made = self._modes_made_here(resources)
            still_fitted = (
                (now.x, now.y, now.width, now.height) == (crtc.x, crtc.y, *fitted)
                and now.mode in made.values()
                and crtc.mode in {mode.id for mode in resources.modes}
            )
            if still_fitted:
                log.info(
                    "a monitor left at %dx%d by an agent that stopped gets its own back", *fitted
                )
                self._original, self._made = original, made
                self.restore()
                return True
            for mode in made.values():
                if mode != now.mode:
                    self._forget_mode(mode, crtc.outputs, resources)
            self._display.sync()
        except XError:
            self._display.sync()  # (the display is not the one the note was made on)
        self._note.unlink(missing_ok=True)
        return False

    def _modes_made_here(self, resources: Any) -> dict[tuple[int, int], int]:
        """The modes on the display made by an agent (by their name), by size."""
        made, start = {}, 0
        for mode in resources.modes:
            name = resources.names[start : start + mode.name_length]
            start += mode.name_length
            if name.startswith(MODE_PREFIX):
                made[(mode.width, mode.height)] = int(mode.id)
        return made

    def _forget_mode(self, mode: int, outputs: tuple[int, ...], resources: Any) -> None:
        for output in outputs:
            info = self._display.xrandr_get_output_info(output, resources.config_timestamp)
            if mode in info.modes:
                self._display.xrandr_delete_output_mode(output, mode)
        self._display.xrandr_destroy_mode(mode)

    # -- the parts -------------------------------------------------------------------------

    def _crtc_showing(self, monitor: Monitor, resources: Any) -> _Crtc | None:
        """The CRTC scanning out exactly this monitor's rectangle, with an output."""
        timestamp = resources.config_timestamp
        for crtc_id in resources.crtcs:
            info = self._display.xrandr_get_crtc_info(crtc_id, timestamp)
            if not info.mode or not info.outputs:
                continue
            if (info.x, info.y, info.width, info.height) == (
                monitor.x,
                monitor.y,
                monitor.width,
                monitor.height,
            ):
                return _Crtc(
                    crtc_id,
                    info.x,
                    info.y,
                    info.width,
                    info.height,
                    info.mode,
                    info.rotation,
                    tuple(info.outputs),
                )
        return None

    def _mode_for(self, size: tuple[int, int], outputs: tuple[int, ...], resources: Any) -> int:
        """A mode of that size every output of the CRTC has: one they had, or one made."""
        timestamp = resources.config_timestamp
        sizes = {mode.id: (mode.width, mode.height) for mode in resources.modes}
        offered = [
            set(self._display.xrandr_get_output_info(output, timestamp).modes) for output in outputs
        ]
        for mode_id in set.intersection(*offered):
            if sizes.get(mode_id) == size:
                return int(mode_id)
        mode = self._made.get(size)
        if mode is None:
            name = f"{MODE_PREFIX}{size[0]}x{size[1]}"
            timings = cvt_reduced_blanking(*size)
            created = self._root.xrandr_create_mode(
                {"id": 0, "name_length": len(name), **timings}, name
            )
            mode = self._made[size] = int(created.mode)
        for output, modes in zip(outputs, offered, strict=True):
            if mode not in modes:
                self._display.xrandr_add_output_mode(output, mode)
        return mode

    def _configure(
        self,
        crtc: _Crtc,
        mode: int,
        size: tuple[int, int],
        resources: Any,
        *,
        screen: tuple[int, int, int, int] | None = None,
    ) -> None:
        """The CRTC in ``mode``, the screen resized around every monitor: grown before
        (a CRTC must fit inside the screen), shrunk after."""
        geometry = self._root.get_geometry()
        if screen is None:
            width, height = self._extent(crtc, size, resources)
            physical = self._display.screen()
            dpmm_w = (
                physical.width_in_pixels / physical.width_in_mms if physical.width_in_mms else 0
            )
            dpmm_h = (
                physical.height_in_pixels / physical.height_in_mms if physical.height_in_mms else 0
            )
            fallback = FALLBACK_DPI / 25.4
            screen = (
                width,
                height,
                round(width / (dpmm_w or fallback)),
                round(height / (dpmm_h or fallback)),
            )
        width, height = screen[0], screen[1]
        if width > geometry.width or height > geometry.height:
            self._root.xrandr_set_screen_size(
                max(width, geometry.width), max(height, geometry.height), screen[2], screen[3]
            )
        reply = self._display.xrandr_set_crtc_config(
            crtc.id,
            resources.config_timestamp,
            crtc.x,
            crtc.y,
            mode,
            crtc.rotation,
            list(crtc.outputs),
        )
        if reply.status != randr.SetConfigSuccess:
            self._display.sync()
            if (width, height) != (geometry.width, geometry.height):
                self._root.xrandr_set_screen_size(
                    geometry.width, geometry.height, screen[2], screen[3]
                )
            raise FitRefused("The computer's display refused the resolution.")
        self._root.xrandr_set_screen_size(width, height, screen[2], screen[3])
        self._display.sync()

    def _extent(self, changed: _Crtc, size: tuple[int, int], resources: Any) -> tuple[int, int]:
        """The screen size holding every active CRTC, ``changed`` at its new size."""
        width, height = changed.x + size[0], changed.y + size[1]
        for crtc_id in resources.crtcs:
            if crtc_id == changed.id:
                continue
            info = self._display.xrandr_get_crtc_info(crtc_id, resources.config_timestamp)
            if info.mode:
                width, height = max(width, info.x + info.width), max(height, info.y + info.height)
        return width, height


def give_back_left_fitted(display_name: str | None, state_dir: Path) -> bool:
    """At the agent's start: a monitor an earlier agent (that died) left fitted gets its
    own resolution back now, not at the next session. True when one did."""
    if not (state_dir / FITTED_FILE).exists():
        return False
    try:
        resolution = X11Resolution(display_name, state_dir)
    except (FitRefused, OSError, XError, DisplayError) as exc:
        log.warning("a monitor left fitted cannot be given back now: %s", exc)
        return False
    try:
        return resolution.recovered
    finally:
        resolution.close()
