"""One remote session behind one window: the headless session core, the gesture
recogniser and the local viewport, with the window's events turned into input.

Input leaves through one queue and one sender task, so it reaches the agent in the
order it happened. Touch goes through the recogniser; mouse, wheel and keys pass
through as they are (a laptop's own mouse should feel like one). Keys pressed are
remembered, and released if the window loses focus or closes, so nothing stays held on
the remote computer."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from app.protocol import ScreenList
from app.protocol.clipboard import Clip, ClipTooLarge
from app.protocol.files import DirListing
from app.protocol.input import InputEvent, Modifier
from app.viewer.controllers.clipboard import ClipboardBridge
from app.viewer.controllers.sound import SoundOutput
from app.viewer.core.decoder import Picture
from app.viewer.core.gestures import (
    Action,
    EdgeSwipe,
    GestureRecogniser,
    GestureSettings,
    LensChanged,
    TouchPoint,
    ViewportChanged,
)
from app.viewer.core.i18n import tr
from app.viewer.core.session import (
    Renew,
    SessionFailed,
    SessionGrant,
    State,
    ViewerSession,
)
from app.viewer.core.transfers import Transfer, TransferRefused
from app.viewer.core.viewport import Viewport
from app.viewer.qt import QtCore, Signal

log = logging.getLogger(__name__)
#: A folder listing not answered by then is said to have failed.
FOLDER_TIMEOUT_S = 15.0
#: Stream settings per quality choice: (kbit/s, frames per second, scale).
QUALITIES = {"auto": (6000, 60, 1.0), "fast": (2500, 30, 0.75), "best": (15000, 60, 1.0)}
WHEEL_UNITS_PER_NOTCH = 120  # Qt's angle delta: eighths of a degree, 15° a notch
PIXELS_PER_NOTCH = 40.0  # trackpads report pixels: about one notch of text
#: How long a window's size must hold before the computer is asked to match it.
FIT_SETTLE_MS = 400


class SessionController(QtCore.QObject):
    #: A new picture was decoded (emitted on the decode thread, delivered on the GUI's).
    picture_ready = Signal()
    #: The session's state and its reason, for the window's status line.
    state_changed = Signal(str, str)
    #: The local view zoomed or panned: repaint.
    viewport_changed = Signal()
    #: The remote computer's monitors changed, or the one shown: (ids, names, current id).
    screens_changed = Signal(list, list, str)
    #: A finger touched the screen (the window hides its bar while touch is in use).
    touched = Signal()
    #: A swipe down from the top edge (the window shows its bar).
    edge_swiped = Signal()
    #: Something the person should know that is not the session's state (a copy too
    #: large to share), for the window's status line.
    notice = Signal(str)
    #: A file transfer started, moved on or ended: its number.
    transfer_changed = Signal(int)
    #: A folder of the computer's home was listed: its listing (a DirListing).
    folder_listed = Signal(object)
    #: The computer's pointer moved or changed shape: repaint.
    cursor_changed = Signal()
    #: Whether the computer can take this window's shape ("Match this device").
    fit_available = Signal(bool)

    def __init__(
        self,
        settings: GestureSettings | None = None,
        *,
        share_clipboard: bool = True,
        downloads: Path | None = None,
        sound: bool = True,
        fit_screen: bool = False,
    ) -> None:
        super().__init__()
        self._sound = sound
        self._fit_screen = fit_screen
        # A window being resized sends one request once it settles, not one per step
        # (each is a mode change on the computer's monitor).
        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(FIT_SETTLE_MS)
        self._fit_timer.timeout.connect(self._send_fit)
        #: This device's speakers, while the computer's sound is on.
        self.sound_output = SoundOutput()
        #: Where fetched files go (the system's downloads folder unless said otherwise).
        self.downloads = downloads or _downloads_folder()
        self.session: ViewerSession | None = None
        #: The picture shown when the session ended.
        self.last_picture: Picture | None = None
        self._share_clipboard = share_clipboard
        self._clipboard: ClipboardBridge | None = None
        self._settings = settings or GestureSettings()
        self.recogniser = GestureRecogniser(Viewport(1280, 720, 1280, 720), self._settings)
        self.latched: set[Modifier] = set()  # from the on-screen modifier bar
        self._lens_at: tuple[float, float] | None = None
        self._outbox: asyncio.Queue[InputEvent] = asyncio.Queue(maxsize=1000)
        self._sender: asyncio.Task[None] | None = None
        self._held_keys: list[str] = []
        self._buttons_down: set[str] = set()
        self._deadline = QtCore.QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._deadline_reached)
        self._device_pixel_ratio = 1.0
        self._stopping: asyncio.Event | None = None
        self._output_size: tuple[int, int] | None = None
        self._refresh = QtCore.QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(150)
        self._refresh.timeout.connect(self._ask_for_a_fresh_picture)
        self._tasks: set[asyncio.Future[None]] = set()
        self.picture_ready.connect(self._picture_arrived)

    # -- wiring -------------------------------------------------------------------------

    async def run(self, cloud_url: str, grant: SessionGrant, renew: Renew | None) -> None:
        """The session, from connecting until it ends or ``stop()`` is called."""
        self._stopping = asyncio.Event()
        self.state_changed.emit("connecting", "")
        session = ViewerSession(
            cloud_url,
            grant,
            renew=renew,
            on_state=self.on_state,
            on_picture=self.on_picture,
            on_screens=self.on_screens,
            on_clipboard=self._clipboard_arrived,
            share_clipboard=self._share_clipboard,
            downloads=self.downloads,
            on_transfer=lambda transfer: self.transfer_changed.emit(transfer.number),
            on_sound=self.sound_output.play,
            sound=self._sound and self.sound_output.start(),
            draw_cursor=True,
            on_cursor=self.cursor_changed.emit,
            fit_screen=self._fit_size(),
            on_fits=self.fit_available.emit,
        )

        async def open_and_attach() -> None:
            await session.__aenter__()
            self.attach(session)  # in the same step as "live": no input is lost between

        try:
            opened = await self._unless_stopped(open_and_attach())
        except SessionFailed as exc:
            self.state_changed.emit("closed", str(exc))
            return
        if not opened:  # closed while connecting, or while the computer's person was asked
            self.state_changed.emit("closed", tr("Closed by the viewer."))
            return
        try:
            await self._unless_stopped(session.wait_state("closed", None))
            await self.close()
        finally:
            await session.__aexit__(None, None, None)

    async def _unless_stopped(self, work: Awaitable[object]) -> bool:
        """``work`` to its end (True), or until ``stop()`` (False: it is cancelled, which
        for a session still opening closes its connection, so the agent withdraws the
        question put to the person at the computer)."""
        assert self._stopping is not None
        working = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({working, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not working.done():
                working.cancel()
                with contextlib.suppress(asyncio.CancelledError, SessionFailed):
                    await working
        if working.cancelled():
            return False
        working.result()  # what it raised
        return True

    def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()

    def attach(self, session: ViewerSession) -> None:
        """Use this (already started) session; input flows from now on."""
        self.session = session
        self._sender = asyncio.ensure_future(self._send_forever())
        self._clipboard = ClipboardBridge(self._copied_here)
        current = self._clipboard.current()
        if current is not None:  # copied before connecting: usually why one connects
            self._copied_here(current)

    @property
    def sound_on(self) -> bool:
        return self._sound

    def set_sound(self, on: bool) -> None:
        """Play the computer's sound here, or not (the agent stops sending it)."""
        self._sound = on
        if on:
            on = self.sound_output.start()
        else:
            self.sound_output.stop()
        if self.session is not None:
            self._background(self.session.play_sound(on))

    @property
    def fits_screen(self) -> bool:
        return self._fit_screen

    def set_fit_screen(self, on: bool) -> None:
        """Match this device: the computer's monitor takes this window's picture area
        (and gets its own resolution back when turned off or the session ends)."""
        self._fit_screen = on
        self._fit_timer.stop()
        self._send_fit()

    def _send_fit(self) -> None:
        if self.session is not None:
            self._background(self.session.fit_screen(self._fit_size()))

    def _fit_size(self) -> tuple[int, int] | None:
        """The picture area in the window's pixels, when matching this device: the
        computer's desktop then looks as large as this device's own (a high-density
        screen is not asked for a desktop of tiny text)."""
        if not self._fit_screen:
            return None
        viewport = self.viewport
        return round(viewport.widget_width), round(viewport.widget_height)

    @property
    def clipboard_shared(self) -> bool:
        return self._share_clipboard

    def set_clipboard_sharing(self, on: bool) -> None:
        """Share the clipboard with the computer both ways, or not at all."""
        self._share_clipboard = on
        if self.session is not None:
            self._background(self.session.share_clipboard(on))

    def _copied_here(self, clip: Clip) -> None:
        if self.session is not None:
            self._background(self._share_copy(self.session, clip))

    async def _share_copy(self, session: ViewerSession, clip: Clip) -> None:
        try:
            await session.copied_here(clip)
        except ClipTooLarge as exc:
            self.notice.emit(
                self.tr(
                    "What you copied stays here: {size} is more than the {limit} shared."
                ).format(size=_megabytes(exc.size), limit=_megabytes(exc.limit))
            )

    # -- files --------------------------------------------------------------------------

    def transfers(self) -> list[Transfer]:
        """Every transfer of this session, oldest first."""
        return list(self.session.transfers.all.values()) if self.session is not None else []

    def transfer(self, number: int) -> Transfer | None:
        return self.session.transfers.all.get(number) if self.session is not None else None

    def send_files(self, paths: Iterable[Path]) -> None:
        """Send these files to the computer's Downloads folder."""
        if self.session is not None:
            for path in paths:
                self._background(self._send_file(self.session, path))

    async def _send_file(self, session: ViewerSession, path: Path) -> None:
        try:
            await session.transfers.send_file(path)
        except TransferRefused as exc:
            self.notice.emit(self.tr("Not sent: {reason}").format(reason=exc))

    def fetch_file(self, remote: str, size: int) -> None:
        """Fetch this file of the computer's home into this device's downloads folder."""
        if self.session is not None:
            self._background(self._fetch(self.session, remote, size))

    async def _fetch(self, session: ViewerSession, remote: str, size: int) -> None:
        await session.transfers.fetch(remote, size)

    def cancel_transfer(self, number: int) -> None:
        transfer = self.transfer(number)
        if self.session is not None and transfer is not None:
            self._background(self.session.transfers.cancel(transfer))

    def list_folder(self, path: str) -> None:
        """Ask for this folder of the computer's home; ``folder_listed`` answers."""
        if self.session is not None:
            self._background(self._list(self.session, path))

    async def _list(self, session: ViewerSession, path: str) -> None:
        try:
            listing = await session.transfers.list_folder(path, FOLDER_TIMEOUT_S)
        except TimeoutError:
            listing = DirListing(path=path, error=self.tr("The computer did not answer."))
        self.folder_listed.emit(listing)

    def _clipboard_arrived(self, clip: Clip) -> None:
        if self._clipboard is not None:
            self._clipboard.apply(clip)

    def on_picture(self, picture: Picture) -> None:
        """ViewerSession's decode-thread hook: only signal; the GUI reads ``latest``."""
        self.picture_ready.emit()

    def on_screens(self, screens: ScreenList) -> None:
        ids = [m.id for m in screens.monitors]
        names = [m.name or m.id for m in screens.monitors]
        self.screens_changed.emit(ids, names, screens.current)

    def select_monitor(self, monitor_id: str) -> None:
        if self.session is not None:
            self._background(self.session.select_monitor(monitor_id))

    def set_quality(self, quality: str) -> None:
        """auto: the agent's defaults; fast: fewer bits for slow links; best: more."""
        if self.session is None:
            return
        bitrate, fps, scale = QUALITIES[quality]
        self._background(self.session.set_video(bitrate_kbps=bitrate, max_fps=fps, scale=scale))

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # Qt events after the session's loop has gone: nothing to do
            work.close()
            return
        task = loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def on_state(self, state: State, detail: str) -> None:
        self.state_changed.emit(state, detail)
        if state != "live":
            self.release_held()

    async def close(self) -> None:
        if self.session is not None and self.session.latest is not None:
            self.last_picture = self.session.latest  # for the Computers list's thumbnail
        self.sound_output.stop()
        if self._clipboard is not None:
            self._clipboard.close()
            self._clipboard = None
        self._refresh.stop()
        self._fit_timer.stop()
        self._deadline.stop()
        self.release_held()
        if self._sender is not None:
            # Let queued releases go out before the sender stops.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    await self._outbox.join()
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender

    @property
    def viewport(self) -> Viewport:
        return self.recogniser.viewport

    @property
    def trackpad(self) -> bool:
        return self._settings.trackpad

    @property
    def lens_enabled(self) -> bool:
        return self._settings.lens

    @property
    def lens(self) -> tuple[float, float] | None:
        """Where the magnifier is shown (widget px of the finger), or None."""
        return self._lens_at

    def set_trackpad(self, on: bool) -> None:
        """Point as on a laptop's trackpad (the pointer moves by the finger's travel, taps
        click where it is), or act where the finger touches."""
        self._change_gestures(trackpad=on)

    def set_edge_swipe(self, on: bool) -> None:
        """A swipe down from the top edge is for the window (to show its bar)."""
        self._change_gestures(edge_swipe=on)

    def set_lens(self, on: bool) -> None:
        """A long press shows the magnifier (or is a right click at once)."""
        self._change_gestures(lens=on)

    def _change_gestures(self, **changes: bool) -> None:
        settings = dataclasses.replace(self._settings, **changes)
        if settings == self._settings:
            return
        self._perform(self.recogniser.touch_cancel(time.monotonic()))  # nothing stays held
        self._settings = settings
        self.recogniser = GestureRecogniser(self.recogniser.viewport, self._settings)
        self.viewport_changed.emit()  # the pointer appears or goes

    def presented(self, picture: Picture) -> None:
        """The window drew this picture for the first time: the render stage's time."""
        if self.session is not None:
            self.session.stats.picture_presented(
                picture.decoded_us, time.time_ns() // 1000, filled=picture.filled
            )

    def picture(self) -> Picture | None:
        return self.session.latest if self.session is not None else None

    # -- from the window ----------------------------------------------------------------

    def widget_resized(self, width: float, height: float, device_pixel_ratio: float) -> None:
        self._device_pixel_ratio = device_pixel_ratio
        self.recogniser.viewport = self.viewport.with_widget_size(max(1, width), max(1, height))
        self._update_output_size()
        self.viewport_changed.emit()
        if self._fit_screen:
            self._fit_timer.start()

    def touch(self, kind: str, points: Iterable[TouchPoint]) -> None:
        now = time.monotonic()
        if kind == "begin":
            actions = self.recogniser.touch_begin(points, now)
        elif kind == "update":
            actions = self.recogniser.touch_update(points, now)
        elif kind == "end":
            actions = self.recogniser.touch_end(points, now)
        else:
            actions = self.recogniser.touch_cancel(now)
        self._perform(actions)
        self.touched.emit()

    def mouse_button(self, x: float, y: float, button: str, down: bool) -> None:
        rx, ry = self.viewport.to_remote(x, y)
        if down:
            self._buttons_down.add(button)
        else:
            self._buttons_down.discard(button)
        self._queue(InputEvent("down" if down else "up", rx, ry, button))  # type: ignore[arg-type]

    def mouse_moved(self, x: float, y: float) -> None:
        rx, ry = self.viewport.to_remote(x, y)
        self._queue(InputEvent("move", rx, ry))

    def wheel(self, x: float, y: float, angle: tuple[int, int], pixels: tuple[int, int]) -> None:
        """Qt's up is positive; the protocol's positive dy scrolls down."""
        if pixels != (0, 0):
            dx, dy = -pixels[0] / PIXELS_PER_NOTCH, -pixels[1] / PIXELS_PER_NOTCH
        else:
            dx, dy = -angle[0] / WHEEL_UNITS_PER_NOTCH, -angle[1] / WHEEL_UNITS_PER_NOTCH
        if dx or dy:
            rx, ry = self.viewport.to_remote(x, y)
            self._queue(InputEvent("wheel", rx, ry, dy=dy, dx=dx, mods=self._take_latched()))

    def key(self, name: str | None, text: str, down: bool, modifiers: tuple[str, ...]) -> None:
        """A physical key, translated: characters travel as text (so every layout types
        what its keys say, whatever the remote computer's layout); shortcuts (Ctrl, Alt,
        Meta held) and named keys (Return, arrows, F-keys, modifiers) as presses and
        releases, remembered until released."""
        shortcut = any(mod in ("ctrl", "alt", "meta") for mod in modifiers)
        if text and text.isprintable() and not shortcut and not self.latched:
            if down:
                self._queue(InputEvent("text", text=text))
            return
        if name is None:
            return
        if self.latched and down:
            self._queue(InputEvent("key", key=name, mods=self._take_latched()))
            return
        if down and name not in self._held_keys:
            self._held_keys.append(name)
            self._queue(InputEvent("keydown", key=name))
        elif not down and name in self._held_keys:
            self._held_keys.remove(name)
            self._queue(InputEvent("keyup", key=name))

    def press_key(self, name: str) -> None:
        """A key from the on-screen bar (Esc, Tab, arrows, F-keys), with latched modifiers."""
        self._queue(InputEvent("key", key=name, mods=self._take_latched()))

    def toggle_modifier(self, modifier: Modifier, on: bool) -> None:
        (self.latched.add if on else self.latched.discard)(modifier)

    def type_text(self, text: str) -> None:
        if text:
            self._queue(InputEvent("text", text=text))

    def release_held(self) -> None:
        """Focus lost, session dropping or closing: let go of everything we pressed."""
        for name in reversed(self._held_keys):
            self._queue(InputEvent("keyup", key=name))
        self._held_keys.clear()
        for button in sorted(self._buttons_down):
            self._queue(InputEvent("up", 0.5, 0.5, button))  # type: ignore[arg-type]
        self._buttons_down.clear()

    def zoom_reset(self) -> None:
        self.recogniser.viewport = self.viewport.reset_zoom()
        self._update_output_size()
        self.viewport_changed.emit()

    # -- inside -------------------------------------------------------------------------

    def _perform(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, ViewportChanged):
                self._update_output_size()
                self.viewport_changed.emit()
            elif isinstance(action, LensChanged):
                self._lens_at = action.at
                self.viewport_changed.emit()
            elif isinstance(action, EdgeSwipe):
                self.edge_swiped.emit()
            else:
                if self._settings.trackpad and action.kind in ("move", "down", "up"):
                    self.viewport_changed.emit()  # the on-screen pointer follows
                if self.latched and action.kind in ("click", "wheel"):
                    action = InputEvent(
                        action.kind,
                        action.x,
                        action.y,
                        action.button,
                        action.count,
                        dy=action.dy,
                        dx=action.dx,
                        mods=tuple(dict.fromkeys((*action.mods, *self._take_latched()))),
                    )
                self._queue(action)
        deadline = self.recogniser.next_deadline()
        if deadline is None:
            self._deadline.stop()
        else:
            self._deadline.start(max(0, int((deadline - time.monotonic()) * 1000) + 1))

    def _ask_for_a_fresh_picture(self) -> None:
        if self.session is not None and self.session.state == "live":
            self._background(self.session.request_keyframe("the picture's size changed"))

    def _deadline_reached(self) -> None:
        self._perform(self.recogniser.advance(time.monotonic()))

    def _take_latched(self) -> tuple[Modifier, ...]:
        # A latched modifier applies to the next key, click or wheel, then lets go (like
        # the Shift of a phone keyboard).
        mods = tuple(sorted(self.latched))
        self.latched.clear()
        return mods

    def _queue(self, event: InputEvent) -> None:
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("input dropped: the connection is not keeping up")

    async def _send_forever(self) -> None:
        while True:
            event = await self._outbox.get()
            try:
                if self.session is not None:
                    await self.session.send_input(event)
            finally:
                self._outbox.task_done()

    def _picture_arrived(self) -> None:
        picture = self.picture()
        if picture is None:
            return
        size = (picture.source_width, picture.source_height)
        viewport = self.viewport
        if size != (viewport.remote_width, viewport.remote_height) and all(size):
            self.recogniser.viewport = viewport.with_remote_size(*size)
            self._update_output_size()
            self.viewport_changed.emit()

    def _update_output_size(self) -> None:
        """Decode straight to the size drawn on screen (device pixels) when not zoomed."""
        if self.session is None:
            return
        viewport = self.viewport
        size: tuple[int, int] | None = None  # zoomed: full detail, scaled when drawn
        if not viewport.zoomed:
            rect = viewport.target_rect()
            ratio = self._device_pixel_ratio
            width, height = int(rect.width * ratio) & ~1, int(rect.height * ratio) & ~1
            size = (width, height) if width > 0 and height > 0 else None
        if size != self._output_size:
            self._output_size = size
            self.session.set_output_size(size)
            # A still screen sends nothing new: ask for a picture at the new size, once
            # the resize or pinch has settled.
            self._refresh.start()


def _downloads_folder() -> Path:
    found = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.DownloadLocation
    )
    return Path(found) if found else Path.home() / "Downloads"


def _megabytes(size: int) -> str:
    return QtCore.QLocale().formattedDataSize(
        size, 1, QtCore.QLocale.DataSizeFormat.DataSizeSIFormat
    )
