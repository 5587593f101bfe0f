"""Host consent: before a session starts, the person at the computer is asked (or, with
``--approve auto``, not), and while it runs an indicator shows who is connected, with a
Disconnect button. The prompt and the indicator are small Qt programs on the computer's
own display (``app.agent.host_ui``); this module starts them and reads their answers.

A session that was allowed and then dropped (a tunnel, a sleeping tablet) may come back
within ``RECONNECT_GRACE_S`` without asking again: same account, same viewer key."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

log = logging.getLogger(__name__)
Approve = Literal["ask", "auto"]
#: How long the prompt waits for an answer before it denies.
PROMPT_TIMEOUT_S = 30
#: An allowed session that drops may reconnect this long without a new prompt.
RECONNECT_GRACE_S = 120.0


@dataclass(frozen=True)
class Visitor:
    """Who asks to connect, as the cloud vouched for it in the ticket."""

    account_id: str
    who: str
    device: str
    address: str
    viewer_key: str


class Indicator(Protocol):
    #: Set when the person at the computer pressed Disconnect.
    disconnected: asyncio.Event

    async def close(self) -> None: ...


class HostUI(Protocol):
    async def ask(self, visitor: Visitor) -> bool: ...

    async def show_indicator(self, visitor: Visitor) -> Indicator: ...


@dataclass
class _NoIndicator:
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)

    async def close(self) -> None:
        return None


class AutoApprove:
    """Unattended computers (``--approve auto``), and the demo desktop, which has no person."""

    async def ask(self, visitor: Visitor) -> bool:
        return True

    async def show_indicator(self, visitor: Visitor) -> Indicator:
        return _NoIndicator()


def host_ui_command() -> list[str]:
    """How to start ``porthole agent host-ui``: the bundle's own binary when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "agent", "host-ui"]
    return [sys.executable, "-m", "app", "agent", "host-ui"]


class _HostProgram:
    """One ``host-ui`` process: its ``shown`` line, then its answer."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        #: The main button's place on the screen (x, y, width, height), once shown.
        self.button: tuple[int, int, int, int] | None = None
        self.shown = asyncio.Event()

    @classmethod
    async def start(cls, display: str | None, args: Sequence[str]) -> _HostProgram:
        env = dict(os.environ)
        if display is not None:
            env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
        process = await asyncio.create_subprocess_exec(
            *host_ui_command(),
            *args,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(process)

    async def next_word(self) -> str:
        """The next line that is not ``shown …`` ("" at the end of its output)."""
        assert self.process.stdout is not None
        while line := (await self.process.stdout.readline()).decode(errors="replace").strip():
            if line.startswith("shown "):
                with contextlib.suppress(ValueError):
                    x, y, w, h = (int(part) for part in line.split()[1:5])
                    self.button = (x, y, w, h)
                self.shown.set()
                continue
            return line
        return ""

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(5):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@dataclass
class _ProgramIndicator:
    program: _HostProgram
    registry: list[_ProgramIndicator]
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)
    _watch: asyncio.Task[None] | None = None

    def watch(self) -> None:
        async def read() -> None:
            if await self.program.next_word() == "disconnect":
                self.disconnected.set()

        self._watch = asyncio.create_task(read())

    async def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.registry.remove(self)
        await self.program.stop()
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch


class DisplayHostUI:
    """Asks on the computer's display (X11: ``display``; elsewhere the system's own)."""

    def __init__(self, display: str | None, timeout_s: int = PROMPT_TIMEOUT_S) -> None:
        self.display = display
        self.timeout_s = timeout_s
        #: The prompt and indicators on screen now (tests click their buttons).
        self.prompts: list[_HostProgram] = []
        self.indicators: list[_ProgramIndicator] = []

    def _identity(self, visitor: Visitor) -> list[str]:
        return ["--who", visitor.who, "--device", visitor.device, "--address", visitor.address]

    async def ask(self, visitor: Visitor) -> bool:
        args = ["ask", *self._identity(visitor), "--timeout", str(self.timeout_s)]
        try:
            program = await _HostProgram.start(self.display, args)
        except OSError as exc:
            log.warning("could not ask the person at the computer (%s): denying", exc)
            return False
        self.prompts.append(program)
        try:
            # Bounded beyond the prompt's own countdown, in case it hangs or dies.
            async with asyncio.timeout(self.timeout_s + 15):
                answer = await program.next_word()
        except TimeoutError:
            answer = "deny"
        finally:
            self.prompts.remove(program)
            await program.stop()
        log.info("the person at the computer answered %s for %s", answer or "nothing", visitor.who)
        return answer == "allow"

    async def show_indicator(self, visitor: Visitor) -> Indicator:
        args = ["indicator", *self._identity(visitor)]
        try:
            program = await _HostProgram.start(self.display, args)
        except OSError as exc:
            log.warning("could not show the session indicator (%s)", exc)
            return _NoIndicator()
        indicator = _ProgramIndicator(program, self.indicators)
        indicator.watch()
        self.indicators.append(indicator)
        return indicator


class Approvals:
    """Who was allowed lately, so a dropped session may come back without a new prompt."""

    def __init__(self, grace_s: float = RECONNECT_GRACE_S) -> None:
        self.grace_s = grace_s
        self._until: dict[tuple[str, str], float] = {}

    def remembered(self, visitor: Visitor) -> bool:
        now = time.monotonic()
        for key in [key for key, until in self._until.items() if until <= now]:
            del self._until[key]
        return (visitor.account_id, visitor.viewer_key) in self._until

    def session_running(self, visitor: Visitor) -> None:
        self._until[(visitor.account_id, visitor.viewer_key)] = float("inf")

    def session_ended(self, visitor: Visitor, *, by_host: bool) -> None:
        key = (visitor.account_id, visitor.viewer_key)
        if by_host:  # the person said Disconnect: coming back means asking again
            self._until.pop(key, None)
        else:
            self._until[key] = time.monotonic() + self.grace_s
