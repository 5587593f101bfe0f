"""The cloud's keys: one per purpose, named in what they sign, rotated without breaking
anyone — the new ticket key reaches the agent before it signs, old tokens keep working
until they expire — and revoked at once when one leaked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.cloud.clock import OffsetClock
from app.cloud.context import CloudContext
from app.cloud.security import keys
from app.cloud.security.keys import InvalidToken
from app.cloud.settings import Settings
from tests.conftest import fast_settings
from tests.support.agent_process import porthole
from tests.support.api import Api
from tests.support.keys import fresh_ring
from tests.support.sessions import entitled_online_host, open_session, relay_viewer, start_encrypted
from tests.support.waiting import eventually, eventually_async


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Each process reloads its keys often here, so a rotation shows within the test.
    return fast_settings(database_url, key_refresh_s=0.05)


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


NOW = datetime.now(UTC)
CLAIMS = {"sub": "acc-1", "sid": "si-1"}


def test_each_purpose_signs_with_its_own_key() -> None:
    ring = fresh_ring()
    access = ring.issue({**CLAIMS, "typ": "access"}, now=NOW, ttl_s=60)
    web = ring.issue({**CLAIMS, "typ": "web"}, now=NOW, ttl_s=60)
    ticket = ring.issue({**CLAIMS, "typ": "session"}, now=NOW, ttl_s=60)
    assert (_kid(access), _kid(web), _kid(ticket)) == ("access-1", "web-1", "ticket-1")
    assert ring.verify(access, kind="access", now=NOW)["sid"] == "si-1"
    # A token of one kind never passes as another, whatever its claims say.
    with pytest.raises(InvalidToken, match="not signed by a current web key"):
        ring.verify(access, kind="web", now=NOW)
    web_key = ring.signing_key("web", NOW)
    disguised = jwt.encode(
        {**CLAIMS, "typ": "access", "iss": keys.ISSUER, "iat": 0, "exp": 2**40},
        web_key.private_key,
        algorithm="EdDSA",
        headers={"kid": "access-1"},
    )
    with pytest.raises(InvalidToken, match="signature is wrong"):
        ring.verify(disguised, kind="access", now=NOW)
    # The CSRF key is a key of its own too.
    assert ring.csrf_matches("csrf:si-1", ring.csrf_proof("csrf:si-1", NOW), NOW)
    assert not fresh_ring().csrf_matches("csrf:si-1", ring.csrf_proof("csrf:si-1", NOW), NOW)


async def test_a_rotation_announces_then_signs_then_forgets(
    cloud_context: CloudContext, clock: OffsetClock
) -> None:
    ctx = cloud_context
    old = ctx.keys.issue({**CLAIMS, "typ": "access"}, now=clock.now(), ttl_s=900)
    old_proof = ctx.keys.csrf_proof("csrf:si-1", clock.now())
    async with ctx.sessions() as session:
        made = await keys.rotate(
            session,
            purposes=keys.ROTATED_PURPOSES,
            now=clock.now(),
            publish_s=300,
            lifetimes_s=keys.lifetimes(ctx.settings),
        )
    assert sorted(key.kid for key in made) == ["access-2", "csrf-2", "ticket-2", "web-2"]
    assert await keys.refresh(ctx.sessions, ctx.keys, clock)

    # Announced: agents are told the new ticket key, but the old keys still sign.
    assert [kid for kid, _ in ctx.keys.ticket_keys(clock.now())] == ["ticket-2", "ticket-1"]
    assert _kid(ctx.keys.issue({**CLAIMS, "typ": "access"}, now=clock.now(), ttl_s=60)) == (
        "access-1"
    )
    clock.advance(timedelta(seconds=301))
    # Signing: the new keys sign; what the old ones signed still verifies.
    assert _kid(ctx.keys.issue({**CLAIMS, "typ": "access"}, now=clock.now(), ttl_s=60)) == (
        "access-2"
    )
    assert ctx.keys.verify(old, kind="access", now=clock.now())["sid"] == "si-1"
    assert ctx.keys.csrf_matches("csrf:si-1", old_proof, clock.now())
    states = {key.kid: key.state_at(clock.now()) for key in ctx.keys.keys}
    assert states["access-1"] == "verifying" and states["access-2"] == "signing"

    # Forgotten once nothing they signed can be valid (the longest: a portal session).
    clock.advance(timedelta(seconds=ctx.settings.web_session_ttl_s + 120))
    assert await keys.refresh(ctx.sessions, ctx.keys, clock)
    assert {key.kid for key in ctx.keys.keys} == {
        "access-2",
        "web-2",
        "ticket-2",
        "csrf-2",
        "root-1",
    }
    assert not ctx.keys.csrf_matches("csrf:si-1", old_proof, clock.now())


async def test_a_revoked_key_stops_verifying_at_once(
    cloud_context: CloudContext, clock: OffsetClock
) -> None:
    ctx = cloud_context
    leaked = ctx.keys.issue({**CLAIMS, "typ": "web"}, now=clock.now(), ttl_s=3600)
    async with ctx.sessions() as session:
        await keys.rotate(
            session,
            purposes=["web"],
            now=clock.now(),
            publish_s=300,
            lifetimes_s=keys.lifetimes(ctx.settings),
            revoke=True,
        )
    await keys.refresh(ctx.sessions, ctx.keys, clock)
    with pytest.raises(InvalidToken, match="not signed by a current web key"):
        ctx.keys.verify(leaked, kind="web", now=clock.now())
    fresh = ctx.keys.issue({**CLAIMS, "typ": "web"}, now=clock.now(), ttl_s=60)
    assert _kid(fresh) == "web-2"
    # The other purposes were not touched.
    assert ctx.keys.signing_key("access", clock.now()).kid == "access-1"


async def test_the_agent_learns_a_rotated_ticket_key_before_it_signs(
    api: Api, settings: Settings, clock: OffsetClock
) -> None:
    """``porthole cloud keys rotate`` on the same database as a running cloud: the cloud
    picks the new keys up and tells its connected agent; once they sign, sessions open
    with a ticket only the new key signed, and the access token from before still works."""
    async with entitled_online_host(api) as host:
        before = host.user.headers
        env = {"PORTHOLE_DATABASE_URL": settings.database_url}
        rotated = porthole("cloud", "keys", "rotate", env=env)
        assert rotated.returncode == 0, rotated.stderr
        assert "ticket-2: signs from" in rotated.stdout
        listed = porthole("cloud", "keys", "list", env=env)
        assert listed.returncode == 0, listed.stderr
        assert any(
            line.split()[:3] == ["ticket", "ticket-2", "pending"]
            for line in listed.stdout.splitlines()
        ), listed.stdout

        # Told over the control link, long before the key signs.
        await eventually(
            lambda: "ticket-2" in host.sessions.ticket_keys, 10, "the agent to learn ticket-2"
        )

        async def published() -> bool:
            response = await api.http.get("/api/v1/ticket-keys")
            return "ticket-2" in {key["kid"] for key in response.json()}

        await eventually_async(published, 10, "the cloud to publish ticket-2")

        clock.advance(timedelta(seconds=settings.key_publish_s + 1))
        grant = await open_session(api, host)
        assert _kid(grant.ticket) == "ticket-2"
        ws = await relay_viewer(api, grant)
        try:
            await start_encrypted(ws, grant)
        finally:
            await ws.close()
        still = await api.http.get("/api/v1/me", headers=before)
        assert still.status_code == 200, still.text


def test_the_root_key_is_not_rotated() -> None:
    # It derives secrets that must outlive any rotation (the webhook secret).
    refused = porthole("cloud", "keys", "rotate", "--purpose", "root")
    assert refused.returncode == 2 and "invalid choice" in refused.stderr
