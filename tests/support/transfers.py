"""Cutting a session's path in the middle of a transfer: the agent reached directly through
a proxy that can drop the connection, and a watcher that drops it once per transfer, the
first time it passes half its size."""

from __future__ import annotations

import dataclasses

from app.viewer.core.session import SessionGrant
from app.viewer.core.transfers import Transfer
from tests.support.proxy import DroppingProxy
from tests.support.shaping import ShapingProxy


def through(proxy: DroppingProxy | ShapingProxy, grant: SessionGrant) -> SessionGrant:
    """The grant, with the agent reached through ``proxy`` (which can drop the path)."""
    return dataclasses.replace(grant, direct_urls=(f"ws://127.0.0.1:{proxy.port}/session",))


def agent_port(grant: SessionGrant) -> int:
    return int(grant.direct_urls[0].rsplit(":", 1)[1].split("/")[0])


class DropHalfway:
    """Drops the connection the first time each transfer passes half its size."""

    def __init__(self, proxy: DroppingProxy) -> None:
        self.proxy = proxy
        self.dropped: set[int] = set()

    def __call__(self, transfer: Transfer | None) -> None:
        if transfer is None:
            return
        running = transfer.state == "running" and transfer.done >= transfer.size // 2
        if running and transfer.number not in self.dropped:
            self.dropped.add(transfer.number)
            self.proxy.drop()
