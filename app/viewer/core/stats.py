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
        self._arrivals: dict[int, float] = {}  # frame id → capture-to-arrival ms
        self._grab: deque[float] = deque(maxlen=120)
        self._encode: deque[float] = deque(maxlen=120)
        self._network: deque[float] = deque(maxlen=120)
        self._render: deque[float] = deque(maxlen=120)
        self._bytes_received = 0

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

    def frame_received(self, size: int, frame_id: int = 0, capture_us: int = 0) -> None:
        with self._lock:
            now = time.monotonic()
            self._frames.append((now, size))
            self._trim(now)
            offset = self.clock_offset_us
            if offset is not None:
                transit_ms = (time.time_ns() // 1000 - (capture_us - offset)) / 1000
                self._arrivals[frame_id] = transit_ms
                if len(self._arrivals) > 256:
                    self._arrivals.pop(next(iter(self._arrivals)))

    def picture_presented(self, decoded_us: int, presented_us: int) -> None:
        """The window drew a picture (GUI thread): the render stage."""
        with self._lock:
            self._render.append(max(0.0, (presented_us - decoded_us) / 1000))

    def agent_timing(self, frame_id: int, grab_ms: float, encode_ms: float) -> None:
        """The agent's own times for a frame (it sends them just after the frame)."""
        with self._lock:
            self._grab.append(grab_ms)
            self._encode.append(encode_ms)
            transit_ms = self._arrivals.pop(frame_id, None)
            if transit_ms is not None:
                self._network.append(max(0.0, transit_ms - encode_ms))

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
        if not filled:
            self._decode.append((decoded_us - received_us) / 1000)
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
        )

    def _trim(self, now: float) -> None:
        while self._frames and now - self._frames[0][0] > self.WINDOW_S:
            self._frames.popleft()
        while self._pictures and now - self._pictures[0] > self.WINDOW_S:
            self._pictures.popleft()


def _median(values: deque[float]) -> float | None:
    return statistics.median(values) if values else None
