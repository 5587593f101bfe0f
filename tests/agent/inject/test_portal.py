"""The portal input's sender, without a desktop: a release that is the last event sent
goes again shortly after (GNOME 43 sometimes holds one back), and never after a newer
event. The real portal input is the subject of tests/agent/capture/test_portal.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from app.agent.inject.portal import InputSender


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self._changed = threading.Condition()

    def notify(self, *event: Any) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, count: int) -> list[tuple[Any, ...]]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.events) >= count, timeout=5)
            return list(self.events)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sender(recorder: Recorder) -> Iterator[InputSender]:
    sender = InputSender(recorder.notify, 0.03)
    yield sender
    sender.close()


def test_a_release_goes_again(recorder: Recorder, sender: InputSender) -> None:
    sender.send("NotifyPointerButton", "iu", 0x110, 1)
    sender.send("NotifyPointerButton", "iu", 0x110, 0, release=True)
    release = ("NotifyPointerButton", "iu", 0x110, 0)
    assert recorder.wait_for(3) == [("NotifyPointerButton", "iu", 0x110, 1), release, release]


def test_a_release_is_not_repeated_after_a_newer_event(
    recorder: Recorder, sender: InputSender
) -> None:
    sender.send("Button", 0, release=True)
    assert sender.owed == ("Button", 0)
    sender.send("Button", 1)  # a new press at once: the release must not follow it
    assert sender.owed is None
    sender.send("Key", 0, release=True)
    assert recorder.wait_for(4) == [("Button", 0), ("Button", 1), ("Key", 0), ("Key", 0)]
