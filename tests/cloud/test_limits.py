"""Limits that keep one client from wearing the service down or guessing its way in, each
with a clear refusal that loses nothing: a burst of password guesses gets no more checks
than a slow series, sign-ups, codes and session grants are rate-limited, connections are
capped per address, and nothing unauthenticated may send a large message."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.cloud.clock import OffsetClock
from app.cloud.relay import RelayHub
from app.cloud.security import slow_clients
from app.protocol import (
    CloseCode,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Welcome,
    decode_message,
    encode_message,
    our_hello,
)
from tests.conftest import fast_settings
from tests.support.api import PASSWORD, Api, EventStream
from tests.support.server import CloudThread
from tests.support.sessions import entitled_online_host, open_session
from tests.support.waiting import eventually_async

CloudFactory = Callable[..., contextlib.AbstractAsyncContextManager[Api]]


@pytest.fixture
def cloud_with(database_url: str, clock: OffsetClock) -> CloudFactory:
    """A cloud with some settings changed, and a client for it."""

    @contextlib.asynccontextmanager
    async def start(**overrides: object) -> AsyncIterator[Api]:
        cloud = CloudThread(fast_settings(database_url, **overrides), clock).start()
        try:
            async with Api(cloud.url) as api:
                yield api
        finally:
            cloud.stop()

    return start


async def test_a_burst_of_guesses_gets_no_more_checks_than_a_slow_series(api: Api) -> None:
    user = await api.sign_up()

    async def guess(n: int) -> int:
        answer = await api.http.post(
            "/api/v1/auth/token", json={"email": user.email, "password": f"guess {n}"}
        )
        return answer.status_code

    statuses = await asyncio.gather(*(guess(n) for n in range(30)))
    checked = statuses.count(401)
    # Five free failures, and the sixth that sets the block: never more, however many
    # arrive at once (before, all 30 were checked).
    assert checked <= 6 and statuses.count(429) == 30 - checked, statuses
    refused = await api.http.post(
        "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
    )
    assert refused.status_code == 429 and "Try again in" in refused.json()["message"]


async def test_sign_ups_from_one_address_are_limited(cloud_with: CloudFactory) -> None:
    async with cloud_with(signups_per_hour_per_address=3) as api:
        for _ in range(3):
            await api.sign_up()
        refused = await api.http.post(
            "/api/v1/accounts", json={"email": "fourth@example.com", "password": PASSWORD}
        )
        assert refused.status_code == 429, refused.text
        assert "new accounts from your address" in refused.json()["message"]
        assert int(refused.headers["Retry-After"]) > 0


async def test_wrong_enrolment_codes_are_throttled(
    cloud_with: CloudFactory, clock: OffsetClock
) -> None:
    async with cloud_with(code_free_failures=3) as api:
        user = await api.sign_up()
        code = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()
        statuses = []
        for n in range(5):
            wrong = await api.http.post(
                "/api/v1/agents", json={"enrollment_code": f"WRNG-{n:04}", "name": "PC"}
            )
            statuses.append(wrong.status_code)
        # Three free, the fourth checked and blocking, the fifth refused unchecked.
        assert statuses == [401, 401, 401, 401, 429], statuses
        # Even the right code waits out the block (a guesser cannot tell it worked)…
        blocked = await api.http.post(
            "/api/v1/agents", json={"enrollment_code": code["code"], "name": "PC"}
        )
        assert blocked.status_code == 429
        # …and works once it passed.
        clock.advance(timedelta(seconds=int(blocked.headers["Retry-After"]) + 1))
        enrolled = await api.http.post(
            "/api/v1/agents", json={"enrollment_code": code["code"], "name": "PC"}
        )
        assert enrolled.status_code == 201, enrolled.text


async def test_bundle_codes_are_beyond_guessing(api: Api) -> None:
    codes = (await api.http.post("/sandbox/v1/bundles", json={"months": 1, "count": 2})).json()
    for code in codes["codes"]:
        groups = code.removeprefix("BNDL-").split("-")
        assert len(groups) == 6 and all(len(group) == 4 for group in groups)  # 119 bits
    user = await api.sign_up()
    typed = codes["codes"][0].lower().replace("-", " ")  # typing slips do not matter
    redeemed = await api.http.post(
        "/api/v1/bundles/redeem", headers=user.headers, json={"code": typed}
    )
    assert redeemed.status_code == 200, redeemed.text


async def test_connections_are_capped_per_address(cloud_with: CloudFactory) -> None:
    async with cloud_with(max_connections_per_address=2) as api:
        user = await api.sign_up()
        async with (
            EventStream(api, user),
            EventStream(api, user),
            connect(api.ws_url("/api/v1/events"), open_timeout=10) as third,
        ):
            # Refused at once, before it could even say hello.
            error = decode_message(await asyncio.wait_for(third.recv(), 10))
            assert isinstance(error, ErrorMessage) and error.code == "too_many_connections"
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(third.recv(), 10)
            assert third.close_code == CloseCode.TOO_MANY
        # Those two closed (the cloud notices a moment after the client): room again.

        async def room_again() -> bool:
            try:
                async with EventStream(api, user) as stream:
                    return stream.welcome is not None
            except (ConnectionClosed, AssertionError):
                return False

        await eventually_async(room_again, 10, "room for a new connection")


async def test_nothing_unauthenticated_sends_a_large_message(api: Api) -> None:
    big_hello = our_hello("agent", "x" * 4000)
    padded = encode_message(big_hello).replace(
        '"client":', '"pad":"' + "y" * 70_000 + '","client":'
    )
    async with connect(api.ws_url("/api/v1/agent/link"), open_timeout=10) as ws:
        await ws.send(padded)
        with pytest.raises(ConnectionClosed):
            for _ in range(5):
                await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == CloseCode.MESSAGE_TOO_BIG
    # The agent's own direct listener: at most 64 KiB before a viewer proved anything.
    async with entitled_online_host(api, direct=True) as host:
        granted = await open_session(api, host)
        async with connect(granted.direct_urls[0], open_timeout=10, max_size=None) as ws:
            await ws.send(b"\x00" * 70_000)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            assert ws.close_code == CloseCode.MESSAGE_TOO_BIG
        assert host.sessions.accepted == 0


async def test_session_grants_are_rate_limited(cloud_with: CloudFactory) -> None:
    async with (
        cloud_with(session_grants_per_minute=2) as api,
        entitled_online_host(api) as host,
    ):
        await open_session(api, host)
        await open_session(api, host)
        refused = await api.http.post(
            "/api/v1/sessions",
            headers=host.user.headers,
            json={"computer_id": host.computer_id, "viewer_public_key": "x25519:" + "A" * 43},
        )
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "sessions opened" in refused.json()["message"]


def test_relay_meetings_nobody_joins_expire() -> None:
    now = [1000.0]
    hub = RelayHub(
        pair_timeout_s=30, idle_s=30, max_bytes_per_s=1e6, unjoined_ttl_s=120, clock=lambda: now[0]
    )
    for n in range(50):
        hub.expect(f"s{n}", "pc")
    assert hub.waiting == 50
    now[0] += 121
    hub.expect("fresh", "pc")  # granting sweeps what nobody came for
    assert hub.waiting == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("parser", ["httptools", "h11"])
async def test_headers_sent_too_slowly_get_408_and_the_connection_closed(
    cloud_with: CloudFactory, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parser == "h11":  # as on a machine without httptools
        monkeypatch.setattr(slow_clients, "_httptools_class", lambda: None)
    async with cloud_with(header_timeout_s=0.5) as api:
        port = int(api.url.rsplit(":", 1)[1])
        # A slowloris: connected, headers begun, never finished. Each byte would cancel
        # uvicorn's own idle timer; the deadline counts from the first one.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /api/v1/ticket-keys HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        async with asyncio.timeout(10):
            answer = await reader.read()  # to the end: the cloud closes
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer
        # A client that connects and says nothing is closed the same way.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        async with asyncio.timeout(10):
            assert (await reader.read()).startswith(b"HTTP/1.1 408")
        writer.close()
        # Requests that send their headers at once are untouched, one after another on a
        # kept-alive connection, and so is a WebSocket that outlives the deadline.
        for _ in range(3):
            assert (await api.http.get("/api/v1/ticket-keys")).status_code == 200
        user = await api.sign_up()
        async with connect(api.ws_url("/api/v1/events"), open_timeout=10) as ws:
            await ws.send(encode_message(our_hello("viewer", user.access_token)))
            assert isinstance(decode_message(await asyncio.wait_for(ws.recv(), 10)), Welcome)
            await asyncio.sleep(1.0)  # twice the deadline: the time passing is the test
            await ws.send(encode_message(Heartbeat(seq=1, sent_at_us=1)))
            assert isinstance(decode_message(await asyncio.wait_for(ws.recv(), 10)), HeartbeatAck)
