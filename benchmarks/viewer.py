"""The viewer's speed on this machine, loopback only (goals from the viewer issue):

1. present: decode + present a 1920x1080 H.264 stream in the real session widget
   (``QT_QPA_PLATFORM=offscreen``), in frames per second, as a ratio to
   ``ffmpeg -threads 2 -i clip -f null -`` on the same clip in the same run (goal >= 0.8x);
2. lag: the GUI event loop's lag (how late a 5 ms timer fires) while a 1080p60 session
   runs in a SessionWindow under qasync, p50 / p99 / max (goal p99 < 20 ms), with the
   frames per second presented meanwhile;
3. glass: glass-to-glass, a colour change of a full-screen window on the host's X screen ->
   that colour on the kiosk viewer's X screen, two Xvfb servers, at 1280x720 and 1920x1080,
   direct and through the relay, beside tuned x11vnc + TigerVNC in the same run (goals:
   p50 no slower than VNC's, p99 <= 2x p50), and the kiosk's stages at 1080p.

    scripts/bench-viewer [--seconds N] [--only present|lag|glass] [--relay]

``--seconds`` (10 by default) is the clip's length for (1), the probe's for (2), and a
tenth of the colour changes for (3) (at least 50). Sessions go straight to the agent on
127.0.0.1 (``porthole agent run --listen``), the way a viewer reaches a computer on its
own network; ``--relay`` sends (2) through the cloud's relay instead ((3) runs both).

How each figure is measured:

1. The clip: 1920x1080 "aerial footage" (the terrain of :mod:`benchmarks.content`, a
   camera panning and zooming, a cloud layer drifting the other way: every pixel moves
   every frame) encoded at 60 fps by the agent's own ``H264Encoder`` (x264 ultrafast,
   zerolatency, 4 slices, its default 6 Mbit/s cap) into an Annex B file, one access unit
   per frame. ffmpeg's figure is frames / ``rtime`` of ``-benchmark`` (decoding only:
   process start-up and probing are not counted, ``-f null`` converts no pixels), the
   best of three runs. The viewer's: a worker process (offscreen Qt, qasync) shows a
   kiosk SessionWindow at 1920x1080 whose real SessionController and VideoWidget draw
   from a ViewerSession fed from the file instead of a socket: the access units go into
   its receive path (stats, the real DecodePipeline: decode thread, RGB conversion at
   the widget's size, newest picture kept) on the event loop, as the network's would.
   The feeder keeps three units in flight (topped up, on the loop, each time one is
   decoded), so the decode thread never waits for input and never falls behind;
   pictures the widget had no time to draw are replaced by newer ones, as in a session.
   Presented = the distinct frames the widget painted (its ``painted_frame_id``, read as
   each paint event returns), over the time from the first unit fed to the last frame
   painted; the decoded count is reported beside it. A lock-step pass (the next unit is
   fed only once the previous frame was painted: every frame decoded, converted and
   painted, nothing overlapped) and the cost of each stage (PyAV decode alone, decode +
   RGB conversion, the widget's paint event) explain the figure.
2. Cloud (``porthole cloud serve``), agent (``porthole agent run --source x11``) and a
   player each run as their own process, so the figure is the viewer's alone. The player
   plays the same footage at 1920x1080, 60 changes a second (paced on deadlines; the
   frames wait in server-side pixmaps and each change is one CopyArea, so the player
   costs almost nothing). The viewer worker (xcb on a second 1920x1080 Xvfb) signs in
   with the viewer's CloudClient, shows the kiosk SessionWindow full screen and runs the
   real ``SessionController.run`` under ``qasync.QEventLoop``; once the first picture is
   painted, a 5 ms precise single-shot QTimer re-armed on every firing records how late
   each firing is (firing time - due time) for ``--seconds``. Beside it: the frames
   painted and received meanwhile, the session's own per-frame statistics (the agent's
   grab and encode, network, decode) and picture decoded -> painted.
3. The real kiosk (``python -m app --kiosk``) runs as a process on the viewer's Xvfb
   (xcb, no window manager, ``PORTHOLE_PASSWORD``, a keyring that always fails, its
   config in a temporary directory), with cloud and agent processes as in (2). This
   process paints a mapped full-screen window on the host a new solid colour, as an
   application redraws (time.monotonic before the request; the root window, which the
   benchmark painted before, is not what applications draw on and gave lower figures),
   then watches the viewer's screen: X DAMAGE on the viewer's root wakes it
   when anything is drawn there, and it reads three pixels (GetImage) after each wake,
   also every 2 ms should a report not come, until all three show the new colour within
   a tolerance (time.monotonic after the reply). The watcher sleeps in select() while the
   kiosk works, so it takes no CPU from it. Changes come 50-150 ms apart (seeded), like
   a person's; a change not seen in 2 s is counted as missed. The first 5 changes warm
   both systems up and are not counted (a process's first grabs and paints pay for
   memory and caches once). VNC: ``x11vnc -wait 5
   -defer 0`` (its tuned settings: poll every 5 ms, send at once) on the host Xvfb and
   ``xtigervncviewer -FullScreen`` on the viewer's, watched the same way. The kiosk writes
   its statistics to ``PORTHOLE_STATS_FILE``; the 1080p runs' medians for the path the
   stimulus takes (a change of one colour is a fill: the agent's read of the screen, its
   compare and find, send + network + open, the viewer painting it into the picture, Qt
   drawing it) are printed under the figures, direct and relay, with what they leave of
   the glass-to-glass median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402
from av.video.reformatter import VideoReformatter  # noqa: E402
from PIL import Image  # noqa: E402
from Xlib import X, display  # noqa: E402
from Xlib.ext import damage  # noqa: E402

from app.agent.encode import H264Encoder  # noqa: E402
from app.protocol.frames import Frame, FrameFlags, FrameType  # noqa: E402
from app.protocol.secure import StaticKey  # noqa: E402
from app.viewer.controllers.session import SessionController  # noqa: E402
from app.viewer.core.cloud import CloudClient  # noqa: E402
from app.viewer.core.decoder import DecodePipeline, Picture, new_decoder, to_image  # noqa: E402
from app.viewer.core.session import SessionGrant, ViewerSession  # noqa: E402
from app.viewer.qt import QtCore, QtWidgets, qasync  # noqa: E402
from app.viewer.views.session_window import SessionWindow  # noqa: E402
from app.viewer.views.video import VideoWidget  # noqa: E402
from benchmarks.bandwidth import X11VNC_FLAGS, x11vnc_server  # noqa: E402
from benchmarks.content import aerial_view, terrain  # noqa: E402
from benchmarks.renewals import print_table  # noqa: E402
from tests.support.agent_process import NO_KEYRING, enroll_agent  # noqa: E402
from tests.support.api import PASSWORD, Api, EventStream  # noqa: E402
from tests.support.server import CloudProcess  # noqa: E402
from tests.support.sessions import entitled_user  # noqa: E402
from tests.support.xvfb import xvfb  # noqa: E402

Row = tuple[str, str, str, str]
PARTS = ("present", "lag", "glass")
RESULT = "RESULT "
FPS = 60
COMPUTER = "Bench host"
WORKER_TIMEOUT_S = 300.0
IN_FLIGHT = 3  # access units fed ahead of the decoder (present)
PROBE_MS = 5  # the lag probe's timer interval
CHANGE_TIMEOUT_S = 2.0  # a colour not seen on the viewer by then is missed
#: Changes made and waited for, not counted, before the measured ones: the first grabs,
#: encodes and paints of a process pay for memory and caches once (30-80 ms at 1080p).
WARM_UP_CHANGES = 5
WATCH_FALLBACK_S = 0.002  # look anyway this often should a DAMAGE report not come
TOLERANCE = 24  # per channel: H.264 (quantised) and JPEG do not return colours exactly
# Solid colours far apart in every pair of neighbours (the sequence cycles through them).
COLOURS = (
    (220, 40, 40),
    (40, 190, 70),
    (40, 70, 220),
    (235, 215, 40),
    (190, 50, 200),
    (40, 200, 215),
    (245, 245, 245),
    (25, 25, 25),
)


# -- the footage --------------------------------------------------------------------------


def footage(count: int, width: int, height: int) -> Iterator[Image.Image]:
    """``count`` frames of a camera panning and zooming over the seeded terrain of
    :mod:`benchmarks.content`, under clouds drifting the other way."""
    ground, mask = terrain()  # 2560x1440
    white = Image.new("RGB", (width, height), (250, 250, 250))
    for k in range(count):
        # Back and forth over 400 frames: no cut, and the view stays inside the terrain.
        t = k % 800 if k % 800 < 400 else 800 - k % 800
        zoom = 1 + t * 0.002
        w = min(ground.width - 200, width * 1.2) / zoom
        h = w * height / width
        x, y = 100 + t * 0.9, 60 + t * 0.5
        yield aerial_view(ground, mask, white, (x, y, x + w, y + h), (500 - t * 1.1, 300 + t * 0.4))


@dataclass(frozen=True)
class Clip:
    path: Path  # Annex B H.264, what ffmpeg reads
    units: list[tuple[int, bool]]  # (size, keyframe) of each access unit, in order

    @property
    def frames(self) -> int:
        return len(self.units)

    def read(self) -> list[Frame]:
        data = self.path.read_bytes()
        frames: list[Frame] = []
        offset = 0
        for n, (size, keyframe) in enumerate(self.units):
            flags = FrameFlags.KEYFRAME if keyframe else FrameFlags.NONE
            payload = data[offset : offset + size]
            frames.append(Frame(FrameType.VIDEO, n + 1, n * 1_000_000 // FPS, payload, flags))
            offset += size
        return frames

    def save(self) -> Path:
        index = self.path.with_suffix(".json")
        index.write_text(json.dumps(self.units))
        return index

    @classmethod
    def load(cls, path: Path) -> Clip:
        units = [(int(size), bool(key)) for size, key in json.loads(path.read_text())]
        return cls(path.with_suffix(".h264"), units)


def make_clip(path: Path, seconds: float) -> Clip:
    """Footage encoded the way the agent does, one access unit per frame."""
    encoder = H264Encoder(1920, 1080, fps=FPS)
    units: list[tuple[int, bool]] = []
    with path.open("wb") as out:
        for n, image in enumerate(footage(max(2, round(seconds * FPS)), 1920, 1080)):
            for unit in encoder.encode(np.asarray(image), n * 1_000_000 // FPS):
                out.write(unit.data)
                units.append((len(unit.data), unit.keyframe))
    return Clip(path, units)


# -- (1) present: ffmpeg, and the stages on their own -----------------------------------


def ffmpeg_fps(clip: Clip, runs: int = 3) -> float:
    """Frames per second decoding the clip with ``ffmpeg -threads 2``, the best of ``runs``
    (``-benchmark``'s rtime: decoding only, after start-up and probing)."""
    best = math.inf
    for _ in range(runs):
        done = subprocess.run(
            [
                *("ffmpeg", "-hide_banner", "-nostdin", "-benchmark", "-threads", "2"),
                *("-i", str(clip.path), "-f", "null", "-"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        frames = re.findall(r"frame=\s*(\d+)", done.stderr)
        rtime = re.search(r"rtime=([\d.]+)s", done.stderr)
        if not frames or rtime is None or int(frames[-1]) != clip.frames:
            raise RuntimeError(f"unexpected ffmpeg output:\n{done.stderr[-2000:]}")
        best = min(best, float(rtime.group(1)))
    return clip.frames / best


def stage_costs(clip: Clip) -> tuple[float, float]:
    """Milliseconds per frame: PyAV decoding alone, and decoding + the RGB conversion,
    with the DecodePipeline's codec settings, on this thread."""
    frames = clip.read()
    costs: list[float] = []
    for convert in (False, True):
        codec, reformatter = new_decoder(), VideoReformatter()
        started = time.perf_counter()
        for frame in frames:
            for picture in codec.decode(av.Packet(frame.payload)):
                if convert:
                    to_image(reformatter, picture, None)
        costs.append((time.perf_counter() - started) * 1000 / len(frames))
    return costs[0], costs[1]


# -- (1) present: the worker (offscreen Qt) ---------------------------------------------


class ReplaySession(ViewerSession):
    """A ViewerSession with no network: access units go into its receive path as if the
    agent had sent them (stats, the real DecodePipeline, the newest picture kept, the
    ``on_picture`` hook), so the controller and the widget see a live session."""

    def __init__(self, on_picture: Callable[[Picture], None]) -> None:
        grant = SessionGrant("replay", "-", StaticKey.generate().public_text, StaticKey.generate())
        super().__init__("http://127.0.0.1:9", grant, on_picture=on_picture)

    async def __aenter__(self) -> ReplaySession:
        self._loop = asyncio.get_running_loop()
        self._pipeline = DecodePipeline(self._picture_decoded, self._keyframe_needed)
        self.state = "live"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pipeline is not None:
            await asyncio.to_thread(self._pipeline.close)

    def feed(self, frame: Frame) -> None:
        """On the event loop, where the socket reader would call it."""
        self._handle_frame(frame)

    @property
    def decoded(self) -> int:
        return self._pipeline.decoded if self._pipeline is not None else 0


class PaintCounter(QtCore.QObject):
    """The widget's paint events run through here, so ``painted_frame_id`` is read as
    soon as each returns: ``on_painted(frame_id, seconds the paint took)`` is called for
    each new frame drawn (a repaint of the same picture is not a frame)."""

    def __init__(self, video: VideoWidget, on_painted: Callable[[int, float], None]) -> None:
        super().__init__(video)
        self._video = video
        self._on_painted = on_painted
        video.installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is not self._video or event.type() != QtCore.QEvent.Type.Paint:
            return False
        before = self._video.painted_frame_id
        started = time.perf_counter()
        self._video.event(event)  # the widget's own paintEvent, inside this paint
        took = time.perf_counter() - started
        if self._video.painted_frame_id != before:
            self._on_painted(self._video.painted_frame_id, took)
        return True  # handled: Qt must not paint it twice


def new_application() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication([sys.argv[0]])
    # The worker's loop ends when its coroutine does, not when a window closes.
    app.setQuitOnLastWindowClosed(False)
    return app


async def replay(clip: Clip, lock_step: bool) -> dict[str, Any]:
    """Feed the clip into a kiosk SessionWindow at 1920x1080 (see the module's doc)."""
    frames = clip.read()
    loop = asyncio.get_running_loop()
    controller = SessionController()
    fed = 0
    painted: list[int] = []
    paint_s: list[float] = []
    finished = asyncio.Event()
    started = ended = 0.0

    def feed_more() -> None:
        nonlocal fed, started
        if fed == 0:
            started = time.perf_counter()
        limit = fed + 1 if lock_step else session.decoded + IN_FLIGHT
        while fed < min(limit, len(frames)):
            session.feed(frames[fed])
            fed += 1

    def decoded(picture: Picture) -> None:
        controller.on_picture(picture)  # on the decode thread, as in a session
        if not lock_step:
            loop.call_soon_threadsafe(feed_more)

    def on_painted(frame_id: int, took: float) -> None:
        nonlocal ended
        painted.append(frame_id)
        paint_s.append(took)
        if frame_id == frames[-1].frame_id:
            ended = time.perf_counter()
            finished.set()
        elif lock_step and frame_id == fed:
            feed_more()

    async with ReplaySession(decoded) as session:
        controller.attach(session)
        window = SessionWindow(controller, "replay", kiosk=True)
        PaintCounter(window.video, on_painted)
        window.resize(1920, 1080)
        window.show()
        try:
            # show() lays the window out and resizes the widget at once, which tells the
            # decoder the size to convert to.
            assert window.video.size() == QtCore.QSize(1920, 1080), window.video.size()
            feed_more()
            async with asyncio.timeout(WORKER_TIMEOUT_S / 2):
                await finished.wait()
        finally:
            window.leave()
            await controller.close()
    elapsed = ended - started
    return {
        "frames": len(frames),
        "decoded": session.decoded,
        "painted": len(set(painted)),
        "seconds": elapsed,
        "paint_ms": statistics.median(paint_s) * 1000,
        "size": [window.video.width(), window.video.height()],
    }


async def present_worker(index: Path) -> dict[str, Any]:
    clip = Clip.load(index)
    return {
        "pipelined": await replay(clip, lock_step=False),
        "lock_step": await replay(clip, lock_step=True),
    }


# -- (2) lag: the worker (xcb on its own Xvfb) ------------------------------------------


async def lag_worker(cloud_url: str, email: str, seconds: float) -> dict[str, Any]:
    password = os.environ["PORTHOLE_PASSWORD"]
    async with CloudClient(cloud_url) as client:
        await client.sign_in(email, password)
        [computer] = [c for c in await client.computers() if c.name == COMPUTER]
        grant = await client.start_session(computer.id)
        controller = SessionController()
        window = SessionWindow(controller, COMPUTER, kiosk=True)
        painted: list[float] = []
        shown_ms: list[float] = []  # picture decoded -> painted
        first = asyncio.Event()

        def on_painted(frame_id: int, took: float) -> None:
            painted.append(time.perf_counter())
            picture = controller.picture()
            if picture is not None and picture.frame_id == frame_id:
                shown_ms.append((time.time_ns() // 1000 - picture.decoded_us) / 1000)
            first.set()

        PaintCounter(window.video, on_painted)
        window.show_kiosk()
        renew = client.renewer(computer.id)
        running = asyncio.ensure_future(controller.run(cloud_url, grant, renew))
        try:
            waiting = asyncio.ensure_future(first.wait())
            await asyncio.wait({waiting, running}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if not first.is_set():
                raise RuntimeError("no picture: the session ended or took over 60 s")
            session = controller.session
            assert session is not None
            del shown_ms[:]
            received = session.video_frames
            lags = await probe(seconds)
            received = session.video_frames - received
            start = time.perf_counter() - seconds
            shown = sum(1 for t in painted if t >= start)
            stats = session.stats.snapshot()
            path = session.path
        finally:
            window.leave()
            async with asyncio.timeout(15):
                await running
    return {
        "lags_ms": lags,
        "fps": shown / seconds,
        "path": path,
        # Per frame, as the session's statistics have them (the last 2 s), and ours.
        "grab_ms": stats.grab_ms,
        "encode_ms": stats.encode_ms,
        "network_ms": stats.network_ms,
        "decode_ms": stats.decode_ms,
        "received_fps": received / seconds,
        "shown_ms": statistics.median(shown_ms),
        "size": [window.video.width(), window.video.height()],
    }


async def probe(seconds: float) -> list[float]:
    """How late a 5 ms precise timer fires, each time, for ``seconds`` (milliseconds)."""
    timer = QtCore.QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    timer.setInterval(PROBE_MS)
    lags: list[float] = []
    done = asyncio.Event()
    end = time.perf_counter() + seconds
    due = 0.0

    def fired() -> None:
        nonlocal due
        now = time.perf_counter()
        lags.append(max(0.0, now - due) * 1000)
        if now >= end:
            done.set()
            return
        due = now + PROBE_MS / 1000
        timer.start()

    timer.timeout.connect(fired)
    due = time.perf_counter() + PROBE_MS / 1000
    timer.start()
    async with asyncio.timeout(seconds + 30):
        await done.wait()
    return lags


# -- (2) lag: the content player ----------------------------------------------------------


class Surface:
    """A full-screen override-redirect window (no window manager needed) to play on."""

    def __init__(self, display_name: str) -> None:
        self.conn = display.Display(display_name)
        screen = self.conn.screen()
        self.width, self.height = screen.width_in_pixels, screen.height_in_pixels
        self.window = screen.root.create_window(
            0, 0, self.width, self.height, 0, 24, override_redirect=True
        )
        self.gc = self.window.create_gc()
        self.window.map()
        self.conn.sync()
        # A PutImage request is at most max_request_length 4-byte units: send strips.
        self._max_bytes = self.conn.display.info.max_request_length * 4 - 64

    def pixmap(self, image: Image.Image) -> Any:
        pixmap = self.window.create_pixmap(self.width, self.height, 24)
        bgrx = image.tobytes("raw", "BGRX")
        rows = max(1, self._max_bytes // (self.width * 4))
        for top in range(0, self.height, rows):
            n = min(rows, self.height - top)
            chunk = bgrx[top * self.width * 4 : (top + n) * self.width * 4]
            pixmap.put_image(self.gc, 0, top, self.width, n, X.ZPixmap, 24, 0, chunk)
            # Out now: python-xlib's send buffer is slow to drain once it holds megabytes.
            self.conn.flush()
        self.conn.sync()
        return pixmap

    def show(self, pixmap: Any) -> None:
        self.window.copy_area(self.gc, pixmap, 0, 0, self.width, self.height, 0, 0)
        self.conn.sync()  # shown means the X server has done it


def player_worker(display_name: str, fps: float, frames: int, max_s: float) -> int:
    """Footage on ``display_name`` at ``fps`` changes a second, back and forth through
    ``frames`` frames, until a line (or EOF) on stdin; prints ``ready`` once it plays and
    ``done <changes shown> <seconds>`` at the end."""
    surface = Surface(display_name)
    pixmaps = [surface.pixmap(image) for image in footage(frames, surface.width, surface.height)]
    period = 2 * (len(pixmaps) - 1)
    print("ready", flush=True)
    started = time.monotonic()
    shown = 0
    n = 0
    while time.monotonic() - started < max_s:
        due = started + n / fps
        wait = max(0.0, due - time.monotonic())
        if select.select([sys.stdin], [], [], wait)[0]:
            break  # told to stop
        index = n % period
        surface.show(pixmaps[index if index < len(pixmaps) else period - index])
        shown += 1
        # Late: skip to the change that is due now rather than fall behind.
        n = max(n + 1, int((time.monotonic() - started) * fps))
    print(f"done {shown} {time.monotonic() - started:.3f}", flush=True)
    surface.conn.close()
    return 0


# -- (3) glass: painting the host, watching the viewer ---------------------------------


class Painter:
    """Paints a full-screen window on the host one colour, as an application redraws its
    window (a mapped window, not the root: what a person looks at, and what X DAMAGE
    reports for an application's drawing)."""

    def __init__(self, display_name: str) -> None:
        self.conn = display.Display(display_name)
        screen = self.conn.screen()
        self.window = screen.root.create_window(
            0,
            0,
            screen.width_in_pixels,
            screen.height_in_pixels,
            0,
            screen.root_depth,
            override_redirect=True,
            background_pixel=0,
            event_mask=X.StructureNotifyMask,
        )
        self.window.map()
        self.conn.sync()
        deadline = time.monotonic() + 10
        while not any(
            self.conn.next_event().type == X.MapNotify for _ in range(self.conn.pending_events())
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the stimulus window was not mapped")
            select.select([self.conn.fileno()], [], [], 0.1)

    def paint(self, rgb: tuple[int, int, int]) -> None:
        self.window.change_attributes(background_pixel=(rgb[0] << 16) | (rgb[1] << 8) | rgb[2])
        self.window.clear_area()
        self.conn.sync()

    def close(self) -> None:
        self.window.destroy()
        self.conn.close()


class Watcher:
    """Reads a few pixels of the viewer's screen whenever X DAMAGE says something was
    drawn there (and every WATCH_FALLBACK_S regardless), asleep in select() meanwhile."""

    def __init__(self, display_name: str) -> None:
        self.conn = display.Display(display_name)
        screen = self.conn.screen()
        self.root = screen.root
        w, h = screen.width_in_pixels, screen.height_in_pixels
        # Off the middle (where a pointer might be), spread over the picture.
        self.points = ((w // 4, h // 3), (w // 2 + 37, h // 2 + 23), (3 * w // 4, 2 * h // 3))
        self.conn.damage_query_version()
        self.damage = self.root.damage_create(damage.DamageReportNonEmpty)
        self.conn.sync()

    def colours(self) -> list[tuple[int, int, int]]:
        found = []
        for x, y in self.points:
            pixel = self.root.get_image(x, y, 1, 1, X.ZPixmap, 0xFFFFFFFF).data
            found.append((pixel[2], pixel[1], pixel[0]))  # BGRX
        return found

    def wait_for(self, rgb: tuple[int, int, int], timeout_s: float) -> float | None:
        """time.monotonic() when all the points show ``rgb``; None if not in time."""
        deadline = time.monotonic() + timeout_s
        while True:
            while self.conn.pending_events():
                self.conn.next_event()
            # Re-arm first: whatever is drawn after this is reported, so nothing is missed.
            self.conn.damage_subtract(self.damage)
            if all(near(found, rgb) for found in self.colours()):
                return time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([self.conn.fileno()], [], [], min(left, WATCH_FALLBACK_S))

    def windows(self) -> list[str]:
        """The mapped top-level windows, as WxH+X+Y."""
        shown = []
        for window in self.root.query_tree().children:
            if window.get_attributes().map_state == X.IsViewable:
                g = window.get_geometry()
                shown.append(f"{g.width}x{g.height}+{g.x}+{g.y}")
        return shown

    def close(self) -> None:
        self.conn.close()


def near(found: tuple[int, int, int], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(found, wanted, strict=True))


def glass(host: str, viewer: str, changes: int) -> dict[str, Any]:
    painter, watcher = Painter(host), Watcher(viewer)
    try:
        # The kiosk signs in and connects: wait for the first colour to come through.
        painter.paint(COLOURS[0])
        if watcher.wait_for(COLOURS[0], 60) is None:
            raise RuntimeError(f"the kiosk shows no picture; the screen has {watcher.colours()}")
        windows = watcher.windows()
        rng = random.Random(1)
        latencies: list[float] = []
        missed = 0
        for n in range(1 - WARM_UP_CHANGES, changes + 1):
            rest = time.monotonic() + rng.uniform(0.05, 0.15)
            # Pacing like a person: a deadline, nothing to synchronise with.
            while (left := rest - time.monotonic()) > 0:
                time.sleep(left)
            colour = COLOURS[n % len(COLOURS)]
            changed = time.monotonic()
            painter.paint(colour)
            seen = watcher.wait_for(colour, CHANGE_TIMEOUT_S)
            if n < 1:
                continue  # warming up
            if seen is None:
                missed += 1
            else:
                latencies.append((seen - changed) * 1000)
    finally:
        painter.close()
        watcher.close()
    return {"latencies_ms": latencies, "missed": missed, "windows": windows}


# -- the host side: cloud, agent, account -------------------------------------------------


@dataclass(frozen=True)
class Hosted:
    cloud_url: str
    email: str
    display: str


@contextlib.asynccontextmanager
async def hosted(width: int, height: int, relay: bool, tmp: Path) -> AsyncIterator[Hosted]:
    """A host Xvfb, the cloud and an X11 agent on it (processes), and an entitled account
    whose computer is online."""
    with xvfb(width, height) as name:
        env = {
            "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'cloud.db'}",
            "PORTHOLE_LOG_LEVEL": "warning",
        }
        cloud = CloudProcess(env, cwd=ROOT)
        agent: asyncio.subprocess.Process | None = None
        try:
            async with Api(cloud.url) as api:
                user = await entitled_user(api)
                await enroll_agent(api, user, tmp / "agent", COMPUTER)
                command = ["agent", "--state-dir", str(tmp / "agent"), "run", "--source", "x11"]
                command += ["--approve", "auto"]  # an unattended host: nobody to click Allow
                if not relay:
                    command += ["--listen", "127.0.0.1:0"]
                async with EventStream(api, user) as events:
                    agent = await porthole(
                        command, {**NO_KEYRING, "DISPLAY": name}, tmp / "agent.log"
                    )
                    await events.wait_for(30, type="computer.presence", online=True)
            yield Hosted(cloud.url, user.email, name)
        finally:
            if agent is not None:
                await stop(agent)
            cloud.stop()


async def run_worker(
    args: Sequence[str], env: dict[str, str], log: Path, timeout_s: float = WORKER_TIMEOUT_S
) -> dict[str, Any]:
    """``python -m benchmarks.viewer --worker ...``: its RESULT line, decoded."""
    with log.open("wb") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.viewer",
            *args,
            env={**os.environ, **env},
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
        try:
            async with asyncio.timeout(timeout_s):
                out, _ = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    for line in out.decode().splitlines():
        if line.startswith(RESULT):
            result: dict[str, Any] = json.loads(line[len(RESULT) :])
            return result
    raise RuntimeError(f"the {args[1]} worker gave no result ({process.returncode}):\n{tail(log)}")


async def porthole(
    args: Sequence[str], env: dict[str, str], log: Path
) -> asyncio.subprocess.Process:
    """``python -m app ARGS`` in the background, its output to ``log``."""
    with log.open("wb") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app",
            *args,
            env={**os.environ, **env},
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
    try:
        async with asyncio.timeout(15):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


# -- the three parts, from the benchmark's process ----------------------------------------


async def present_rows(seconds: float, tmp: Path) -> list[Row]:
    clip = make_clip(tmp / "clip.h264", seconds)
    reference = ffmpeg_fps(clip)
    decode_ms, convert_ms = stage_costs(clip)
    result = await run_worker(
        ["--worker", "present", "--clip", str(clip.save())],
        {"QT_QPA_PLATFORM": "offscreen"},
        tmp / "present.log",
    )
    piped, lock = result["pipelined"], result["lock_step"]
    fps = piped["painted"] / piped["seconds"]
    lock_fps = lock["painted"] / lock["seconds"]
    kb = sum(size for size, _ in clip.units) / clip.frames / 1000
    width, height = piped["size"]
    return [
        (
            "ffmpeg -threads 2 -f null, 1920x1080 clip",
            f"{reference:.0f} fps ({clip.frames} frames, {kb:.1f} kB each)",
            "",
            "",
        ),
        (
            f"viewer decode + present 1920x1080 ({width}x{height} widget)",
            f"{fps:.0f} fps = {fps / reference:.2f}x ffmpeg "
            f"({piped['painted']} painted, {piped['decoded']} decoded)",
            ">= 0.8x ffmpeg",
            "yes" if fps >= 0.8 * reference else "NO",
        ),
        (
            "  lock-step (each frame painted before the next)",
            f"{lock_fps:.0f} fps = {lock_fps / reference:.2f}x ffmpeg",
            "",
            "",
        ),
        (
            "  per frame: decode / + RGB conversion / paint",
            f"{decode_ms:.1f} / {convert_ms:.1f} / {piped['paint_ms']:.1f} ms",
            "",
            "",
        ),
    ]


async def lag_rows(seconds: float, relay: bool, tmp: Path) -> list[Row]:
    with xvfb(1920, 1080) as viewer:
        async with hosted(1920, 1080, relay, tmp) as host:
            player = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "benchmarks.viewer",
                "--worker",
                "player",
                "--display",
                host.display,
                "--seconds",
                str(seconds + WORKER_TIMEOUT_S),
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            assert player.stdin is not None and player.stdout is not None
            try:
                async with asyncio.timeout(120):
                    ready = await player.stdout.readline()
                if ready.strip() != b"ready":
                    raise RuntimeError(f"the player said {ready!r}")
                result = await run_worker(
                    [
                        *("--worker", "lag", "--cloud", host.cloud_url),
                        *("--email", host.email, "--seconds", str(seconds)),
                    ],
                    {"QT_QPA_PLATFORM": "xcb", "DISPLAY": viewer, "PORTHOLE_PASSWORD": PASSWORD},
                    tmp / "lag.log",
                )
                player.stdin.write(b"stop\n")
                await player.stdin.drain()
                async with asyncio.timeout(30):
                    done = (await player.stdout.readline()).split()
                content_fps = int(done[1]) / float(done[2])
            finally:
                if player.returncode is None:
                    player.kill()
                await player.wait()
    lags = sorted(result["lags_ms"])
    p50, p99 = statistics.median(lags), percentile(lags, 99)
    width, height = result["size"]
    return [
        (
            f"GUI loop lag p50 / p99 / max, 1080p60 session ({result['path']})",
            f"{p50:.1f} / {p99:.1f} / {lags[-1]:.1f} ms ({len(lags)} firings of a 5 ms timer)",
            "p99 < 20 ms",
            "yes" if p99 < 20 else "NO",
        ),
        (
            f"  frames presented meanwhile ({width}x{height}, xcb on Xvfb)",
            f"{result['fps']:.1f} fps (received {result['received_fps']:.1f}; "
            f"host content {content_fps:.1f} changes/s)",
            "",
            "",
        ),
        (
            "  per frame: grab / encode (agent), network, decode, decoded -> painted",
            " / ".join(
                "-" if result[key] is None else f"{result[key]:.1f}"
                for key in ("grab_ms", "encode_ms", "network_ms", "decode_ms", "shown_ms")
            )
            + " ms",
            "",
            "",
        ),
    ]


# Tuned: poll the framebuffer every 5 ms and send at once (x11vnc's defaults otherwise, as
# in the bandwidth comparison).
VNC_SERVER_FLAGS = ("-wait", "5", "-defer", "0", *X11VNC_FLAGS)
VNC_VIEWER_FLAGS = ("-FullScreen", "-SecurityTypes", "None", "-AlertOnFatalError=0")


@dataclass(frozen=True)
class GlassRun:
    system: str  # "Porthole direct", "Porthole relay", "x11vnc + TigerVNC"
    size: tuple[int, int]
    latencies_ms: list[float]
    missed: int
    stages: dict[str, Any] | None = None  # the kiosk's own statistics (Porthole)

    def percentile(self, p: float) -> float:
        return percentile(sorted(self.latencies_ms), p) if self.latencies_ms else math.nan


async def porthole_glass(changes: int, relay: bool, tmp: Path, size: tuple[int, int]) -> GlassRun:
    with xvfb(*size) as viewer:
        async with hosted(*size, relay, tmp) as host:
            (tmp / "config").mkdir(exist_ok=True)
            stats = tmp / "kiosk-stats.json"
            kiosk = await porthole(
                [
                    *("--kiosk", "--cloud", host.cloud_url),
                    *("--email", host.email, "--computer", COMPUTER),
                ],
                {
                    **NO_KEYRING,
                    "DISPLAY": viewer,
                    "QT_QPA_PLATFORM": "xcb",
                    "PORTHOLE_PASSWORD": PASSWORD,
                    "PORTHOLE_LOG_LEVEL": "warning",
                    "PORTHOLE_STATS_FILE": str(stats),
                    "XDG_CONFIG_HOME": str(tmp / "config"),  # where it remembers the sign-in
                },
                tmp / "kiosk.log",
            )
            try:
                result = await asyncio.to_thread(glass, host.display, viewer, changes)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}\nthe kiosk said:\n{tail(tmp / 'kiosk.log')}") from None
            finally:
                await stop(kiosk)
    if result["windows"] and f"{size[0]}x{size[1]}+0+0" not in result["windows"]:
        raise RuntimeError(f"the kiosk is not full screen: {result['windows']}")
    return GlassRun(
        f"Porthole {'relay' if relay else 'direct'}",
        size,
        result["latencies_ms"],
        result["missed"],
        json.loads(stats.read_text()) if stats.exists() else None,
    )


async def vnc_glass(changes: int, tmp: Path, size: tuple[int, int]) -> GlassRun | None:
    """Tuned x11vnc (no wait between polls of the framebuffer beyond 5 ms, no deferral
    of updates) and TigerVNC's viewer full screen, on the same two X servers."""
    server, client = shutil.which("x11vnc"), shutil.which("xtigervncviewer")
    if server is None or client is None:
        return None
    with xvfb(*size) as host, xvfb(*size) as viewer, (tmp / "vncviewer.log").open("wb") as log:
        async with x11vnc_server(server, host, VNC_SERVER_FLAGS) as port:
            shown = await asyncio.create_subprocess_exec(
                client,
                *VNC_VIEWER_FLAGS,
                f"127.0.0.1::{port}",
                env={**os.environ, "DISPLAY": viewer},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
            try:
                result = await asyncio.to_thread(glass, host, viewer, changes)
            finally:
                await stop(shown)
    return GlassRun("x11vnc + TigerVNC", size, result["latencies_ms"], result["missed"])


async def glass_rows(changes: int, tmp: Path) -> list[Row]:
    """Glass-to-glass at both sizes, Porthole direct and relay beside tuned x11vnc +
    TigerVNC, in one run; then where the milliseconds go at 1920x1080."""
    rows: list[Row] = []
    traced: list[GlassRun] = []
    for size in ((1280, 720), (1920, 1080)):
        runs: list[GlassRun] = []
        for relay in (False, True):
            sub = tmp / f"{size[0]}-{'relay' if relay else 'direct'}"
            sub.mkdir()
            runs.append(await porthole_glass(changes, relay, sub, size))
        vnc = await vnc_glass(changes, tmp, size)
        for run in runs:
            p50, p90, p99 = (run.percentile(p) for p in (50, 90, 99))
            goals = [f"p99 <= 2x p50 ({2 * p50:.1f})"]
            met = p99 <= 2 * p50 and not run.missed
            if vnc is not None:
                goals.append(f"p50 <= VNC's {vnc.percentile(50):.1f}")
                met = met and p50 <= vnc.percentile(50)
            rows.append(
                (
                    f"glass-to-glass {size[0]}x{size[1]}, {run.system}: p50 / p90 / p99",
                    f"{p50:.1f} / {p90:.1f} / {p99:.1f} ms "
                    f"({len(run.latencies_ms)} changes, {run.missed} missed)",
                    "; ".join(goals),
                    "yes" if met else "NO",
                )
            )
        if vnc is not None:
            p50, p90, p99 = (vnc.percentile(p) for p in (50, 90, 99))
            rows.append(
                (
                    f"glass-to-glass {size[0]}x{size[1]}, {vnc.system}: p50 / p90 / p99",
                    f"{p50:.1f} / {p90:.1f} / {p99:.1f} ms "
                    f"({len(vnc.latencies_ms)} changes, {vnc.missed} missed)",
                    "",
                    "",
                )
            )
        else:
            rows.append(("x11vnc + TigerVNC", "not installed: skipped", "", ""))
        if size == (1920, 1080):
            traced = runs
    for run in traced:
        if run.stages:
            rows += stage_rows(run)
    return rows


def stage_rows(run: GlassRun) -> list[Row]:
    """The kiosk's own medians for each stage of the path the stimulus takes (a change of
    one colour: a fill, no H.264 on the way), and what they leave of the glass-to-glass
    median (the X server's damage report waking the agent, Qt's picture reaching the
    viewer's X server, the watcher's read)."""
    stages = run.stages or {}
    names = (
        ("fill_grab_ms", "agent: read the screen (MIT-SHM)"),
        ("fill_find_ms", "agent: compare with the last grab, find the fill"),
        ("fill_network_ms", f"send, network, open ({run.system.removeprefix('Porthole ')})"),
        ("fill_paint_ms", "viewer: received -> painted into the picture"),
        ("fill_render_ms", "viewer: painted -> drawn by Qt"),
    )
    size = f"{run.size[0]}x{run.size[1]}"
    rows: list[Row] = []
    total = 0.0
    for key, label in names:
        value = stages.get(key)
        if value is not None:
            total += float(value)
        rows.append((f"  {size} {label}", "-" if value is None else f"{value:.1f} ms", "", ""))
    rows.append(
        (
            f"  {size} the rest (X damage to the agent, Qt to the X server, the watcher)",
            f"{run.percentile(50) - total:.1f} ms",
            "",
            "",
        )
    )
    return rows


def percentile(ordered: Sequence[float], p: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def measure(parts: Sequence[str], seconds: float, relay: bool) -> list[Row]:
    rows: list[Row] = []
    for part in PARTS:
        if part not in parts:
            continue
        with tempfile.TemporaryDirectory(prefix=f"porthole-bench-{part}-") as name:
            tmp = Path(name)
            if part == "present":
                rows += await present_rows(seconds, tmp)
            elif part == "lag":
                rows += await lag_rows(seconds, relay, tmp)
            else:
                rows += await glass_rows(max(50, round(seconds * 10)), tmp)
    return rows


# -- entry points -------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> int:
    if args.worker == "player":
        return player_worker(args.display, FPS, 30, args.seconds)
    app = new_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        if args.worker == "present":
            result = loop.run_until_complete(present_worker(Path(args.clip)))
        else:
            result = loop.run_until_complete(lag_worker(args.cloud, args.email, args.seconds))
    print(RESULT + json.dumps(result), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=PARTS, action="append", help="repeatable; default all")
    parser.add_argument("--relay", action="store_true", help="sessions through the cloud's relay")
    # The parts that need their own process (a Qt platform each, a player).
    parser.add_argument("--worker", choices=("present", "lag", "player"), help=argparse.SUPPRESS)
    parser.add_argument("--clip", help=argparse.SUPPRESS)
    parser.add_argument("--cloud", help=argparse.SUPPRESS)
    parser.add_argument("--email", help=argparse.SUPPRESS)
    parser.add_argument("--display", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if shutil.which("ffmpeg") is None and (not args.only or "present" in args.only):
        print("ffmpeg is needed for the present figure: apt-get install ffmpeg", file=sys.stderr)
        return 2
    parts = args.only or PARTS
    rows = asyncio.run(measure(parts, args.seconds, args.relay))
    print_table(f"Viewer (loopback, {os.cpu_count()} CPUs)", rows)
    return 0 if all(row[3] != "NO" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
