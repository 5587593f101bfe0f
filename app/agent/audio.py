"""The computer's sound for a session: what its speakers play, read from the sound
server's monitor of the default output (PulseAudio, or PipeWire through pipewire-pulse)
with ``parec``, and encoded as Opus, 20 ms a packet.

Sound is sent only while the viewer asks for it, and never waits: a packet the
connection cannot take at once is dropped (a gap is better than sound that falls ever
further behind the picture)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import Awaitable, Callable

import av
import numpy as np

from app.agent.switched import SwitchedTask
from app.protocol.audio import CHANNELS, FRAME_SAMPLES, SAMPLE_RATE
from app.protocol.frames import Frame, FrameType, encode_frame

log = logging.getLogger(__name__)
#: The sound server's name for "the monitor of whatever plays now".
MONITOR = os.environ.get("PORTHOLE_AUDIO_SOURCE", "@DEFAULT_MONITOR@")
BITRATE = 96_000
FRAME_BYTES = FRAME_SAMPLES * CHANNELS * 2  # s16le


def audio_available() -> bool:
    """Whether this computer has a way to read its sound (the session says so)."""
    return shutil.which("parec") is not None


class OpusEncoder:
    def __init__(self) -> None:
        self._codec = av.CodecContext.create("libopus", "w")
        self._codec.sample_rate = SAMPLE_RATE
        self._codec.layout = "stereo"
        self._codec.format = "s16"
        self._codec.bit_rate = BITRATE
        self._codec.options = {"application": "lowdelay", "frame_duration": "20"}
        self._pts = 0

    def encode(self, pcm: bytes) -> list[bytes]:
        """One frame of s16le stereo PCM; the Opus packets it completes."""
        samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._pts
        self._pts += FRAME_SAMPLES
        return [bytes(packet) for packet in self._codec.encode(frame)]


class AudioStream(SwitchedTask):
    """Reads, encodes and sends the computer's sound while ``enabled``."""

    def __init__(
        self,
        send: Callable[[bytes], Awaitable[None]],
        room: Callable[[], bool],
        source: str = MONITOR,
    ) -> None:
        super().__init__()
        self._send = send
        self._room = room  # whether the connection takes a packet without waiting
        self._source = source
        self._frame_id = 0

    async def _run(self) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                "parec",
                f"--device={self._source}",
                "--format=s16le",
                f"--rate={SAMPLE_RATE}",
                f"--channels={CHANNELS}",
                "--latency-msec=10",
                "--raw",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:
            log.info("no sound for this session: %s", exc)
            return
        assert process.stdout is not None
        encoder = OpusEncoder()
        try:
            while True:
                try:
                    pcm = await process.stdout.readexactly(FRAME_BYTES)
                except asyncio.IncompleteReadError:
                    log.info("no sound for this session: parec stopped (no sound server?)")
                    return
                # The frame's first sample was captured one frame before it was complete.
                captured_us = time.time_ns() // 1000 - FRAME_SAMPLES * 1_000_000 // SAMPLE_RATE
                for packet in encoder.encode(pcm):
                    await self._send_packet(packet, captured_us)
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def _send_packet(self, packet: bytes, captured_us: int) -> None:
        if not self._room():
            return  # dropped: a gap, not a delay
        self._frame_id = (self._frame_id + 1) % 2**32
        frame = Frame(FrameType.AUDIO, self._frame_id, max(0, captured_us), packet)
        await self._send(encode_frame(frame))
