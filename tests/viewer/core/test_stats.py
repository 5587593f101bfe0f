"""Session statistics on their own, without a session."""

from __future__ import annotations

import time

from app.viewer.core.stats import SessionStats


def test_bytes_received_count_every_message_not_only_video() -> None:
    stats = SessionStats()
    assert stats.bytes_received == 0
    stats.message_received(1200)  # a video frame...
    stats.frame_received(1180)  # ...whose payload is also counted as video
    stats.message_received(95)  # a heartbeat answer
    assert stats.bytes_received == 1295


def _synced_stats() -> SessionStats:
    """Stats whose clocks are matched (the agent's clock equals this one)."""
    stats = SessionStats()
    now_us = time.time_ns() // 1000
    stats.heartbeat_answered(now_us - 1000, now_us - 500, now_us)
    return stats


def test_a_fills_stage_times_are_kept_apart_from_the_video_frames() -> None:
    # A fill costs a fraction of a millisecond where an H.264 frame costs several: mixed
    # into one median, the trace would say neither where a click's nor a scroll's time goes.
    stats = _synced_stats()
    captured_us = time.time_ns() // 1000 - 3000
    stats.frame_received(40, 7, captured_us, fill=True)
    stats.agent_timing(7, grab_ms=1.5, encode_ms=0.25)
    stats.frame_received(9000, 8, captured_us)
    stats.agent_timing(8, grab_ms=2.0, encode_ms=6.0)
    stats.picture_decoded(captured_us, captured_us + 3000, captured_us + 3200, filled=True)
    stats.picture_presented(captured_us + 3200, captured_us + 4000, filled=True)

    snapshot = stats.snapshot()

    assert (snapshot.fill_grab_ms, snapshot.fill_find_ms) == (1.5, 0.25)
    assert (snapshot.grab_ms, snapshot.encode_ms) == (2.0, 6.0)
    assert snapshot.fill_network_ms is not None and snapshot.fill_network_ms >= 2.75
    assert snapshot.fill_paint_ms == 0.2
    assert snapshot.fill_render_ms == 0.8
    assert snapshot.decode_ms is None and snapshot.render_ms is None
