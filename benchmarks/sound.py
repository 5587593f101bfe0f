"""The computer's sound, end to end on loopback: an application plays a tone on a real
PulseAudio server's null output; the agent reads its monitor (parec, 10 ms latency asked)
and sends Opus (20 ms packets) through the relay; the headless viewer core decodes it.

Measured per packet with the session's clock sync: the instant its first sample was
captured on the host -> decoded here. What follows on a real device is its audio buffer
(the viewer's QAudioSink holds at most 120 ms; a full one drops rather than lags)."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
from pathlib import Path

from app.protocol.audio import FRAME_MS
from app.viewer.core.session import ViewerSession
from tests.conftest import fast_settings
from tests.support.api import Api
from tests.support.pulse import play, pulse_server, tone
from tests.support.server import CloudThread
from tests.support.sessions import entitled_online_host, open_session

Row = tuple[str, str, str, str]
#: Capture to decoded, p50: a little more than one packet plus the monitor's latency.
GOAL_P50_MS = 50.0


async def measure(seconds: float, folder: Path) -> tuple[list[float], int]:
    with pulse_server(folder / "pulse") as server:
        if server is None:
            raise SystemExit("PulseAudio is needed: apt-get install pulseaudio pulseaudio-utils")
        os.environ["PULSE_SERVER"] = server
        cloud = CloudThread(
            fast_settings(f"sqlite+aiosqlite:///{folder}/b.db", log_level="error")
        ).start()
        try:
            async with (
                Api(cloud.url) as api,
                entitled_online_host(api, sound=True) as host,
            ):
                grant = await open_session(api, host)
                heard: list[bytes] = []
                sounding = asyncio.Event()

                def arrived(pcm: bytes) -> None:
                    heard.append(pcm)
                    sounding.set()

                async with ViewerSession(api.url, grant, on_sound=arrived, sound=True) as session:
                    player = play(server, tone(440, seconds + 3), folder)
                    try:
                        async with asyncio.timeout(20):
                            await sounding.wait()
                        first = len(heard)
                        await asyncio.sleep(seconds)  # the measurement's own length
                        received = len(heard) - first
                        return session.stats.audio_latencies(), received
                    finally:
                        player.kill()
                        player.wait()
        finally:
            cloud.stop()


def rows(seconds: float) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        latencies, received = asyncio.run(measure(seconds, Path(tmp)))
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[-1]
    expected = seconds * 1000 / FRAME_MS
    return [
        (
            "sound: captured on the host -> decoded (relay) p50 / p99",
            f"{p50:.1f} ms / {p99:.1f} ms ({len(latencies)})",
            f"p50 <= {GOAL_P50_MS:.0f} ms",
            "yes" if p50 <= GOAL_P50_MS else "NO",
        ),
        (
            f"sound: packets received in {seconds:.0f} s",
            f"{received} of {expected:.0f}",
            "none lost",
            "yes" if received >= expected - 2 else "NO",
        ),
    ]
