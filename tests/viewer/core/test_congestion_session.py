"""The picture's congestion control through a real session on a real X server, over a
link shaped like a slow home connection (2 Mbit/s, 50 ms each way, a deep router queue):
a scrolling page that would need several times that does not pile up in the link's
queue (the viewer brings the agent's bitrate and frame rate under what the link
carries), and once the cap is lifted the stream climbs back to full quality."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from app.viewer.core.session import ViewerSession
from tests.conftest import x_server
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session
from tests.support.shaping import ShapingProxy
from tests.support.transfers import agent_port, through
from tests.support.waiting import eventually

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CAP_KBPS = 2000
FULL_KBPS, FULL_FPS = 6000, 60  # the "Auto" quality's stream
#: Full-screen footage at 30 fps: every pixel moves every frame, several Mbit/s in full.
SCENE = ("--scene", "video", "--seconds", "120")


@pytest.fixture
def footage() -> Iterator[str]:
    """An X display playing footage (benchmarks.content)."""
    with x_server(1280, 720) as name:
        player = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.content", "--display", name, *SCENE],
            stdout=subprocess.DEVNULL,
        )
        try:
            yield name
        finally:
            player.terminate()
            player.wait(10)


@on_sqlite
async def test_a_slow_link_is_not_flooded_and_a_faster_one_is_used(api: Api, footage: str) -> None:
    async with entitled_online_host(api, source="x11", display_name=footage, direct=True) as host:
        granted = await open_session(api, host)
        async with (
            ShapingProxy(agent_port(granted), rate_kbps=CAP_KBPS, delay_ms=50) as link,
            ViewerSession(api.url, through(link, granted)) as session,
        ):
            rate = session.rate
            # Down under the cap, at a frame rate for it.
            await eventually(lambda: rate.target_kbps < CAP_KBPS, 30, "the bitrate under 2 Mbit/s")
            assert rate.fps() < FULL_FPS
            [live] = host.sessions.live
            await eventually(
                lambda: live.stream.encoder.budget.cap_kbps < CAP_KBPS, 10, "the agent told"
            )
            # Settled: what waits in the link stays small (at the full stream it grows by
            # ~0.5 MB a second until the router's 4 MB queue is full; a keyframe the
            # decoder asks for on a busy machine may hold a few hundred kB for a moment).
            frames = session.video_frames
            await eventually(lambda: session.video_frames >= frames + 10, 30, "frames settling")
            link.reset_peak()
            frames = session.video_frames
            await eventually(lambda: session.video_frames >= frames + 60, 60, "60 frames")
            assert link.peak_queued < 1024 * 1024, f"{link.peak_queued} bytes piled up"

            # The cap lifts: the stream climbs back to the quality asked, by itself.
            link.set_rate(None)
            await eventually(
                lambda: rate.target_kbps >= FULL_KBPS and rate.fps() == FULL_FPS,
                30,
                "full quality again",
            )
            await eventually(
                lambda: live.stream.encoder.budget.cap_kbps == FULL_KBPS, 10, "the agent told"
            )
