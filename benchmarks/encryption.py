"""What end-to-end encryption costs a session: the bytes it adds and the time it adds to
every frame's way from the host to the viewer's screen. Part of ``scripts/bench-sessions``
(``--only encryption``).

- Real sessions: cloud (uvicorn in a thread), agent with the X11 source on Xvfb at
  1280x720 and the headless viewer core, in this process, direct; each content scene of
  :mod:`benchmarks.content` in a session of its own. Counted on both ends' channels:
  every message either way, its plaintext and its sealed size; and, message by message,
  the agent's seal plus the viewer's open of the same message (the same order on both
  ends), which is what encryption adds to glass-to-glass (both run on the frame's path,
  one after the other).
- 1920x1080: a keyframe of a desktop picture (the scenes' desktop, scaled), sealed and
  opened 300 times: the largest message a 1080p session sends.

Goals (issue 11): under 0.3 ms added per frame at p50, under 2 % bytes added.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence

import numpy as np

from app.agent.encode import H264Encoder
from app.agent.session import LiveSession
from app.protocol.secure import Initiator, SecureChannel, StaticKey, respond
from app.sealed import SealedConnection
from app.viewer.core.session import ViewerSession
from benchmarks.bandwidth import scene_sessions
from benchmarks.content import desktop

HEADER = ("measurement", "messages", "added bytes", "seal+open p50 / p99", "goal", "met")
Row = tuple[str, str, str, str, str, str]
GOAL_MS, GOAL_PERCENT = 0.3, 2.0


def _row(name: str, channels: Sequence[SecureChannel], per_message_ns: list[int]) -> Row:
    plain = sum(c.stats.plain_bytes for c in channels)
    wire = sum(c.stats.wire_bytes for c in channels)
    added = 100 * (wire - plain) / plain if plain else 0.0
    p50 = statistics.median(per_message_ns) / 1e6
    p99 = statistics.quantiles(per_message_ns, n=100)[-1] / 1e6
    met = p50 < GOAL_MS and added < GOAL_PERCENT
    return (
        name,
        f"{len(per_message_ns)}",
        f"{added:.2f} % of {plain / 1e6:.2f} MB",
        f"{p50 * 1000:.0f} µs / {p99 * 1000:.0f} µs",
        "< 0.3 ms, < 2 %",
        "yes" if met else "NO",
    )


def _scene_row(scene: str, session: ViewerSession, live: Sequence[LiveSession]) -> Row:
    assert isinstance(session._ws, SealedConnection)
    viewer = session._ws.channel
    [agent_side] = live
    agent = agent_side.stream._ws.channel
    # The agent's seals and the viewer's opens are the same messages in the same order.
    paired = [
        seal + opened
        for seal, opened in zip(agent.stats.seal_ns, viewer.stats.open_ns, strict=False)
    ]
    return _row(f"{scene} (720p, both ways)", (viewer, agent), paired)


async def scene_rows(scenes: Sequence[str], seconds: float) -> list[Row]:
    rows: list[Row] = []
    async for scene, player, session, host in scene_sessions(scenes, seconds):
        await player.go()
        await player.finished()
        rows.append(_scene_row(scene, session, host.sessions.live))
    return rows


def keyframe_row(width: int = 1920, height: int = 1080, rounds: int = 300) -> Row:
    picture = np.asarray(desktop().resize((width, height)).convert("RGB"))
    encoder = H264Encoder(width, height, fps=60)
    units = encoder.encode(picture, 0, "rgb24")  # the first frame is a keyframe
    frame = max((unit.data for unit in units), key=len)
    viewer_key, agent_key = StaticKey.generate(), StaticKey.generate()
    handshake = Initiator(viewer_key, agent_key.public_text, b"ticket")
    answer, agent = respond(agent_key, handshake.first_message).accept(b"ok")
    _, viewer = handshake.finish(answer)
    timings: list[int] = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        assert viewer.open(agent.seal(frame)) == frame
        timings.append(time.perf_counter_ns() - started)
    return _row(f"{width}x{height} keyframe ({len(frame) / 1000:.0f} kB)", (agent,), timings)
