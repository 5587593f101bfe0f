"""Wake-on-LAN in tests: a computer's real control link that reports the adapters a test
gives it, and the home network of the tests' computers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from app.agent.link import ControlLink, LinkRefused
from app.protocol.wake import Adapter, WakeSend
from tests.support.api import Api, EventStream

DESK_MAC = "3c:52:82:4a:10:07"
MEDIA_WIRED = "3c:52:82:4a:20:01"
MEDIA_WIFI = "3c:52:82:4a:20:02"
HOME = (
    Adapter(interface="eth0", mac=MEDIA_WIRED, ipv4="192.168.40.20/24"),
    # Its Wi-Fi, off while it sleeps: its packet goes too, on the network they share.
    Adapter(interface="wlan0", mac=MEDIA_WIFI),
)
DESK = (Adapter(interface="enp3s0", mac=DESK_MAC, ipv4="192.168.40.10/24"),)


class Agent:
    """A computer's real control link, reporting ``adapters``; what it is asked to wake
    arrives in ``wakes``."""

    def __init__(self, api: Api, token: str, adapters: tuple[Adapter, ...]) -> None:
        self.wakes: asyncio.Queue[WakeSend] = asyncio.Queue()
        self.link = ControlLink(
            api.url, token, adapters=lambda: adapters, on_wake=self.wakes.put_nowait
        )

    @contextlib.asynccontextmanager
    async def online(
        self, events: EventStream, computer_id: str, *, new_adapters: bool = True
    ) -> AsyncIterator[None]:
        """Linked, and its adapters recorded (the cloud says so live when they are new;
        adapters it already knew, it does not announce again)."""
        task = asyncio.create_task(self.link.run_forever())
        try:
            if new_adapters:
                await events.wait_for(5, type="computer.networks", computer_id=computer_id)
            else:
                await events.wait_for(
                    5, type="computer.presence", computer_id=computer_id, online=True
                )
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, LinkRefused):
                await task
        await events.wait_for(5, type="computer.presence", computer_id=computer_id, online=False)
