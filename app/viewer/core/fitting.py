"""Whether and when to ask the agent to give its monitor this device's shape ("Match this
device"): a tablet upright gets an upright desktop instead of a small letterboxed one.

Qt-free and I/O-free: each method says which :class:`ScreenFit` to send, if any. The
agent gives its monitor back its own resolution when a session ends or drops, so after a
reconnection the request goes again; it goes again too when another monitor is shown,
and only to an agent that said it can (``HeartbeatAck.fits``)."""

from __future__ import annotations

from app.protocol import ScreenFit

#: Below this the request is not worth a mode change (a window being dragged smaller).
MIN_SIDE = 64


class ScreenFitting:
    def __init__(self, size: tuple[int, int] | None = None) -> None:
        #: The size wanted (the picture area, in the window's pixels), or None: the
        #: computer keeps its own resolution.
        self.size = _usable(size)
        #: The agent of this connection said it can change its monitor's resolution.
        self.agent_fits = False
        self._asked = False  # a fit was sent on this connection (and not undone)
        self._monitor: str | None = None  # the monitor shown when it was

    def connected(self) -> None:
        """A new connection: the agent there has its own resolution until asked."""
        self.agent_fits = False
        self._asked = False
        self._monitor = None

    def want(self, size: tuple[int, int] | None, monitor: str | None) -> ScreenFit | None:
        """The person turned it on or off, or the window changed size."""
        self.size = _usable(size)
        if not self.agent_fits:
            return None
        if self.size is None:
            if not self._asked:
                return None
            self._asked = False
            return ScreenFit()
        return self._ask(monitor)

    def agent_answered(self, fits: bool, monitor: str | None) -> ScreenFit | None:
        """A heartbeat's answer: the first that says it can fit gets the request."""
        first = fits and not self.agent_fits
        self.agent_fits = fits
        if first and self.size is not None:
            return self._ask(monitor)
        return None

    def screens(self, monitor: str) -> ScreenFit | None:
        """The agent listed its monitors: another one shown gets the request too."""
        if self._asked and self.size is not None and monitor != self._monitor:
            return self._ask(monitor)
        return None

    def _ask(self, monitor: str | None) -> ScreenFit:
        assert self.size is not None
        self._asked, self._monitor = True, monitor
        return ScreenFit(width=self.size[0], height=self.size[1])


def _usable(size: tuple[int, int] | None) -> tuple[int, int] | None:
    if size is None or min(size) < MIN_SIDE:
        return None
    return (min(16384, int(size[0])), min(16384, int(size[1])))
