"""Session statistics on their own, without a session."""

from __future__ import annotations

from app.viewer.core.stats import SessionStats


def test_bytes_received_count_every_message_not_only_video() -> None:
    stats = SessionStats()
    assert stats.bytes_received == 0
    stats.message_received(1200)  # a video frame...
    stats.frame_received(1180)  # ...whose payload is also counted as video
    stats.message_received(95)  # a heartbeat answer
    assert stats.bytes_received == 1295
