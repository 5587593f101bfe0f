"""The computer's sound on the viewer, Qt-free: Opus packets from AUDIO frames decoded to
48 kHz stereo s16 PCM for the audio device. A packet that does not decode is dropped
(a click in the sound), never the session."""

from __future__ import annotations

import logging

import av

from app.protocol.audio import MAX_PACKET_BYTES, SAMPLE_RATE

log = logging.getLogger(__name__)


class OpusDecoder:
    def __init__(self) -> None:
        self._codec = av.CodecContext.create("libopus", "r")
        self._codec.sample_rate = SAMPLE_RATE
        self._codec.layout = "stereo"
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=SAMPLE_RATE)
        self.dropped = 0

    def decode(self, packet: bytes) -> bytes:
        """Interleaved s16 PCM of one packet (b"" when it does not decode)."""
        if not packet or len(packet) > MAX_PACKET_BYTES:
            self.dropped += 1
            return b""
        try:
            frames = self._codec.decode(av.Packet(packet))
            pcm = b"".join(
                bytes(out.to_ndarray().tobytes())
                for frame in frames
                for out in self._resampler.resample(frame)
            )
        except (av.error.FFmpegError, ValueError) as exc:
            self.dropped += 1
            log.debug("a sound packet did not decode: %s", exc)
            return b""
        return pcm
