"""Remote-session speed on this machine, X11 source under Xvfb, loopback only:

1. capture + encode throughput at 1280x720 and 1920x1080 (a screen that changes every
   frame), with the CPU time it took (goal: 60 fps under one core at 720p; >= 30 fps at
   1080p);
2. change on the host screen -> picture decoded by the headless viewer core, through the
   relay, measured with capture timestamps and the session's clock sync (goal p50 <= 12 ms
   at 720p);
3. input: click sent by the viewer core -> event delivered by the X server (goal p50 <= 3 ms);
4. bytes per second received for a still screen, typing, scrolling and full-screen video,
   Porthole beside x11vnc on the same content (goal: a still screen costs Porthole under
   2 kB/s); see benchmarks/bandwidth.py and benchmarks/content.py.

5. what end-to-end encryption adds: bytes, and seal+open time per message (goal < 0.3 ms
   p50, < 2 % bytes); see benchmarks/encryption.py.

6. sound: captured on the host (a real PulseAudio server) -> decoded by the viewer core,
   and packets lost (goal p50 <= 50 ms, none lost); see benchmarks/sound.py.

7. full-screen footage over a 2 Mbit/s, 50 ms link (a shaping proxy), with and without the
   viewer's congestion control: capture -> decoded latency and its growth, and how soon
   full quality comes back when the cap lifts; see benchmarks/adaptive.py.

    scripts/bench-sessions [--seconds N] [--only encode|latency|bandwidth|encryption|sound|adaptive]

``--seconds`` is per measurement: 10 by default for (1)-(3), 5 per scene for (4).

The cloud, agent and viewer run in this one process (uvicorn in a thread), so the CPU
figures of (1) are measured on the capture+encode loop alone, before the others start.
"""

from __future__ import annotations

import argparse
import asyncio
import select
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from Xlib import X, display

from app.agent.capture.x11 import X11Screen
from app.agent.encode import H264Encoder
from app.protocol.input import InputEvent
from app.viewer.core.session import ViewerSession
from benchmarks import adaptive, bandwidth, encryption, sound
from benchmarks.content import SCENES
from benchmarks.renewals import print_table
from tests.conftest import fast_settings
from tests.support.api import Api
from tests.support.server import CloudThread
from tests.support.sessions import entitled_online_host, open_session
from tests.support.xvfb import xvfb

Row = tuple[str, str, str, str]
PARTS = ("encode", "latency", "bandwidth", "encryption", "sound", "adaptive")


def flip(conn: display.Display, window: object, n: int) -> None:
    window.change_attributes(background_pixel=(n * 0x0F0F0F) & 0xFFFFFF)  # type: ignore[attr-defined]
    window.clear_area()  # type: ignore[attr-defined]
    conn.sync()


def capture_encode(
    width: int, height: int, seconds: float, target_fps: float | None
) -> tuple[float, float]:
    """Frames per second and CPU cores used, capturing and encoding a screen that changes
    for every frame (paced at ``target_fps``, or flat out when None)."""
    with xvfb(width, height) as name:
        conn = display.Display(name)
        screen = conn.screen()
        window = screen.root.create_window(0, 0, width, height, 0, screen.root_depth)
        window.map()
        conn.sync()
        desktop = X11Screen(name)
        encoder = H264Encoder(desktop.width, desktop.height, fps=60)
        frames, n = 0, 0
        wall, cpu = time.perf_counter(), time.process_time()
        while time.perf_counter() - wall < seconds:
            if target_fps is not None:
                # Pace like the agent does (a frame every 1/fps at most).
                time.sleep(max(0.0, wall + n / target_fps - time.perf_counter()))
            n += 1
            flip(conn, window, n)
            captured = desktop.grab_if_changed()
            if captured is not None:
                frames += len(
                    encoder.encode(captured.image, captured.capture_us, captured.pixel_format)
                )
        elapsed = time.perf_counter() - wall
        used = (time.process_time() - cpu) / elapsed
        desktop.close()
        conn.close()
    return frames / elapsed, used


async def wait_event(conn: display.Display, wanted: int) -> float:
    async with asyncio.timeout(10):
        while True:
            while conn.pending_events():
                if conn.next_event().type == wanted:
                    return time.perf_counter()
            await asyncio.to_thread(select.select, [conn.fileno()], [], [], 0.2)


async def session_latency(seconds: float) -> tuple[list[float], list[float]]:
    with xvfb(1280, 720) as name, tempfile.TemporaryDirectory() as tmp:
        conn = display.Display(name)
        screen = conn.screen()
        window = screen.root.create_window(
            0, 0, 1280, 720, 0, screen.root_depth, event_mask=X.ButtonPressMask
        )
        window.map()
        conn.sync()
        cloud = CloudThread(
            fast_settings(f"sqlite+aiosqlite:///{tmp}/b.db", log_level="error")
        ).start()
        try:
            async with (
                Api(cloud.url) as api,
                entitled_online_host(api, source="x11", display_name=name) as host,
            ):
                granted = await open_session(api, host)
                async with ViewerSession(api.url, granted) as session:
                    await session.next_picture(timeout_s=20)
                    latencies: list[float] = []
                    deadline = time.monotonic() + seconds
                    n = 0
                    while time.monotonic() < deadline:
                        n += 1
                        flip(conn, window, n)
                        picture = await session.next_picture(timeout_s=10)
                        offset = session.stats.clock_offset_us
                        if offset is not None:
                            latencies.append(
                                (picture.decoded_us - (picture.capture_us - offset)) / 1000
                            )
                        await asyncio.sleep(0.05)  # pace the changes like a person, ~20/s
                    inputs: list[float] = []
                    for n in range(50):
                        sent = time.perf_counter()
                        await session.send_input(InputEvent("click", 0.1 + n * 0.01, 0.5))
                        inputs.append((await wait_event(conn, X.ButtonPress) - sent) * 1000)
        finally:
            cloud.stop()
            conn.close()
    return latencies, inputs


def speed(parts: Sequence[str], seconds: float) -> list[Row]:
    rows: list[Row] = []
    if "encode" in parts:
        rows += capture_encode_rows(seconds)
    if "latency" in parts:
        rows += latency_rows(seconds)
    return rows


def capture_encode_rows(seconds: float) -> list[Row]:
    rows: list[Row] = []
    fps720, cpu720 = capture_encode(1280, 720, seconds, target_fps=60)
    met720 = "yes" if fps720 >= 59 and cpu720 < 1 else "NO"
    rows.append(
        (
            "capture+encode 1280x720 at 60 fps",
            f"{fps720:.1f} fps, {cpu720:.2f} cores",
            ">= 60 fps, < 1 core",
            met720,
        )
    )
    top720, _ = capture_encode(1280, 720, seconds, target_fps=None)
    rows.append(("capture+encode 1280x720 flat out", f"{top720:.0f} fps", "", ""))
    fps1080, cpu1080 = capture_encode(1920, 1080, seconds, target_fps=None)
    rows.append(
        (
            "capture+encode 1920x1080 flat out",
            f"{fps1080:.0f} fps, {cpu1080:.2f} cores",
            ">= 30 fps",
            "yes" if fps1080 >= 30 else "NO",
        )
    )
    return rows


def latency_rows(seconds: float) -> list[Row]:
    rows: list[Row] = []
    latencies, inputs = asyncio.run(session_latency(seconds))
    p50 = statistics.median(latencies)
    rows.append(
        (
            "host change -> decoded (relay, 720p) p50 / p90",
            f"{p50:.1f} ms / {statistics.quantiles(latencies, n=10)[-1]:.1f} ms ({len(latencies)})",
            "p50 <= 12 ms",
            "yes" if p50 <= 12 else "NO",
        )
    )
    i50 = statistics.median(inputs)
    rows.append(
        (
            "click sent -> X event (relay) p50 / p90",
            f"{i50:.1f} ms / {statistics.quantiles(inputs, n=10)[-1]:.1f} ms ({len(inputs)})",
            "p50 <= 3 ms",
            "yes" if i50 <= 3 else "NO",
        )
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--only", choices=PARTS, action="append", help="repeatable; default all")
    args = parser.parse_args()
    parts = args.only or PARTS
    met = True
    if "encode" in parts or "latency" in parts:
        rows = speed(parts, args.seconds or 10.0)
        print_table("Remote sessions (X11 source on Xvfb, loopback, one process)", rows)
        met = all(row[3] != "NO" for row in rows)
    if "bandwidth" in parts:
        title, table, notes = bandwidth.measure(SCENES, args.seconds or 5.0)
        print_table(title, table, bandwidth.HEADER)
        for note in notes:
            print(note)
        met = met and all(row[-1] != "NO" for row in table)
    if "encryption" in parts:
        rows_e2e = asyncio.run(encryption.scene_rows(SCENES, args.seconds or 5.0))
        rows_e2e.append(encryption.keyframe_row())
        print_table("End-to-end encryption: what it adds", rows_e2e, encryption.HEADER)
        met = met and all(row[-1] != "NO" for row in rows_e2e)
    if "sound" in parts:
        rows_sound = sound.rows(args.seconds or 10.0)
        print_table("The computer's sound (PulseAudio, Opus, relay, loopback)", rows_sound)
        met = met and all(row[-1] != "NO" for row in rows_sound)
    if "adaptive" in parts:
        rows_link = adaptive.rows(args.seconds or 20.0)
        title = "Footage over 2 Mbit/s and 50 ms each way (shaping proxy, loopback)"
        print_table(title, rows_link)
        met = met and all(row[-1] != "NO" for row in rows_link)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
