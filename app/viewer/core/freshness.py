"""Which answer from the cloud may still be shown, when answers and live events race.

Reads and writes of the same record race: a read that left before a write can come back after
the write's answer, with the state from before it. Shown as is, a checkbox the person just
cleared ticks itself again. Each request takes a stamp as it leaves; an answer is shown only if
nothing newer has been shown and, for a read, no write left after it or is still out (the
cloud announces the write, and the read that announcement causes is then trusted).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from app.viewer.core.records import Computer


class Freshness:
    def __init__(self) -> None:
        self._next = 0
        self._shown = -1
        self._last_write = -1
        self._writes_out = 0

    def reading(self) -> int:
        """A stamp for a read about to leave (one never shown if a write is out: the cloud may
        answer it from before the write)."""
        if self._writes_out:
            return 0
        self._next += 1
        return self._next

    def writing(self) -> int:
        """A stamp for a write about to leave; ``written`` or ``write_failed`` must follow."""
        self._next += 1
        self._last_write = self._next
        self._writes_out += 1
        return self._next

    def read(self, stamp: int) -> bool:
        """A read came back: whether its answer may be shown (it then is)."""
        if self._writes_out or stamp <= self._last_write or stamp < self._shown:
            return False
        self._shown = stamp
        return True

    def written(self, stamp: int) -> bool:
        """A write came back: whether its answer may be shown (it then is)."""
        self._writes_out -= 1
        if stamp < self._shown:
            return False
        self._shown = stamp
        return True

    def write_failed(self) -> None:
        self._writes_out -= 1


class RecentEvents:
    """What the live feed said about each computer, so that a list asked for before it
    said so does not undo it. The feed's reload and a presence change race: a list that
    left before an agent linked up can come back after the feed said it did, and would
    show the computer offline until its next change."""

    def __init__(self) -> None:
        self._seq = 0
        self._presence: dict[str, tuple[int, bool, datetime | None]] = {}
        self._names: dict[str, tuple[int, str]] = {}

    def mark(self) -> int:
        """Before a list is asked for: what came after this is newer than the list."""
        return self._seq

    def presence(self, computer_id: str, online: bool, last_seen: datetime | None) -> None:
        self._seq += 1
        self._presence[computer_id] = (self._seq, online, last_seen)

    def renamed(self, computer_id: str, name: str) -> None:
        self._seq += 1
        self._names[computer_id] = (self._seq, name)

    def removed(self, computer_id: str) -> None:
        self._presence.pop(computer_id, None)
        self._names.pop(computer_id, None)

    def newer(self, computers: list[Computer], since: int) -> list[Computer]:
        """The list with what the feed said after ``since`` laid over it."""
        out = []
        for computer in computers:
            presence = self._presence.get(computer.id)
            if presence is not None and presence[0] > since:
                seen = presence[2] or computer.last_seen
                computer = replace(computer, online=presence[1], last_seen=seen)
            name = self._names.get(computer.id)
            if name is not None and name[0] > since:
                computer = replace(computer, name=name[1])
            out.append(computer)
        return out
