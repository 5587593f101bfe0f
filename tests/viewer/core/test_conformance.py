"""A recorded agent stream is a valid H.264 elementary stream for FFmpeg's own tools."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.protocol.input import InputEvent
from app.viewer.core.session import ViewerSession
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session


@pytest.fixture(autouse=True)
def ffmpeg_tools() -> None:
    if shutil.which("ffprobe") is None or shutil.which("ffmpeg") is None:
        if os.environ.get("PORTHOLE_REQUIRE_FFMPEG") == "1":
            pytest.fail("ffmpeg/ffprobe are required for this run (Debian package ffmpeg)")
        pytest.skip("needs Debian's ffmpeg")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_recorded_stream_decodes_without_error(api: Api, tmp_path: Path) -> None:
    recording = tmp_path / "session.h264"
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        with recording.open("wb") as sink:
            async with ViewerSession(api.url, granted, record=sink) as session:
                await session.next_picture(timeout_s=20)
                for n in range(5):
                    await session.send_input(InputEvent("click", 0.5 + n * 0.05, 0.5))
                    await session.next_picture(timeout_s=10)
                await session.send_input(InputEvent("text", text="conformance"))
                await session.next_picture(timeout_s=10)
                await session.send_input(InputEvent("wheel", 0.2, 0.5, dy=3))
                await session.next_picture(timeout_s=10)
                await session.request_keyframe()
                await session.next_picture(timeout_s=10)
                received = session.video_frames

    await asyncio.to_thread(check_with_ffmpeg, recording, received)


def check_with_ffmpeg(recording: Path, received: int) -> None:
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "h264", "-i", str(recording), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert decoded.returncode == 0 and decoded.stderr == "", decoded.stderr
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-f",
            "h264",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
            "-of",
            "json",
            str(recording),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    [stream] = json.loads(probe.stdout)["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 1280, 720)
    assert int(stream["nb_read_frames"]) == received >= 9
