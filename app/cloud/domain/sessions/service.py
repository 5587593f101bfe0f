"""Remote sessions: who may open one, and the signed ticket that admits the viewer."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.cloud.broker import computer_topic
from app.cloud.context import CloudContext
from app.cloud.domain.billing.entitlement import require_entitlement
from app.cloud.domain.computers.service import get_owned
from app.cloud.domain.sessions import log
from app.cloud.errors import Conflict, Unavailable
from app.protocol.urls import websocket_url


@dataclass(frozen=True)
class SessionGrant:
    session_id: str
    ticket: str
    expires_at: datetime
    relay_path: str
    relay_url: str
    direct_urls: list[str]
    agent_public_key: str


async def grant(
    ctx: CloudContext,
    account_id: str,
    computer_id: str,
    *,
    viewer_public_key: str,
    called_at: str,
    account_email: str = "",
    device_name: str = "",
    viewer_address: str = "",
) -> SessionGrant:
    """Ownership first (404), then entitlement (402), then presence (409). The ticket names
    the viewer's and the agent's end-to-end keys, so neither end can be swapped later.

    ``called_at`` is the cloud address the viewer used; the relay is reached there
    unless this process has its own public relay address (several processes)."""
    async with ctx.sessions() as session:
        computer = await get_owned(session, account_id, computer_id)
        await require_entitlement(ctx, session, account_id)
    if not computer.online:
        raise Conflict(
            f"'{computer.name}' is offline. Check that it is on and that the Porthole agent runs.",
            code="computer_offline",
        )
    agent_key = computer.session_public_key
    if agent_key is None:
        raise Conflict(
            f"The Porthole agent on '{computer.name}' is too old for end-to-end encrypted "
            "sessions. Update it on that computer.",
            code="agent_outdated",
        )
    now = ctx.clock.now()
    session_id = str(uuid.uuid4())
    claims = {
        "typ": "session",
        "sub": account_id,
        "sid": session_id,
        "cid": computer_id,
        "vk": viewer_public_key,
        "ak": agent_key,
        # What the host's prompt and indicator show about who is connecting.
        "em": account_email,
        "dn": device_name,
        "ip": viewer_address,
    }
    ticket = ctx.keys.issue(
        claims,
        now=now,
        ttl_s=ctx.settings.session_ticket_ttl_s,
    )
    await log.record_grant(
        ctx,
        log.Granted(
            session_id,
            account_id,
            computer_id,
            computer.name,
            device_name,
            viewer_address,
            now,
        ),
    )
    # The relay expects the two halves; the agent is told over its control link.
    ctx.relay.expect(session_id, computer_id)
    relay_path = f"/api/v1/relay/{session_id}"
    own_relay = ctx.settings.relay_public_url
    relay_url = websocket_url(own_relay or called_at, relay_path)
    offer: dict[str, str] = {"kind": "session_offer", "session_id": session_id}
    if own_relay:
        # The agent's link may be held by another process: send it to this one's relay.
        offer["relay_url"] = relay_url
    if not await ctx.broker.publish(computer_topic(computer_id), json.dumps(offer)):
        raise Unavailable(
            "The computer could not be told about the session just now. Try again.",
            code="try_again",
        )
    return SessionGrant(
        session_id,
        ticket,
        now + timedelta(seconds=ctx.settings.session_ticket_ttl_s),
        relay_path=relay_path,
        relay_url=relay_url,
        direct_urls=[computer.direct_url] if computer.direct_url else [],
        agent_public_key=agent_key,
    )
