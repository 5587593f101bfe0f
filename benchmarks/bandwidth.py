"""Bytes per second a viewer receives for four kinds of screen content, and how close the
picture it settles on is to the screen, Porthole beside x11vnc (the Debian package) on the
same content: X11 source under Xvfb at 1280x720 and 1920x1080, loopback only. Part of
``scripts/bench-sessions`` (``--only bandwidth``).

Settled PSNR: half a second after a scene's last change (the goal: a still picture is
visually lossless within 0.5 s of the change that ended), the RGB PSNR of the client's
picture (Porthole: the viewer core's newest decoded picture; x11vnc: the RFB client's
framebuffer, Tight and JPEG decoded) against the screen read back from the X server.
Motion dB: x264's own PSNR (over YUV) of the frames Porthole coded by rate control during
the scene, the quality of the picture while it moves.

Each scene (still, typing, scrolling, video: see :mod:`benchmarks.content`) is played by
its own player process on the Xvfb display. The player paints the first picture and
waits; the client under test connects and receives that initial picture, which is
counted apart ("first picture"); then the scene runs for N seconds and the bytes the
client receives in that span are the result.

- Porthole: cloud (uvicorn in a thread), agent with the X11 source and the headless
  viewer core, in this process, viewer connected **directly** to the agent (the agent
  listens on 127.0.0.1; the relay would forward the same messages). Counted: the sizes of
  the WebSocket messages the viewer receives (``SessionStats.bytes_received``: video
  frames with their 16-byte headers, and heartbeat answers), frames: video frames.
- x11vnc: ``x11vnc -display :N -rfbport P -localhost -nopw -forever -shared -quiet``,
  its defaults otherwise (XDAMAGE on, as the X11 source also only sends what changed),
  and the minimal RFB client of :mod:`benchmarks.rfb` (Tight, JPEG quality level 8).
  Counted: every byte read from the socket; frames: framebuffer updates.

Neither side counts WebSocket/TCP/IP framing, and what the clients send is not counted.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import mss
import numpy as np

from app.agent.refine import Pass
from app.viewer.core.session import ViewerSession
from benchmarks.content import DONE, READY, SIZES
from benchmarks.rfb import (
    ENC_COPYRECT,
    ENC_LASTRECT,
    ENC_RAW,
    ENC_TIGHT,
    ENC_ZRLE,
    TIGHT_QUALITY,
    RfbClient,
)
from tests.conftest import fast_settings
from tests.support.api import Api
from tests.support.pictures import psnr
from tests.support.server import CloudThread
from tests.support.sessions import Host, entitled_online_host, open_session
from tests.support.xvfb import xvfb

ROOT = Path(__file__).resolve().parents[1]
PREPARE_TIMEOUT_S = 120.0  # rendering the video clip takes a few seconds
MARGIN_S = 30.0
# -nocursor: x11vnc would draw the pointer into its picture, where a grab of the screen
# (and Porthole, which does not send the pointer yet) has none.
X11VNC_FLAGS = ("-localhost", "-nopw", "-forever", "-shared", "-quiet", "-nocursor")
STILL_GOAL_KBPS = 2.0
TYPING_GOAL_KBPS = 2.0  # at 1920x1080, typing ~8 characters a second
KEYSTROKE_GOAL_BYTES = 1000
MOTION_GOAL_RATIO = 10.0  # x11vnc's bytes / Porthole's, scrolling and video
SETTLED_GOAL_DB = 45.0
#: The settled picture is compared this long after the scene's last change (the goal: a
#: still picture converges within 0.5 s).
SETTLE_S = 0.5
ENCODING_NAMES = {
    ENC_TIGHT: "Tight",
    ENC_ZRLE: "ZRLE",
    ENC_COPYRECT: "CopyRect",
    ENC_RAW: "Raw",
    ENC_LASTRECT: "LastRect",
}


@dataclass(frozen=True)
class Run:
    scene: str
    seconds: float  # from the go to the player's "done"
    bytes: int  # received in that span
    frames: int  # Porthole video frames or x11vnc framebuffer updates, in that span
    first_bytes: int  # the initial picture (and whatever came before it)
    painted: int  # changes the player painted
    #: RGB PSNR of the client's picture against the screen, SETTLE_S after the scene.
    settled_db: float = 0.0
    #: Received after the scene until then (Porthole: the refinement).
    settle_bytes: int = 0
    #: Porthole: x264's mean PSNR (YUV) of the frames coded as motion during the scene.
    motion_db: float | None = None

    @property
    def kbytes_per_s(self) -> float:
        return self.bytes / self.seconds / 1000

    @property
    def frames_per_s(self) -> float:
        return self.frames / self.seconds

    @property
    def painted_per_s(self) -> float:
        return self.painted / self.seconds


class Player:
    """``python -m benchmarks.content --wait``: paints the first picture, says ready,
    plays on "go", says done."""

    def __init__(self, process: asyncio.subprocess.Process, display: str, seconds: float) -> None:
        self._process = process
        self.display = display
        self._seconds = seconds

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls, display: str, scene: str, seconds: float, size: str = "720p"
    ) -> AsyncIterator[Player]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.content",
            "--display",
            display,
            "--scene",
            scene,
            "--seconds",
            str(seconds),
            "--size",
            size,
            "--wait",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        player = cls(process, display, seconds)
        try:
            await player._expect(READY, PREPARE_TIMEOUT_S)
            yield player
        finally:
            await stop(process)

    async def _expect(self, word: str, timeout_s: float) -> str:
        assert self._process.stdout is not None
        async with asyncio.timeout(timeout_s):
            line = (await self._process.stdout.readline()).decode().strip()
        if not line.startswith(word):
            raise RuntimeError(f"the content player said {line!r}, not {word!r}")
        return line

    async def go(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(b"go\n")
        await self._process.stdin.drain()

    async def finished(self) -> int:
        """Waits for the end of the scene; the number of changes painted."""
        line = await self._expect(DONE, self._seconds + MARGIN_S)
        return int(line.split()[1])

    async def screen(self) -> np.ndarray:
        """The player's screen as it is (RGB), read from the X server."""

        def grab() -> np.ndarray:
            with mss.MSS(display=self.display) as grabber:
                shot = grabber.grab(grabber.monitors[1])
                bgra = np.frombuffer(bytes(shot.raw), np.uint8).reshape(shot.height, shot.width, 4)
                return np.ascontiguousarray(bgra[..., 2::-1])

        return await asyncio.to_thread(grab)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


async def scene_sessions(
    scenes: Sequence[str], seconds: float, size: str = "720p"
) -> AsyncIterator[tuple[str, Player, ViewerSession, Host]]:
    """Each scene's player ready on an Xvfb display and a direct session to its X11 agent
    showing the first picture; the caller plays the scene before asking for the next."""
    with xvfb(*SIZES[size]) as name, tempfile.TemporaryDirectory() as tmp:
        # The agent also joins the relay for each session, where its half waits for a
        # viewer that went direct: a short pairing timeout lets those halves go before the
        # cloud stops (else its shutdown cancels them, with a traceback).
        settings = fast_settings(
            f"sqlite+aiosqlite:///{tmp}/b.db", log_level="error", relay_pair_timeout_s=2.0
        )
        cloud = CloudThread(settings).start()
        try:
            async with (
                Api(cloud.url) as api,
                entitled_online_host(api, source="x11", display_name=name, direct=True) as host,
            ):
                for scene in scenes:
                    async with Player.running(name, scene, seconds, size) as player:
                        # Granted once the player is ready: preparing a scene can take
                        # longer than a ticket lives.
                        granted = await open_session(api, host)
                        async with ViewerSession(api.url, granted) as session:
                            if session.path != "direct":
                                raise RuntimeError("the viewer did not reach the agent directly")
                            await session.next_picture(timeout_s=20)  # the first keyframe
                            yield scene, player, session, host
        finally:
            cloud.stop()


def motion_psnr(totals: dict[Pass, float], counts: dict[Pass, int]) -> tuple[float, int]:
    """The sum and the count of x264's PSNR over the frames coded by rate control."""
    coded = (Pass.CHANGE, Pass.MOTION)
    return sum(totals.get(p, 0.0) for p in coded), sum(counts.get(p, 0) for p in coded)


async def porthole(scenes: Sequence[str], seconds: float, size: str) -> list[Run]:
    runs: list[Run] = []
    async for scene, player, session, host in scene_sessions(scenes, seconds, size):
        stream = host.sessions.live[-1].stream
        first, frames = session.stats.bytes_received, session.video_frames
        motion = motion_psnr(stream.psnr_total, stream.psnr_measured)
        started = time.monotonic()
        await player.go()
        painted = await player.finished()
        span = time.monotonic() - started
        ended = session.stats.bytes_received
        total, measured = (
            after - before
            for after, before in zip(
                motion_psnr(stream.psnr_total, stream.psnr_measured), motion, strict=True
            )
        )
        motion_db = total / measured if measured else None
        await asyncio.sleep(SETTLE_S)  # the measurement's own deadline, not a synchronisation
        latest = session.latest
        settled = psnr(latest.rgb, await player.screen()) if latest is not None else 0.0
        runs.append(
            Run(
                scene,
                span,
                ended - first,
                session.video_frames - frames,
                first,
                painted,
                settled,
                session.stats.bytes_received - ended,
                motion_db,
            )
        )
    return runs


def free_port() -> int:
    # x11vnc is given the port: another process could take it in between, but it is only
    # loopback for a moment, and a clash shows as x11vnc failing to start.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def x11vnc_server(
    binary: str, display: str, flags: Sequence[str] = X11VNC_FLAGS
) -> AsyncIterator[int]:
    """x11vnc on ``display`` with ``flags`` (which keep it on 127.0.0.1); yields the port
    once it listens (it prints PORT=N then)."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        binary,
        "-display",
        display,
        "-rfbport",
        str(port),
        *flags,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout
    tail: collections.deque[str] = collections.deque(maxlen=20)

    async def drain() -> None:
        # A full pipe would stall x11vnc.
        while line := await output.readline():
            tail.append(line.decode(errors="replace").rstrip())

    try:
        async with asyncio.timeout(30):
            while not any(line.startswith("PORT=") for line in tail):
                line = await output.readline()
                if not line:
                    raise RuntimeError("x11vnc did not start: " + " | ".join(tail))
                tail.append(line.decode(errors="replace").rstrip())
        if f"PORT={port}" not in tail:
            raise RuntimeError(f"x11vnc listens elsewhere: {list(tail)}")
        draining = asyncio.create_task(drain())
        try:
            yield port
        finally:
            draining.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await draining
    finally:
        await stop(process)


async def x11vnc(
    binary: str, scenes: Sequence[str], seconds: float, size: str
) -> tuple[list[Run], collections.Counter[int]]:
    """The runs, and how many rectangles x11vnc sent in each encoding."""
    runs: list[Run] = []
    encodings: collections.Counter[int] = collections.Counter()
    with xvfb(*SIZES[size]) as name:
        for scene in scenes:
            async with (
                Player.running(name, scene, seconds, size) as player,
                x11vnc_server(binary, name) as port,
            ):
                client = await RfbClient.connect("127.0.0.1", port)
                try:
                    client.start()
                    async with asyncio.timeout(20):
                        await client.first_update.wait()  # the initial picture
                    first, updates = client.bytes_received, client.updates
                    started = time.monotonic()
                    await player.go()
                    painted = await player.finished()
                    span = time.monotonic() - started
                    ended = client.bytes_received
                    await asyncio.sleep(SETTLE_S)  # the measurement's deadline, as above
                    settled = psnr(client.picture, await player.screen())
                    error = client.failed()
                    if error is not None:
                        raise RuntimeError(f"RFB client failed: {error!r}")
                    runs.append(
                        Run(
                            scene,
                            span,
                            ended - first,
                            client.updates - updates,
                            first,
                            painted,
                            settled,
                            client.bytes_received - ended,
                        )
                    )
                    encodings.update(client.encodings_seen)
                finally:
                    await client.close()
    return runs, encodings


def x11vnc_version(binary: str) -> str:
    try:
        done = subprocess.run([binary, "-version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "x11vnc"
    # "x11vnc: 0.9.16 lastmod: 2019-01-05" -> "x11vnc 0.9.16"
    return (done.stdout.strip() or "x11vnc").split(" lastmod")[0].replace(":", "")


def measure(
    scenes: Sequence[str], seconds: float, sizes: Sequence[str] = tuple(SIZES)
) -> tuple[str, list[tuple[str, ...]], list[str]]:
    """The title, the rows and the notes of the bandwidth table."""
    binary = shutil.which("x11vnc")
    vnc = x11vnc_version(binary) if binary else "x11vnc (not installed: skipped)"
    title = (
        f"Bytes per second received and settled picture, {seconds:g} s per scene: Porthole "
        f"(direct, H.264 4:4:4) vs {vnc} (Tight, JPEG quality level {TIGHT_QUALITY})"
    )
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    seen: collections.Counter[int] = collections.Counter()
    for size in sizes:
        ours = asyncio.run(porthole(scenes, seconds, size))
        theirs, encodings = (
            asyncio.run(x11vnc(binary, scenes, seconds, size)) if binary else (None, None)
        )
        seen.update(encodings or {})
        for n, run in enumerate(ours):
            rows.append(row(size, run, theirs[n] if theirs else None))
        firsts = ", ".join(
            f"{run.scene} {run.first_bytes / 1000:.0f}"
            + (f" / {theirs[n].first_bytes / 1000:.0f}" if theirs else "")
            for n, run in enumerate(ours)
        )
        refines = ", ".join(f"{run.scene} {run.settle_bytes / 1000:.1f}" for run in ours)
        notes.append(f"{size}: first picture, kB (Porthole / x11vnc): {firsts}")
        notes.append(f"{size}: received in the {SETTLE_S:g} s after the scene, kB: {refines}")
    if seen:
        used = ", ".join(
            f"{ENCODING_NAMES.get(code, code)} {count}" for code, count in seen.most_common()
        )
        notes.append(f"x11vnc rectangles by encoding: {used}")
    return title, rows, notes


def row(size: str, run: Run, other: Run | None) -> tuple[str, ...]:
    goals: list[tuple[str, bool]] = []
    if run.scene != "video":
        goals.append((f"settled >= {SETTLED_GOAL_DB:g} dB", run.settled_db >= SETTLED_GOAL_DB))
    elif other is not None:
        # Footage is not a desktop: its last frame refined is held to VNC's, not to 45 dB.
        goals.append(("settled >= VNC's", run.settled_db >= other.settled_db))
    if run.scene == "still":
        goals.append((f"< {STILL_GOAL_KBPS:g} kB/s", run.kbytes_per_s < STILL_GOAL_KBPS))
    elif run.scene == "typing":
        per_key = run.bytes / max(1, run.painted)
        goals.append((f"<= {KEYSTROKE_GOAL_BYTES} B/key", per_key <= KEYSTROKE_GOAL_BYTES))
        if size == "1080p":
            goals.append((f"<= {TYPING_GOAL_KBPS:g} kB/s", run.kbytes_per_s <= TYPING_GOAL_KBPS))
    elif other is not None:
        ratio = other.bytes / max(1, run.bytes)
        goals.append((f"VNC/P >= {MOTION_GOAL_RATIO:g}", ratio >= MOTION_GOAL_RATIO))
    return (
        size,
        run.scene,
        f"{run.kbytes_per_s:.1f}",
        f"{other.kbytes_per_s:.1f}" if other else "-",
        f"{other.bytes / max(1, run.bytes):.1f}" if other else "-",
        f"{run.frames_per_s:.1f}" + (f" / {other.frames_per_s:.1f}" if other else ""),
        f"{run.painted_per_s:.1f}",
        f"{run.settled_db:.1f} / {other.settled_db:.1f}" if other else f"{run.settled_db:.1f}",
        f"{run.motion_db:.1f}" if run.motion_db is not None else "-",
        "; ".join(goal for goal, _ in goals),
        "yes" if all(ok for _, ok in goals) else "NO",
    )


HEADER = (
    "size",
    "scene",
    "Porthole kB/s",
    "x11vnc kB/s",
    "x11vnc / Porthole",
    "frames/s (P / V)",
    "changes/s",
    "settled dB (P / V)",
    "motion dB (x264)",
    "goal",
    "met?",
)
