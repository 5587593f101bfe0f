"""Which answer about one record on the cloud may still be shown.

Reads and writes of the same record race: a read that left before a write can come back after
the write's answer, with the state from before it. Shown as is, a checkbox the person just
cleared ticks itself again. Each request takes a stamp as it leaves; an answer is shown only if
nothing newer has been shown and, for a read, no write left after it or is still out (the
cloud announces the write, and the read that announcement causes is then trusted).
"""

from __future__ import annotations


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
