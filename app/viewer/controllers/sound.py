"""The computer's sound on this device's speakers (Qt's QAudioSink, in push mode).

The device buffer holds at most MAX_QUEUED_MS: sound that falls behind the picture is
worse than a gap, so a packet that would queue more is dropped (after a stall, the
sound catches up at once instead of playing the past)."""

from __future__ import annotations

import logging

from app.protocol.audio import CHANNELS, SAMPLE_RATE
from app.viewer.qt import QtCore, QtMultimedia

log = logging.getLogger(__name__)
BYTES_PER_MS = SAMPLE_RATE * CHANNELS * 2 // 1000
#: What the device may hold: network jitter, not a backlog.
MAX_QUEUED_MS = 120


class SoundOutput(QtCore.QObject):
    def __init__(self) -> None:
        super().__init__()
        self._sink: QtMultimedia.QAudioSink | None = None
        self._io: QtCore.QIODevice | None = None
        self.written_ms = 0.0
        self.dropped_ms = 0.0

    @property
    def playing(self) -> bool:
        return self._io is not None

    def start(self) -> bool:
        """Open this device's default output; False where there is none."""
        if self._io is not None:
            return True
        device = QtMultimedia.QMediaDevices.defaultAudioOutput()
        audio = QtMultimedia.QAudioFormat()
        audio.setSampleRate(SAMPLE_RATE)
        audio.setChannelCount(CHANNELS)
        audio.setSampleFormat(QtMultimedia.QAudioFormat.SampleFormat.Int16)
        if device.isNull() or not device.isFormatSupported(audio):
            log.info("no audio output here: the computer's sound is not played")
            return False
        sink = QtMultimedia.QAudioSink(device, audio, self)
        sink.setBufferSize(MAX_QUEUED_MS * BYTES_PER_MS)
        io = sink.start()
        if io is None:
            log.info("the audio output did not open (%s)", sink.error())
            return False
        self._sink, self._io = sink, io
        return True

    def play(self, pcm: bytes) -> None:
        """One packet of PCM (48 kHz stereo s16), now."""
        if self._sink is None or self._io is None:
            return
        if self._sink.bytesFree() < len(pcm):
            self.dropped_ms += len(pcm) / BYTES_PER_MS
            return
        self._io.write(pcm)
        self.written_ms += len(pcm) / BYTES_PER_MS

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
        self._sink = self._io = None
