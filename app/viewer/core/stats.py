"""Session statistics for the overlay and the benchmarks: frame rate, bitrate, round trip,
the agent's clock offset (NTP-style, from heartbeats), and per-stage times. Each stage is
reported as what it is; none stands in for the end-to-end latency."""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class StatsSnapshot:
    fps: float
    bitrate_kbps: float
    round_trip_ms: float | None
    clock_offset_ms: float | None  # agent clock minus viewer clock
    # capture on the host → frame received here (capture, encode, network), clock-synced
    host_to_viewer_ms: float | None
    decode_ms: float | None  # received → decoded, on this side
    end_to_end_ms: float | None  # capture on the host → decoded here, clock-synced
    # Per stage, as the agent reports them (video.timing) and as measured here:
    grab_ms: float | None = None  # grabbing the screen on the host
    encode_ms: float | None = None  # encoding it on the host
    network_ms: float | None = None  # host_to_viewer minus encoding: sending and the network
    render_ms: float | None = None  # decoded → drawn in the window (the GUI's part)
    # The same for pictures painted from fills (one-colour changes, no H.264 on the way):
    fill_grab_ms: float | None = None  # reading the screen on the host
    fill_find_ms: float | None = None  # comparing it and finding the fill
    fill_network_ms: float | None = None  # sending, the network, opening here
    fill_paint_ms: float | None = None  # received → painted into the picture (decode thread)
    fill_render_ms: float | None = None  # painted → drawn in the window
    # Sound: captured on the host → decoded here (then the audio device's own buffer).
    audio_ms: float | None = None
    audio_packets: int = 0


class SessionStats:
    WINDOW_S = 2.0

    def __init__(self) -> None:
        # Fed from the network task and the decode thread, read from the GUI: one lock.
        self._lock = threading.Lock()
        self._frames: deque[tuple[float, int]] = deque()  # (monotonic, bytes)
        self._pictures: deque[float] = deque()
        self._sync: deque[tuple[float, float]] = deque(maxlen=16)  # (rtt_us, offset_us)
        self._transit: deque[float] = deque(maxlen=120)
        self._decode: deque[float] = deque(maxlen=120)
        self._end_to_end: deque[float] = deque(maxlen=120)
        self.heartbeats = 0  # answered by the agent
        #: frame id → (capture-to-arrival ms, whether it was a fill)
        self._arrivals: dict[int, tuple[float, bool]] = {}
        self._grab: deque[float] = deque(maxlen=120)
        self._encode: deque[float] = deque(maxlen=120)
        self._network: deque[float] = deque(maxlen=120)
        self._render: deque[float] = deque(maxlen=120)
        self._fill_grab: deque[float] = deque(maxlen=120)
        self._fill_find: deque[float] = deque(maxlen=120)
        self._fill_network: deque[float] = deque(maxlen=120)
        self._fill_paint: deque[float] = deque(maxlen=120)
        self._fill_render: deque[float] = deque(maxlen=120)
        self._bytes_received = 0
        self._audio: deque[float] = deque(maxlen=250)
        self._audio_packets = 0

    def message_received(self, size: int) -> None:
        """Every message from the agent (video, heartbeat answers...), for the traffic
        total; ``frame_received`` counts the video alone."""
        with self._lock:
            self._bytes_received += size

    @property
    def bytes_received(self) -> int:
        """Bytes of WebSocket messages received in the session so far (payloads, without
        WebSocket and TCP framing)."""
        with self._lock:
            return self._bytes_received

    def frame_received(
        self, size: int, frame_id: int = 0, capture_us: int = 0, *, fill: bool = False
    ) -> None:
        """A video frame or (``fill``) a fill arrived."""
        with self._lock:
            now = time.monotonic()
            self._frames.append((now, size))
            self._trim(now)
            offset = self.clock_offset_us
            if offset is not None:
                transit_ms = (time.time_ns() // 1000 - (capture_us - offset)) / 1000
                self._arrivals[frame_id] = (transit_ms, fill)
                if len(self._arrivals) > 256:
                    self._arrivals.pop(next(iter(self._arrivals)))

    def picture_presented(
        self, decoded_us: int, presented_us: int, *, filled: bool = False
    ) -> None:
        """The window drew a picture (GUI thread): the render stage."""
        with self._lock:
            stage = self._fill_render if filled else self._render
            stage.append(max(0.0, (presented_us - decoded_us) / 1000))

    def agent_timing(self, frame_id: int, grab_ms: float, encode_ms: float) -> None:
        """The agent's own times for a frame or a fill (it sends them just after it; for
        a fill, ``encode_ms`` is finding it, from the capture instant on)."""
        with self._lock:
            arrival = self._arrivals.pop(frame_id, None)
            fill = arrival is not None and arrival[1]
            (self._fill_grab if fill else self._grab).append(grab_ms)
            (self._fill_find if fill else self._encode).append(encode_ms)
            if arrival is not None:
                network = self._fill_network if fill else self._network
                network.append(max(0.0, arrival[0] - encode_ms))

    def audio_decoded(self, capture_us: int) -> None:
        """A packet of sound captured at ``capture_us`` (agent clock) is ready to play."""
        with self._lock:
            self._audio_packets += 1
            offset = self.clock_offset_us
            if offset is not None:
                self._audio.append((time.time_ns() // 1000 - (capture_us - offset)) / 1000)

    def audio_latencies(self) -> list[float]:
        """The last packets' capture-to-decoded times, ms (for the benchmark's table)."""
        with self._lock:
            return list(self._audio)

    def heartbeat_answered(self, sent_us: int, agent_us: int, received_us: int) -> None:
        with self._lock:
            self.heartbeats += 1
            self._sync.append((received_us - sent_us, agent_us - (sent_us + received_us) / 2))

    @property
    def clock_offset_us(self) -> float | None:
        # The sample with the shortest round trip has the least queueing in its estimate.
        return min(self._sync)[1] if self._sync else None

    def picture_decoded(
        self, capture_us: int, received_us: int, decoded_us: int, *, filled: bool = False
    ) -> None:
        """A new picture (``filled``: painted from fills, which is not decoding)."""
        with self._lock:
            self._picture_decoded(capture_us, received_us, decoded_us, filled)

    def _picture_decoded(
        self, capture_us: int, received_us: int, decoded_us: int, filled: bool
    ) -> None:
        now = time.monotonic()
        self._pictures.append(now)
        self._trim(now)
        (self._fill_paint if filled else self._decode).append((decoded_us - received_us) / 1000)
        offset = self.clock_offset_us
        if offset is not None:
            captured_here = capture_us - offset  # the capture instant on this clock
            self._transit.append((received_us - captured_here) / 1000)
            self._end_to_end.append((decoded_us - captured_here) / 1000)

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> StatsSnapshot:
        now = time.monotonic()
        self._trim(now)
        span = self.WINDOW_S
        return StatsSnapshot(
            fps=len(self._pictures) / span,
            bitrate_kbps=sum(size for _, size in self._frames) * 8 / 1000 / span,
            round_trip_ms=min(self._sync)[0] / 1000 if self._sync else None,
            clock_offset_ms=None if self.clock_offset_us is None else self.clock_offset_us / 1000,
            host_to_viewer_ms=_median(self._transit),
            decode_ms=_median(self._decode),
            end_to_end_ms=_median(self._end_to_end),
            grab_ms=_median(self._grab),
            encode_ms=_median(self._encode),
            network_ms=_median(self._network),
            render_ms=_median(self._render),
            fill_grab_ms=_median(self._fill_grab),
            fill_find_ms=_median(self._fill_find),
            fill_network_ms=_median(self._fill_network),
            fill_paint_ms=_median(self._fill_paint),
            fill_render_ms=_median(self._fill_render),
            audio_ms=_median(self._audio),
            audio_packets=self._audio_packets,
        )

    def _trim(self, now: float) -> None:
        while self._frames and now - self._frames[0][0] > self.WINDOW_S:
            self._frames.popleft()
        while self._pictures and now - self._pictures[0] > self.WINDOW_S:
            self._pictures.popleft()


def _median(values: deque[float]) -> float | None:
    return statistics.median(values) if values else None
