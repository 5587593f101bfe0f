"""Direct sessions: the viewer goes straight to the agent when it can, and falls back to
the relay when the direct address does not answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from app.protocol.input import InputEvent
from app.viewer.core.session import SessionFailed, ViewerSession
from tests.support.api import Api
from tests.support.sessions import entitled_online_host, open_session


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """Accepts TCP connections and never answers: a direct address behind a dead path."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_direct_when_the_agent_is_reachable(api: Api) -> None:
    async with entitled_online_host(api, direct=True) as host:
        granted = await open_session(api, host)
        direct_urls = list(granted.direct_urls)
        assert len(direct_urls) == 1
        direct_url = direct_urls[0]
        assert direct_url.startswith("ws://127.0.0.1:")
        assert (granted.relay_url or "").endswith(f"/api/v1/relay/{granted.session_id}")
        async with ViewerSession(api.url, granted) as session:
            assert session.path == "direct"
            await session.next_picture(timeout_s=20)
            await session.send_input(InputEvent("click", 0.7, 0.55))
            marked = await session.next_picture(timeout_s=10)
            red = int(marked.rgb[396, 896][0])
            assert red > 180  # the red mark, straight from the agent


async def test_falls_back_to_the_relay(api: Api, silent_port: int) -> None:
    async with entitled_online_host(api) as host:
        granted = await open_session(api, host)
        dead = (f"ws://127.0.0.1:{silent_port}/session",)
        async with ViewerSession(api.url, replace(granted, direct_urls=dead)) as session:
            assert session.path == "relay"
            picture = await session.next_picture(timeout_s=20)
            assert picture.rgb.shape == (720, 1280, 3)


async def test_a_direct_ticket_is_checked_too(api: Api) -> None:
    async with entitled_online_host(api, direct=True) as host:
        granted = await open_session(api, host)
        other = await open_session(api, host)
        forged = granted.ticket[:-4] + ("AAAA" if not granted.ticket.endswith("AAAA") else "BBBB")
        with pytest.raises(SessionFailed, match=r"ticket|signed"):
            async with ViewerSession(api.url, replace(granted, ticket=forged)):
                pass
        # A used ticket is refused the second time.
        async with ViewerSession(api.url, other):
            pass
        with pytest.raises(SessionFailed, match="already used"):
            async with ViewerSession(api.url, other):
                pass
