"""Congestion control for the picture, on the viewer's side, in the spirit of WebRTC's
GCC: keep the delay the link adds (its queue) under a target, and probe upward while it
stays low. Qt-free, I/O-free and clock-free: the session feeds it what arrived and when,
and sends the :class:`VideoRate` it returns.

What it measures, per video frame the agent times (``video.timing`` goes with every frame
of 1 kB or more, the ones that load a link):

- the frame's **one-way delay** on the viewer's clock minus the agent's, less the agent's
  encoding time: ``arrived - captured - encode``. The two clocks are not in step, but
  the *queueing* delay is this less its least value over the last ``base_window_s``, and
  the unknown offset cancels (a clock drifts microseconds in that time);
- the **receive rate** of video over the last ``rate_window_s``: while the link's queue is
  not empty, frames arrive exactly as fast as the link carries them.

What it decides, as GCC's delay-based controller does:

- **overuse** (the queue above ``overuse_ms``): the bitrate goes down at once to 85 % of
  what arrives, less the share of a second the queue holds (so a long queue drains in
  about a second; a short one is at most halved in one step), and holds while the queue
  drains; the rate that arrived then is kept as the link's known capacity;
- **normal** (the queue under ``normal_ms``, and ``hold_s`` after a decrease): the
  bitrate goes up each ``step_s``: slowly (4 %) near the known capacity, by 15 % below
  or a little past it, by 30 % well past it (the link got faster: a cap lifted), up to
  the ceiling the quality setting asks;
- in between: hold.

The frame rate follows the bitrate (fewer, better frames on a slow link; never so few that
one frame takes long to cross it)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from app.protocol import VideoRate


@dataclass(frozen=True)
class RateSettings:
    overuse_ms: float = 30.0
    normal_ms: float = 10.0
    floor_kbps: int = 150
    base_window_s: float = 15.0
    rate_window_s: float = 0.5
    hold_s: float = 1.0
    step_s: float = 0.25
    #: No frame measured for this long: the link's queue has drained.
    quiet_s: float = 1.0
    #: Smoothing of the queueing delay (the weight of each new sample).
    smoothing: float = 0.3
    #: Overuse: this many samples in a row over ``overuse_ms`` (one late frame is not).
    overuse_samples: int = 2
    #: Frame rates by bitrate: (at least kbit/s, frames per second), highest first.
    fps_by_kbps: tuple[tuple[int, int], ...] = ((3000, 60), (1000, 30), (500, 20), (0, 15))


class RateController:
    def __init__(
        self, ceiling_kbps: int = 6000, max_fps: int = 60, settings: RateSettings | None = None
    ) -> None:
        self.settings = settings or RateSettings()
        self.ceiling_kbps = ceiling_kbps
        self.ceiling_fps = max_fps
        self.target_kbps = float(ceiling_kbps)
        #: The queue the link adds now, smoothed (ms); None until the first sample.
        self.queue_ms: float | None = None
        #: What arrived the last time the link was overused (its capacity then), kbit/s.
        self.capacity_kbps: float | None = None
        self._pending: dict[int, tuple[float, float]] = {}  # frame id -> (s, delay ms)
        self._delays: deque[tuple[float, float]] = deque()  # (s, delay ms): rising minima
        self._arrivals: deque[tuple[float, int]] = deque()  # (s, bytes)
        self._sampled_at = -1e9
        #: The last raw queue samples: overuse is a queue all of them saw, not one late
        #: frame (a busy moment of the viewer's own loop).
        self._recent: deque[float] = deque(maxlen=self.settings.overuse_samples)
        self._decreased_at = -1e9
        self._stepped_at = -1e9
        self._sent: tuple[int, int] | None = None

    # -- what arrived ----------------------------------------------------------------------

    def frame_arrived(self, frame_id: int, now: float, delay_ms: float, size: int) -> None:
        """A video frame of ``size`` bytes, ``delay_ms`` after its capture (viewer's
        arrival clock minus the agent's capture clock: only differences matter)."""
        self._arrivals.append((now, size))
        while self._arrivals and now - self._arrivals[0][0] > self.settings.rate_window_s:
            self._arrivals.popleft()
        self._pending[frame_id] = (now, delay_ms)
        if len(self._pending) > 256:
            self._pending.pop(next(iter(self._pending)))

    def frame_timed(self, frame_id: int, encode_ms: float) -> None:
        """The agent's timing of a frame: its one-way delay is known; the queue measured."""
        arrival = self._pending.pop(frame_id, None)
        if arrival is None:
            return
        # A large frame's own time on the link counts as queue: it is delay the picture
        # has, and only fewer bits per frame take it away.
        now, delay_ms = arrival
        delay = delay_ms - encode_ms
        # The least delay of the window, kept as a deque of rising minima.
        while self._delays and self._delays[-1][1] >= delay:
            self._delays.pop()
        self._delays.append((now, delay))
        while now - self._delays[0][0] > self.settings.base_window_s:
            self._delays.popleft()
        queue = delay - self._delays[0][1]
        self._sampled_at = now
        self._recent.append(queue)
        weight = self.settings.smoothing
        self.queue_ms = (
            queue if self.queue_ms is None else (weight * queue + (1 - weight) * self.queue_ms)
        )

    @property
    def received_kbps(self) -> float:
        """Video that arrived over the last ``rate_window_s``."""
        return sum(size for _, size in self._arrivals) * 8 / 1000 / self.settings.rate_window_s

    # -- what to ask -----------------------------------------------------------------------

    def connected(self) -> None:
        """A new connection: its agent knows nothing of what was asked before."""
        self._sent = None
        self._pending.clear()

    def set_ceiling(self, bitrate_kbps: int, max_fps: int) -> None:
        """The quality setting's stream: never more than this."""
        self.ceiling_kbps, self.ceiling_fps = bitrate_kbps, max_fps
        self.target_kbps = min(self.target_kbps, float(bitrate_kbps))
        self._sent = None  # the agent starts again from the setting: say where we are

    def update(self, now: float) -> VideoRate | None:
        """The rate to ask the agent for, when it changed enough to be worth a message."""
        settings = self.settings
        queue = self.queue_ms
        if now - self._sampled_at > settings.quiet_s:
            queue = self.queue_ms = None  # nothing large sent lately: no queue of ours
        overused = (
            queue is not None
            and queue > settings.overuse_ms
            and len(self._recent) == self._recent.maxlen
            and min(self._recent) > settings.overuse_ms
        )
        if queue is not None and overused:
            if now - self._decreased_at >= settings.rate_window_s:
                received = self.received_kbps
                # Under what arrives, by more the longer the queue, so that it drains in
                # about a second (at 85 % alone, a second of queue takes six to drain).
                drain = max(0.0, 0.85 - queue / 1000)
                lowered = drain * received
                if queue < 100 or received < 0.5 * self.target_kbps:
                    # A short queue, or a stream that did not fill the bitrate (a still
                    # screen): what arrived says little of the link; at most halved.
                    lowered = max(lowered, 0.5 * self.target_kbps)
                else:
                    self.capacity_kbps = received
                self.target_kbps = max(settings.floor_kbps, min(self.target_kbps, lowered))
                self._decreased_at = self._stepped_at = now
        elif (
            (queue is None or queue < settings.normal_ms)
            and now - self._decreased_at >= settings.hold_s
            and now - self._stepped_at >= settings.step_s
            and self.target_kbps < self.ceiling_kbps
        ):
            self.target_kbps = min(float(self.ceiling_kbps), self.target_kbps * self._growth())
            self._stepped_at = now
        return self._message()

    def _growth(self) -> float:
        """Slowly near the capacity last seen (where the queue came from), quickly below
        it or well past it (the link is not what it was)."""
        capacity = self.capacity_kbps
        if capacity is None or self.target_kbps > 1.5 * capacity:
            return 1.3  # well past where the link was full: it is not what it was
        if 0.9 * capacity <= self.target_kbps <= 1.1 * capacity:
            return 1.04
        return 1.15

    def fps(self) -> int:
        # The table ends at 0 kbit/s: every target finds its row.
        fps = next(f for at_least, f in self.settings.fps_by_kbps if self.target_kbps >= at_least)
        return min(self.ceiling_fps, fps)

    def _message(self) -> VideoRate | None:
        wanted = (int(self.target_kbps), self.fps())
        sent = self._sent
        if sent == wanted:
            return None
        small = (
            sent is not None and sent[1] == wanted[1] and abs(wanted[0] - sent[0]) < 0.05 * sent[0]
        )
        if small and wanted[0] < self.ceiling_kbps:  # (the ceiling itself is always said)
            return None
        self._sent = wanted
        return VideoRate(bitrate_kbps=max(50, wanted[0]), max_fps=wanted[1])
