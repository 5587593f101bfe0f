"""The viewer's half of clipboard sharing in one session, without I/O: which copy goes to
the agent and when, and which of the agent's is put on this device's clipboard.

A copy made here goes as soon as the agent has said it takes them (its first heartbeat
answer), also the one made before the session started: that is usually why the person
connected. After a reconnection the agent is new, so the latest copy goes again."""

from __future__ import annotations

from app.protocol.clipboard import Clip, ClipboardMirror, ClipTooLarge


class ClipboardLink:
    def __init__(self, enabled: bool = True) -> None:
        #: The person lets the clipboard be shared (a setting, on by default).
        self.enabled = enabled
        self._mirror = ClipboardMirror()
        self._local: Clip | None = None
        self._agent_takes = False

    def connected(self) -> None:
        """A new connection to the agent: it knows nothing of what crossed before."""
        self._mirror = ClipboardMirror()
        self._agent_takes = False

    def agent_answered(self, takes_clipboard: bool) -> Clip | None:
        """A heartbeat answer; returns the copy to send now that the agent takes them."""
        newly = takes_clipboard and not self._agent_takes
        self._agent_takes = takes_clipboard
        return self._due() if newly else None

    def copied_here(self, clip: Clip) -> Clip | None:
        """This device's clipboard changed: what to send (None: nothing, or not yet).
        Raises :exc:`ClipTooLarge` for content over the limit, which never goes."""
        if len(clip.data) > clip.limit:
            raise ClipTooLarge(clip)
        self._local = clip
        return self._due()

    def arrived(self, clip: Clip) -> Clip | None:
        """The agent sent the computer's copy: what to put on this device's clipboard."""
        if not self.enabled:
            return None
        incoming = self._mirror.incoming(clip)
        if incoming is not None:
            self._local = incoming  # what this device now holds; not sent back
        return incoming

    def set_enabled(self, on: bool) -> Clip | None:
        """Turned on or off; returns the copy to send when turned on."""
        self.enabled = on
        return self._due()

    def _due(self) -> Clip | None:
        if not (self.enabled and self._agent_takes and self._local is not None):
            return None
        return self._mirror.outgoing(self._local)
