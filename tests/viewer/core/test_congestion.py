"""The picture's congestion control, fed with what a link does: a queue that grows brings
the bitrate under what arrives, at once, and further the longer the queue; a link that
keeps up lets it climb back, quickly far from the last capacity seen and slowly near it;
a still screen (nothing measured) is not taken for a congested one."""

from __future__ import annotations

from app.protocol import VideoRate
from app.viewer.core.congestion import RateController


class Link:
    """Frames of ``size`` bytes every ``gap_s``, crossing a bottleneck of ``kbps`` behind a
    fixed delay: each frame's one-way delay grows when frames come faster than it carries."""

    def __init__(self, controller: RateController, kbps: float, delay_ms: float = 50) -> None:
        self.controller, self.kbps, self.delay_ms = controller, kbps, delay_ms
        self.now = 0.0
        self.free_at = 0.0
        self.frame_id = 0
        self.asked: list[VideoRate] = []

    def run(self, seconds: float, fps: float = 30) -> None:
        end = self.now + seconds
        while self.now < end:
            size = int(self.controller.target_kbps * 1000 / 8 / fps)  # the agent obeys
            self.free_at = max(self.now, self.free_at) + size * 8 / (self.kbps * 1000)
            arrived = self.free_at + self.delay_ms / 1000
            self.frame_id += 1
            delay_ms = (arrived - self.now) * 1000 + 3.0  # +3: the encoder's time
            self.controller.frame_arrived(self.frame_id, arrived, delay_ms, size)
            self.controller.frame_timed(self.frame_id, 3.0)
            rate = self.controller.update(arrived)
            if rate is not None:
                self.asked.append(rate)
            self.now += 1 / fps


def test_a_full_link_brings_the_bitrate_under_it_and_the_queue_away() -> None:
    controller = RateController(ceiling_kbps=6000, max_fps=60)
    link = Link(controller, kbps=2000)
    link.run(10)
    assert controller.target_kbps < 2000
    assert link.asked[-1].bitrate_kbps < 2000 and link.asked[-1].max_fps <= 30
    assert controller.queue_ms is not None and controller.queue_ms < 100
    # Settled: it keeps under the link, with little queue, for good.
    link.run(20)
    assert link.free_at - link.now < 0.15  # what waits to cross: under 150 ms


def test_a_faster_link_is_used_again_within_seconds() -> None:
    controller = RateController(ceiling_kbps=6000, max_fps=60)
    link = Link(controller, kbps=2000)
    link.run(10)
    link.kbps = 100_000  # the cap lifts
    lifted = link.now
    while controller.target_kbps < 6000:
        link.run(0.25)
        assert link.now - lifted < 6, "not back to full quality"
    assert link.asked[-1] == VideoRate(bitrate_kbps=6000, max_fps=60)


def test_the_quality_setting_is_a_ceiling() -> None:
    controller = RateController(ceiling_kbps=6000, max_fps=60)
    controller.set_ceiling(2500, 30)
    link = Link(controller, kbps=50_000)
    link.run(5)
    assert controller.target_kbps == 2500 and controller.fps() == 30


def test_nothing_measured_is_not_congestion() -> None:
    controller = RateController(ceiling_kbps=6000, max_fps=60)
    link = Link(controller, kbps=500)
    link.run(3)
    low = controller.target_kbps
    assert low < 500
    # The screen goes still: no frames, so no queue; the bitrate probes up meanwhile
    # instead of falling to the floor.
    later = link.now + 5
    while link.now < later:
        link.now += 0.25
        controller.update(link.now)
    assert controller.target_kbps > low


def test_a_small_change_is_not_worth_a_message() -> None:
    controller = RateController(ceiling_kbps=6000, max_fps=60)
    assert controller.update(0.0) == VideoRate(bitrate_kbps=6000, max_fps=60)
    assert controller.update(0.1) is None
    controller.connected()  # a new agent: told again
    assert controller.update(0.2) == VideoRate(bitrate_kbps=6000, max_fps=60)


def test_one_late_frame_on_an_idle_link_is_not_congestion() -> None:
    controller = RateController(ceiling_kbps=6000, max_fps=60)
    for n in range(10):  # a still screen: a small frame now and then, no queue
        controller.frame_arrived(n, n * 0.5, 50.0, 2000)
        controller.frame_timed(n, 3.0)
        controller.update(n * 0.5)
    # The viewer's own loop was busy: one frame read 400 ms late.
    controller.frame_arrived(10, 5.0, 450.0, 2000)
    controller.frame_timed(10, 3.0)
    controller.update(5.0)
    assert controller.target_kbps == 6000
    # Late again and again while the stream is far under its bitrate: at most halved.
    for n in range(11, 20):
        controller.frame_arrived(n, 5.0 + n * 0.1, 450.0 + n * 20, 2000)
        controller.frame_timed(n, 3.0)
        controller.update(5.0 + n * 0.1)
    assert controller.target_kbps >= 6000 / 2**3
