"""The agent's control link against the real cloud: presence seen live by a viewer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.agent.link import Backoff, ControlLink, LinkRefused
from app.protocol import (
    PROTOCOL_VERSION,
    CloseCode,
    ComputerAdded,
    ComputerPresence,
    ComputerRemoved,
    ErrorMessage,
    Hello,
    decode_message,
    encode_message,
)
from tests.support.api import Api, EventStream
from tests.support.proxy import BlackholeProxy


@contextlib.asynccontextmanager
async def running(link: ControlLink) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(link.run_forever())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, LinkRefused):
            await task


async def test_presence_goes_online_and_offline_live(api: Api) -> None:
    user = await api.sign_up()
    async with EventStream(api, user) as events:
        enrolled = await api.enroll(user, "Desk")
        computer_id = enrolled["computer_id"]
        added = await events.wait_for(2, type="computer.added", computer_id=computer_id)
        assert isinstance(added, ComputerAdded) and added.name == "Desk"

        link = ControlLink(api.url, enrolled["agent_token"])
        async with running(link):
            online = await events.wait_for(2, type="computer.presence", computer_id=computer_id)
            assert isinstance(online, ComputerPresence) and online.online
            [listed] = await api.computers(user)
            assert listed["online"] is True and listed["last_seen"] is not None
        # The agent stopped (its socket closed): offline at once.
        offline = await events.wait_for(2, type="computer.presence", computer_id=computer_id)
        assert isinstance(offline, ComputerPresence) and not offline.online
        assert (await api.computers(user))[0]["online"] is False


async def test_events_of_one_account_never_reach_another(api: Api) -> None:
    owner = await api.sign_up()
    other = await api.sign_up()
    async with EventStream(api, owner) as owner_events, EventStream(api, other) as other_events:
        enrolled = await api.enroll(owner, "Private")
        async with running(ControlLink(api.url, enrolled["agent_token"])):
            await owner_events.wait_for(2, type="computer.presence", online=True)
            # A marker event of the other account's own: anything leaked would arrive first.
            await api.enroll(other, "Marker")
            first = await other_events.next(timeout_s=5)
            assert isinstance(first, ComputerAdded) and first.name == "Marker"


async def test_removed_computer_is_cut_off_at_once(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Old laptop")
    link = ControlLink(api.url, enrolled["agent_token"])
    async with EventStream(api, user) as events:
        task = asyncio.create_task(link.run_forever())
        try:
            await events.wait_for(2, type="computer.presence", online=True)
            removed = await api.http.delete(
                f"/api/v1/computers/{enrolled['computer_id']}", headers=user.headers
            )
            assert removed.status_code == 204
            gone = await events.wait_for(2, type="computer.removed")
            assert isinstance(gone, ComputerRemoved)
            with pytest.raises(LinkRefused) as refused:
                async with asyncio.timeout(5):
                    await task
            assert refused.value.code == CloseCode.NOT_FOUND
        finally:
            task.cancel()
    # The token no longer opens a link at all.
    with pytest.raises(LinkRefused) as again:
        async with asyncio.timeout(10):
            await ControlLink(api.url, enrolled["agent_token"]).run_forever()
    assert again.value.code == CloseCode.UNAUTHORIZED


async def test_offline_after_the_network_drops(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Behind a flaky link")
    async with BlackholeProxy(int(api.url.rsplit(":", 1)[1])) as proxy:
        link = ControlLink(
            f"http://127.0.0.1:{proxy.port}", enrolled["agent_token"], backoff=Backoff(base_s=60)
        )
        async with EventStream(api, user) as events, running(link):
            await events.wait_for(2, type="computer.presence", online=True)
            proxy.cut()
            # No FIN ever arrives: only the missing heartbeats tell (12 s by default).
            offline = await events.wait_for(15, type="computer.presence")
            assert isinstance(offline, ComputerPresence) and not offline.online


async def test_a_newer_link_replaces_an_older_one(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Twice")
    hello = encode_message(
        Hello(version=PROTOCOL_VERSION, role="agent", token=enrolled["agent_token"])
    )
    url = api.ws_url("/api/v1/agent/link")
    async with EventStream(api, user) as events:
        async with connect(url) as first:
            await first.send(hello)
            assert decode_message(await first.recv()).TYPE == "welcome"
            async with connect(url) as second:
                await second.send(hello)
                assert decode_message(await second.recv()).TYPE == "welcome"
                with pytest.raises(ConnectionClosed):
                    async with asyncio.timeout(5):
                        while True:
                            await first.recv()
                assert first.close_code == CloseCode.REPLACED
                # The old link's close did not take the computer offline: the new one holds it.
                assert (await api.computers(user))[0]["online"] is True
        # Once the newer link closes too, the computer goes offline; never before (a
        # Computers list would show it offline for a moment during the takeover).
        seen: list[bool] = []
        for _ in range(4):  # online (first), online (second), offline, or a stray
            presence = await events.wait_for(5, type="computer.presence")
            assert isinstance(presence, ComputerPresence)
            seen.append(presence.online)
            if not presence.online:
                break
        assert seen == [True, True, False]
    assert (await api.computers(user))[0]["online"] is False


@pytest.mark.parametrize(
    ("first_message", "close_code", "error"),
    [
        ("not json at all", CloseCode.INVALID_DATA, "malformed_message"),
        ('{"type": "hello", "version": "1"}', CloseCode.INVALID_DATA, "malformed_message"),
        (
            '{"type": "heartbeat", "seq": 0, "sent_at_us": 0}',
            CloseCode.POLICY_VIOLATION,
            "unexpected_message",
        ),
        (
            '{"type": "hello", "version": 99, "role": "agent", "token": "x"}',
            CloseCode.UNSUPPORTED_VERSION,
            "unsupported_version",
        ),
        (
            '{"type": "hello", "version": 1, "role": "agent", "token": "pat_forged"}',
            CloseCode.UNAUTHORIZED,
            "invalid_agent_token",
        ),
        (b"\x01\x02binary", CloseCode.INVALID_DATA, "malformed_message"),
    ],
)
async def test_bad_first_messages_get_a_clear_close(
    api: Api, first_message: str | bytes, close_code: int, error: str
) -> None:
    async with connect(api.ws_url("/api/v1/agent/link")) as ws:
        await ws.send(first_message)
        reply = decode_message(await ws.recv())
        assert isinstance(reply, ErrorMessage) and reply.code == error and reply.message
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == close_code
    assert (await api.http.get("/api/v1/openapi.json")).status_code == 200


async def test_events_need_a_valid_access_token(api: Api) -> None:
    async with connect(api.ws_url("/api/v1/events")) as ws:
        await ws.send(
            encode_message(Hello(version=PROTOCOL_VERSION, role="viewer", token="not-a-token"))
        )
        reply = decode_message(await ws.recv())
        assert isinstance(reply, ErrorMessage) and reply.code == "invalid_token"
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == CloseCode.UNAUTHORIZED
