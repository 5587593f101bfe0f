"""A piece of a session that runs only while the viewer wants it (the sound, the pointer):
switched on, its ``_run`` starts; switched off, it is cancelled; closed with the session."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod


class SwitchedTask(ABC):
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def _run(self) -> None:
        """The work, until cancelled."""

    def set_enabled(self, on: bool) -> None:
        if on and self._task is None:
            self._task = asyncio.create_task(self._run())
        elif not on and self._task is not None:
            self._task.cancel()
            self._task = None

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
