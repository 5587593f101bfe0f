"""The computer's sound through a real session: an application plays a tone on a real
PulseAudio server's output, the agent reads its monitor and sends Opus, and the viewer
core decodes the same tone; turned off, the agent stops sending."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.viewer.core.session import ViewerSession
from tests.support.api import Api
from tests.support.pulse import dominant_frequency, play, require, tone
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually


async def heartbeats(session: ViewerSession, count: int) -> None:
    target = session.stats.heartbeats + count
    await eventually(lambda: session.stats.heartbeats >= target, 10, "heartbeats")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_computers_sound_is_heard_and_stops_when_turned_off(
    api: Api, tmp_path: Path, sound_server: str | None
) -> None:
    server = require(sound_server)  # in PULSE_SERVER: the agent's parec reads it
    async with entitled_online_host(api, sound=True) as host:
        grant = await open_session(api, host)
        heard: list[bytes] = []
        async with ViewerSession(api.url, grant, on_sound=heard.append, sound=True) as session:
            player = play(server, tone(440, 6), tmp_path)
            try:
                await eventually(lambda: len(heard) >= 75, 20, "1.5 s of sound")
                # 20 ms of 48 kHz stereo s16 a packet, the tone in it.
                assert {len(pcm) for pcm in heard} == {960 * 2 * 2}
                assert abs(dominant_frequency(b"".join(heard[-25:])) - 440) < 5
                stats = session.stats.snapshot()
                assert stats.audio_packets == len(heard) and stats.audio_ms is not None

                await session.play_sound(False)
                await heartbeats(session, 2)  # the agent heard it, and then some
                frames = session.sound_frames
                await heartbeats(session, 2)
                assert session.sound_frames == frames
            finally:
                player.kill()
                player.wait()
