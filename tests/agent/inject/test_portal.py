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
    sender.send("NotifyPointerButton", "iu", 0x110, 1, press=True)
    sender.send("NotifyPointerButton", "iu", 0x110, 0, release=True)
    sender.send("NotifyPointerMotion", "dd", 1.0, 0.0)  # the hand moves on: still owed
    release = ("NotifyPointerButton", "iu", 0x110, 0)
    assert recorder.wait_for(4) == [
        ("NotifyPointerButton", "iu", 0x110, 1),
        release,
        ("NotifyPointerMotion", "dd", 1.0, 0.0),
        release,
    ]
    assert sender.owed == []


def test_each_release_goes_again_but_never_after_a_new_press_of_its_key(
    recorder: Recorder, sender: InputSender
) -> None:
    sender.send("Key", "iu", 46, 0, release=True)  # C up
    sender.send("Key", "iu", 29, 0, release=True)  # then Ctrl up: both owed
    assert sender.owed == [("Key", "iu", 46, 0), ("Key", "iu", 29, 0)]
    sender.send("Key", "iu", 46, 1, press=True)  # C down again at once: its second
    assert sender.owed == [("Key", "iu", 29, 0)]  # release must not follow
    assert recorder.wait_for(4) == [
        ("Key", "iu", 46, 0),
        ("Key", "iu", 29, 0),
        ("Key", "iu", 46, 1),
        ("Key", "iu", 29, 0),
    ]
