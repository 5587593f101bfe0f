"""What a session needs of the computer's clipboard, whatever the platform: to hear when
someone copied, and to put what the viewer copied there."""

from __future__ import annotations

from typing import Protocol

from app.protocol.clipboard import Clip


class HostClipboard(Protocol):
    def watch_fd(self) -> int | None:
        """A file descriptor readable when the clipboard may have changed (X events);
        None: the session asks ``changes`` now and then instead."""
        ...

    def changes(self) -> list[Clip]:
        """What was copied on this computer since the last call, oldest first; never
        waits (a clipboard owner that is slow to answer is asked again later)."""
        ...

    def put(self, clip: Clip) -> None:
        """Make ``clip`` what this computer pastes."""
        ...

    def close(self) -> None: ...


class MemoryClipboard:
    """A clipboard held by this process: the demo desktop's (its Ctrl+C and Ctrl+V use
    it), and where the platform offers none."""

    def __init__(self) -> None:
        self.content: Clip | None = None
        self._copied: list[Clip] = []

    def copy(self, clip: Clip) -> None:
        """Someone on this computer copied ``clip``."""
        self.content = clip
        self._copied.append(clip)

    def watch_fd(self) -> int | None:
        return None

    def changes(self) -> list[Clip]:
        copied, self._copied = self._copied, []
        return copied

    def put(self, clip: Clip) -> None:
        self.content = clip

    def close(self) -> None:
        pass
