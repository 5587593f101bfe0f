"""The Wayland screen, through the XDG desktop portal (``app.agent.xdg_portal``): the
frames of the portal's PipeWire stream, converted to BGRx by GStreamer (``pipewiresrc``,
in a ``gst-launch-1.0`` child that gets the portal's PipeWire descriptor), read on a
thread that keeps only the newest one.

The compositor sends a frame only when the screen changed, so a frame arriving is the
change report: the reader writes to a pipe the session watches (``change_fd``), and a
still screen costs nothing. Where it changed is found by comparing with the previous
grab, as for X11 (``changes.changed_box``).

The stream ends when GStreamer's output does, or when the portal session's watch says
the desktop went away (the child is stopped then: it would not notice); the child is
tied to the agent, so even an agent killed outright leaves none behind."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from typing import cast

import numpy as np
import numpy.typing as npt

from app import processes
from app.agent.capture.base import Captured, DesktopUnavailable
from app.agent.capture.changes import changed_box
from app.agent.xdg_portal import PortalSession, Stream
from app.protocol import Monitor

log = logging.getLogger(__name__)
#: The first frame comes 0.1-0.4 s after the session starts; a keyframe asked before it
#: waits this long at most.
FIRST_FRAME_WAIT_S = 10.0
GSTREAMER = "gst-launch-1.0"


def frame_reader_command(fd: int, stream: Stream) -> list[str]:
    """The GStreamer child: the stream's frames as raw BGRx of the monitor's size on its
    standard output (scaled should the monitor change size: the frames keep one size)."""
    return [
        GSTREAMER,
        "-q",
        "pipewiresrc",
        f"fd={fd}",
        f"path={stream.node}",
        "always-copy=true",
        "!",
        "videoconvert",
        "!",
        "videoscale",
        "!",
        f"video/x-raw,format=BGRx,width={stream.width},height={stream.height}",
        "!",
        "fdsink",
        "fd=1",
        "sync=false",
    ]


class PortalScreen:
    """One monitor shared by the portal session (``multiple`` is off: the person picks
    one in the dialog)."""

    polls = False

    def __init__(self, session: PortalSession) -> None:
        if shutil.which(GSTREAMER) is None:
            raise DesktopUnavailable(
                "no_portal",
                "GStreamer is missing: install gstreamer1.0-tools and gstreamer1.0-pipewire.",
            )
        self._session = session
        stream = session.streams[0]
        self._stream = stream
        self._monitor = Monitor(
            id="1",
            name="Screen",
            x=stream.x,
            y=stream.y,
            width=stream.width,
            height=stream.height,
            primary=True,
        )
        self._frame_bytes = stream.width * stream.height * 4
        self._lock = threading.Lock()
        self._newest: tuple[bytearray, int] | None = None  # (BGRx pixels, captured µs)
        self._fresh = False  # the newest frame was not grabbed yet
        self._ended = False
        self._previous: bytearray | None = None
        self._first = threading.Event()
        self._wake_read, self._wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        # What GStreamer says goes to a file, read if the stream ends (a pipe nobody
        # reads would stop it once full).
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115  (closed in close())
        self._gone = ""  # why the desktop went away, when it did
        self._child = processes.start_tied(
            frame_reader_command(session.pipewire_fd, stream),
            stdout=subprocess.PIPE,
            stderr=self._errors,
            pass_fds=(session.pipewire_fd,),
            bufsize=0,
        )
        self._reader = threading.Thread(target=self._read_frames, name="portal-frames", daemon=True)
        self._reader.start()
        session.watch(self._desktop_gone)

    # -- the reader thread ---------------------------------------------------------------

    def _read_frames(self) -> None:
        assert self._child.stdout is not None
        out = cast(io.RawIOBase, self._child.stdout)  # bufsize=0: unbuffered
        size = self._frame_bytes
        while True:
            frame = bytearray(size)
            view, got = memoryview(frame), 0
            while got < size:
                count = out.readinto(view[got:])
                if not count:
                    self._end()
                    return
                got += count
            with self._lock:
                self._newest = (frame, time.time_ns() // 1000)  # the older one is dropped
                signal = not self._fresh
                self._fresh = True
            self._first.set()
            if signal:
                self._signal()

    def _desktop_gone(self, why: str) -> None:
        """From the portal session's watch: the stream ends now, and its reader with it."""
        self._gone = why
        self._end()
        self._child.terminate()

    def _end(self) -> None:
        with self._lock:
            self._ended = True
        self._first.set()
        self._signal()

    def _signal(self) -> None:
        with contextlib.suppress(OSError):  # already readable (full), or closed
            os.write(self._wake_write, b"\0")

    # -- ScreenSource ------------------------------------------------------------------

    @property
    def width(self) -> int:
        return self._stream.width - self._stream.width % 2

    @property
    def height(self) -> int:
        return self._stream.height - self._stream.height % 2

    @property
    def current(self) -> Monitor:
        return self._monitor

    def monitors(self) -> list[Monitor]:
        return [self._monitor]

    def select(self, monitor_id: str) -> None:
        if monitor_id != self._monitor.id:
            raise KeyError(monitor_id)

    def reload(self) -> None:
        """Nothing to read again: the stream keeps its size (frames are scaled to it)."""

    def change_fd(self) -> int | None:
        return self._wake_read

    def changes_pending(self) -> bool:
        with contextlib.suppress(OSError):  # empty: BlockingIOError
            while os.read(self._wake_read, 64):
                pass
        with self._lock:
            return self._fresh or self._ended

    def grab_if_changed(self) -> Captured | None:
        with self._lock:
            ended, fresh, newest = self._ended, self._fresh, self._newest
            self._fresh = False
        if ended:
            self._raise_ended()
        if not fresh or newest is None:
            return None
        frame, captured_us = newest
        previous, self._previous = self._previous, frame
        box = None
        if previous is not None:
            box = changed_box(self._pixels(frame), self._pixels(previous))
            if box is None:
                return None
        return Captured(self._image(frame), captured_us, "bgra", box)

    def render(self) -> Captured:
        if not self._first.wait(FIRST_FRAME_WAIT_S):
            raise DesktopUnavailable("ended", "The desktop sent no picture of its screen.")
        with self._lock:
            newest = self._newest
            self._fresh = False
        if newest is None:
            self._raise_ended()
        assert newest is not None
        frame, captured_us = newest
        self._previous = frame
        return Captured(self._image(frame), captured_us, "bgra")

    def _pixels(self, frame: bytearray) -> npt.NDArray[np.uint8]:
        stream = self._stream
        return np.frombuffer(frame, np.uint8).reshape(stream.height, stream.width, 4)

    def _image(self, frame: bytearray) -> npt.NDArray[np.uint8]:
        pixels = self._pixels(frame)
        if pixels.shape[:2] == (self.height, self.width):
            return pixels
        return np.ascontiguousarray(pixels[: self.height, : self.width])

    def _raise_ended(self) -> None:
        self._errors.seek(0)
        error = self._errors.read()[-2000:].decode(errors="replace").strip()
        if self._gone:
            log.info("the desktop went away: %s", self._gone)
        else:
            log.info("the portal's frame reader ended: %s", error or "no message")
        raise DesktopUnavailable(
            "ended",
            "The desktop stopped sharing its screen (the sharing was stopped, or the "
            "desktop session ended).",
        )

    def close(self) -> None:
        processes.stop(self._child, 5)
        self._reader.join(5)
        if self._child.stdout is not None:
            self._child.stdout.close()
        self._errors.close()
        os.close(self._wake_read)
        os.close(self._wake_write)
        self._session.close()
