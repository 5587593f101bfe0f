"""The X11 clipboard (the CLIPBOARD selection, ICCCM), on a connection of its own.

X has no clipboard store: whoever copied last *owns* the selection and hands its content
to whoever asks. So this side does both halves of the protocol, without ever waiting:

- **Hearing a copy:** XFixes reports every change of owner. We then ask the owner for its
  TARGETS, pick PNG over UTF-8 text over Latin-1 text, and ask for that; the answer
  comes as a property on our window, whole or, when large, in INCR chunks.
- **Pasting what the viewer copied:** we become the owner and answer SelectionRequest
  events from the applications that paste, in INCR chunks when the content is larger
  than one X request may carry.

Every step is an event read on the session's loop (``watch_fd``), so a slow or vanished
owner never blocks a session; a conversion that goes unanswered is dropped."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from Xlib import X, Xatom, display
from Xlib.error import DisplayError
from Xlib.ext import xfixes
from Xlib.protocol import event as xevent

from app.protocol.clipboard import MAX_IMAGE_BYTES, Clip, ClipKind

log = logging.getLogger(__name__)
#: A conversion the owner has not finished by then is dropped (the owner hung or left).
CONVERT_TIMEOUT_S = 5.0
#: Bytes per property write when handing content out: well under the smallest maximum
#: request size an X server has (256 kB), so large content goes in INCR chunks.
CHUNK_BYTES = 64 * 1024
TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT")
IMAGE_TARGET = "image/png"


class ClipboardUnavailable(RuntimeError):
    """This X server cannot report clipboard changes (no XFixes)."""


@dataclass
class _Reading:
    """A conversion we asked the owner for: its TARGETS first, then the content."""

    target: int
    started: float
    chunks: list[bytes] = field(default_factory=list)
    incremental: bool = False
    size: int = 0


@dataclass
class _Handing:
    """Content going out to one requestor in INCR chunks."""

    window: Any
    property: int
    target: int
    data: bytes
    offset: int = 0
    started: float = field(default_factory=time.monotonic)


class X11Clipboard:
    def __init__(self, display_name: str | None = None) -> None:
        try:
            self._display = display.Display(display_name)
        except DisplayError as exc:
            raise ClipboardUnavailable(f"cannot open the X display: {exc}") from None
        try:
            extension = self._display.query_extension("XFIXES")
            if extension is None:
                raise ClipboardUnavailable("the X server has no XFIXES extension")
            self._display.xfixes_query_version()
            # python-xlib registers a copy of each extension event class: recognise the
            # event by its code, not by isinstance.
            self._selection_event = extension.first_event + xfixes.XFixesSelectionNotify
            self._display.set_error_handler(self._x_error)
            self._atoms: dict[str, int] = {}
            self._clipboard = self._atom("CLIPBOARD")
            self._targets = self._atom("TARGETS")
            self._incr = self._atom("INCR")
            self._property = self._atom("PORTHOLE_CLIPBOARD")
            root = self._display.screen().root
            self._window = root.create_window(
                -10, -10, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask
            )
            self._display.xfixes_select_selection_input(
                self._window, self._clipboard, xfixes.XFixesSetSelectionOwnerNotifyMask
            )
            # A round trip: the server has taken the request before anyone copies next.
            self._display.sync()
        except BaseException:
            self._display.close()
            raise
        self._owned: Clip | None = None
        self._reading: _Reading | None = None
        self._handing: dict[tuple[int, int], _Handing] = {}
        self._copied: list[Clip] = []

    # -- HostClipboard ---------------------------------------------------------------------

    def watch_fd(self) -> int | None:
        return self._display.fileno()

    def changes(self) -> list[Clip]:
        now = time.monotonic()
        if self._reading is not None and now - self._reading.started > CONVERT_TIMEOUT_S:
            log.info("the clipboard's owner did not answer; that copy is not shared")
            self._reading = None
        for key, handing in list(self._handing.items()):
            if now - handing.started > CONVERT_TIMEOUT_S:
                del self._handing[key]  # the pasting application stopped reading
        self._drain()
        copied, self._copied = self._copied, []
        return copied

    def put(self, clip: Clip) -> None:
        self._owned = clip
        self._window.set_selection_owner(self._clipboard, X.CurrentTime)
        self._drain()

    def _drain(self) -> None:
        """Send what was asked and handle every event that came. Only an empty queue
        may end this: python-xlib reads events whenever it talks to the server (a flush
        too), and an event left in its queue would never make the descriptor readable."""
        while self._display.pending_events():  # flushes, then reads without waiting
            self._handle(self._display.next_event())

    def close(self) -> None:
        self._display.close()

    # -- events ----------------------------------------------------------------------------

    def _handle(self, ev: Any) -> None:
        if ev.type == self._selection_event:
            if ev.sub_code == xfixes.XFixesSetSelectionOwnerNotify:
                self._owner_changed(ev)
        elif ev.type == X.SelectionNotify:
            self._converted(ev)
        elif ev.type == X.PropertyNotify:
            self._property_changed(ev)
        elif ev.type == X.SelectionRequest:
            self._requested(ev)
        elif ev.type == X.SelectionClear:
            self._owned = None  # someone else copied since

    def _owner_changed(self, ev: Any) -> None:
        owner = _id(ev.owner)
        if ev.selection != self._clipboard or owner in (X.NONE, self._window.id):
            return  # emptied, or our own put: nothing new to share
        # A newer copy replaces one still being read: the latest is what people expect.
        self._convert(self._targets, ev.selection_timestamp)

    def _convert(self, target: int, timestamp: int) -> None:
        self._reading = _Reading(target, time.monotonic())
        self._window.delete_property(self._property)
        self._window.convert_selection(self._clipboard, target, self._property, timestamp)

    def _converted(self, ev: Any) -> None:
        reading = self._reading
        if reading is None or ev.selection != self._clipboard or ev.target != reading.target:
            return
        if ev.property == X.NONE:
            self._reading = None  # the owner cannot give that
            return
        prop = self._window.get_full_property(self._property, X.AnyPropertyType)
        if prop is not None and prop.property_type == self._incr:
            reading.incremental = True  # chunks follow, one per new value of the property
            self._window.delete_property(self._property)
            return
        self._window.delete_property(self._property)
        if reading.target == self._targets:
            self._reading = None
            self._targets_offered(prop.value if prop is not None else [])
            return
        self._received(reading, _bytes(prop))

    def _property_changed(self, ev: Any) -> None:
        if _id(ev.window) == self._window.id:
            reading = self._reading
            if (
                reading is None
                or not reading.incremental
                or ev.atom != self._property
                or ev.state != X.PropertyNewValue
            ):
                return
            prop = self._window.get_full_property(self._property, X.AnyPropertyType)
            self._window.delete_property(self._property)  # asks for the next chunk
            chunk = _bytes(prop)
            if chunk:
                reading.chunks.append(chunk)
                reading.size += len(chunk)
                if reading.size > MAX_IMAGE_BYTES:
                    log.info("a copy larger than %d bytes is not shared", MAX_IMAGE_BYTES)
                    self._reading = None
                return
            self._received(reading, b"".join(reading.chunks))
            return
        handing = self._handing.get((_id(ev.window), ev.atom))
        if handing is not None and ev.state == X.PropertyDelete:
            self._hand_next_chunk(handing)

    def _targets_offered(self, value: Any) -> None:
        atoms = [] if isinstance(value, (bytes, str)) else [int(atom) for atom in value]
        offered = {self._display.get_atom_name(atom) for atom in atoms}
        for name in (IMAGE_TARGET, *TEXT_TARGETS):
            if name in offered:
                self._convert(self._atom(name), X.CurrentTime)
                return
        # Nothing we can share (files, rich text alone…).

    def _received(self, reading: _Reading, data: bytes) -> None:
        self._reading = None
        name = self._display.get_atom_name(reading.target)
        if name == IMAGE_TARGET:
            self._copied.append(Clip.image(data))
        elif name in ("STRING", "TEXT"):  # Latin-1 by ICCCM
            self._copied.append(Clip.text(data.decode("latin-1")))
        else:
            self._copied.append(Clip.text(data.decode("utf-8", "replace")))

    # -- handing our content out -----------------------------------------------------------

    def _requested(self, ev: Any) -> None:
        # Obsolete clients name no property: the target names it (ICCCM 2.2).
        prop = ev.property if ev.property != X.NONE else ev.target
        answered = self._answer(ev.requestor, ev.target, prop) if self._owned else False
        reply = xevent.SelectionNotify(
            time=ev.time,
            requestor=ev.requestor,
            selection=ev.selection,
            target=ev.target,
            property=prop if answered else X.NONE,
        )
        ev.requestor.send_event(reply, event_mask=0)

    def _answer(self, requestor: Any, target: int, prop: int) -> bool:
        owned = self._owned
        assert owned is not None
        offered = TEXT_TARGETS if owned.kind == ClipKind.TEXT else (IMAGE_TARGET,)
        if target == self._targets:
            atoms = [self._targets, *(self._atom(name) for name in offered)]
            requestor.change_property(prop, Xatom.ATOM, 32, atoms)
            return True
        name = self._display.get_atom_name(target)
        if name not in offered:
            return False
        data = owned.data
        if name in ("STRING", "TEXT"):
            data = owned.as_text().encode("latin-1", "replace")
            target = Xatom.STRING
        if len(data) <= CHUNK_BYTES:
            requestor.change_property(prop, target, 8, data)
            return True
        # INCR: announce the size, then a chunk each time the requestor deletes the last.
        requestor.change_attributes(event_mask=X.PropertyChangeMask)
        requestor.change_property(prop, self._incr, 32, [len(data)])
        self._handing[(requestor.id, prop)] = _Handing(requestor, prop, target, data)
        return True

    def _hand_next_chunk(self, handing: _Handing) -> None:
        chunk = handing.data[handing.offset : handing.offset + CHUNK_BYTES]
        handing.window.change_property(handing.property, handing.target, 8, chunk)
        handing.offset += len(chunk)
        if not chunk:  # the empty chunk says it is all there
            del self._handing[(handing.window.id, handing.property)]

    # -- X details -------------------------------------------------------------------------

    def _atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self._display.intern_atom(name)
        return self._atoms[name]

    def _x_error(self, error: Any, request: Any) -> None:
        # A requestor that vanished mid-paste (BadWindow) is its own business.
        log.debug("X error on the clipboard connection: %s", error)


def _id(window: Any) -> int:
    return int(getattr(window, "id", window))


def _bytes(prop: Any) -> bytes:
    if prop is None:
        return b""
    value = prop.value
    if isinstance(value, str):
        return value.encode("latin-1")
    return value if isinstance(value, bytes) else bytes(value)
