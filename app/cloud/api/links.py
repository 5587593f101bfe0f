"""WebSocket endpoints: the agents' control link (presence, session offers, the network
adapters they report and the magic packets they are asked to send) and the viewers'
live event stream.

Both open with the protocol's ``hello`` (the credential travels there, never in the URL)
and answer bad input with an ``error`` message and the close code of its ProtocolError.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.cloud.broker import Subscription, account_topic, computer_topic
from app.cloud.context import CloudContext
from app.cloud.db.models import Computer
from app.cloud.domain.accounts.service import principal_from_access_token
from app.cloud.domain.computers import presence, wake
from app.cloud.domain.computers.service import computer_for_agent_token
from app.cloud.domain.sessions import log as session_log
from app.cloud.errors import Unauthorized
from app.cloud.limits import TooManyConnections
from app.cloud.redis_broker import BrokerUnavailable
from app.cloud.relay import RelayRefused
from app.cloud.security.keys import InvalidToken
from app.protocol import (
    PROTOCOL_VERSION,
    CloseCode,
    ErrorMessage,
    Heartbeat,
    HeartbeatAck,
    Hello,
    Message,
    ProtocolError,
    SessionOffer,
    SessionReport,
    TicketKey,
    TicketKeys,
    Welcome,
    check_hello,
    decode_message,
    encode_message,
)
from app.protocol.secure import public_key_bytes
from app.protocol.wake import WakeNetworks, WakeSend, WakeTarget

log = logging.getLogger(__name__)
router = APIRouter()


class LinkClosed(Exception):
    """Ends a link on purpose with a close code and a reason for the other side."""

    def __init__(self, code: int, code_name: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.code_name = code_name
        self.message = message


def _now_us(ctx: CloudContext) -> int:
    return int(ctx.clock.now().timestamp() * 1_000_000)


async def _send(websocket: WebSocket, message: Message) -> None:
    await websocket.send_text(encode_message(message))


async def _receive(websocket: WebSocket, timeout_s: float) -> Message:
    try:
        async with asyncio.timeout(timeout_s):
            text = await websocket.receive_text()
    except TimeoutError:
        raise LinkClosed(CloseCode.TIMEOUT, "timeout", "Nothing received in time.") from None
    except KeyError:
        # A binary frame arrived where only JSON text is allowed.
        raise LinkClosed(
            CloseCode.INVALID_DATA, "malformed_message", "Control messages are JSON text."
        ) from None
    return decode_message(text)


async def _serve(
    websocket: WebSocket,
    ctx: CloudContext,
    roles: tuple[str, ...],
    run: Callable[[Hello], Awaitable[None]],
) -> None:
    """Accept, read the hello, run the endpoint, and turn every failure into a close."""
    await websocket.accept()
    address = websocket.client.host if websocket.client else "unknown"
    try:
        with ctx.connections.hold(address):
            await _serve_held(websocket, ctx, roles, run)
    except TooManyConnections as exc:
        await _close(websocket, CloseCode.TOO_MANY, "too_many_connections", str(exc))


async def _serve_held(
    websocket: WebSocket,
    ctx: CloudContext,
    roles: tuple[str, ...],
    run: Callable[[Hello], Awaitable[None]],
) -> None:
    try:
        hello = check_hello(
            await _receive(websocket, ctx.settings.hello_timeout_s), expected_roles=roles
        )
        await run(hello)
    except WebSocketDisconnect:
        return
    except ProtocolError as exc:
        await _close(websocket, exc.close_code, exc.code, exc.message)
    except LinkClosed as exc:
        await _close(websocket, exc.code, exc.code_name, exc.message)
    except Unauthorized as exc:
        await _close(websocket, CloseCode.UNAUTHORIZED, exc.code, exc.message)
    except BrokerUnavailable:
        await _close(
            websocket,
            CloseCode.TRY_AGAIN_LATER,
            "try_again",
            "The cloud is reconnecting to its message broker; try again in a moment.",
        )
    except Exception:
        log.exception("link handler failed")
        await _close(websocket, CloseCode.INTERNAL_ERROR, "internal_error", "Internal error.")


async def _close(websocket: WebSocket, code: int, code_name: str, message: str) -> None:
    with contextlib.suppress(Exception):
        await _send(websocket, ErrorMessage(code=code_name, message=message))
        await websocket.close(code=code, reason=message[:120])


async def _answer_heartbeats(
    websocket: WebSocket, ctx: CloudContext, timeout_s: float, computer: Computer | None = None
) -> None:
    """Read the client until it goes: heartbeats are acknowledged, silence is fatal; an
    agent (``computer``) also reports how its sessions went, for the session log, and its
    network adapters, for Wake-on-LAN."""
    while True:
        message = await _receive(websocket, timeout_s)
        if isinstance(message, SessionReport) and computer is not None:
            await session_log.record_report(ctx, computer.id, message)
        elif isinstance(message, WakeNetworks) and computer is not None:
            await wake.record_adapters(ctx, computer, message.adapters)
        elif isinstance(message, Heartbeat):
            await _send(
                websocket,
                HeartbeatAck(
                    seq=message.seq, sent_at_us=message.sent_at_us, server_time_us=_now_us(ctx)
                ),
            )
        else:
            raise LinkClosed(
                CloseCode.POLICY_VIOLATION,
                "unexpected_message",
                f"'{message.TYPE}' is not expected on this channel.",
            )


async def _first_done(*aws: Awaitable[None]) -> None:
    """Run side by side until one ends; re-raise its outcome and cancel the others."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    next(iter(done)).result()


@router.websocket("/agent/link")
async def agent_link(websocket: WebSocket) -> None:
    ctx: CloudContext = websocket.app.state.context

    async def run(hello: Hello) -> None:
        async with ctx.sessions() as session:
            computer = await computer_for_agent_token(session, hello.token)
        if computer is None:
            raise LinkClosed(
                CloseCode.UNAUTHORIZED,
                "invalid_agent_token",
                "This agent's credential is not valid: the computer was removed or never "
                "enrolled. Enrol it again.",
            )
        if hello.session_key is not None:
            try:
                public_key_bytes(hello.session_key)
            except ValueError as exc:
                raise LinkClosed(
                    CloseCode.POLICY_VIOLATION, "bad_session_key", f"The session key: {exc}."
                ) from None
        await _hold_link(websocket, ctx, computer, hello.endpoint, hello.session_key)

    await _serve(websocket, ctx, ("agent",), run)


async def _hold_link(
    websocket: WebSocket,
    ctx: CloudContext,
    computer: Computer,
    endpoint: str | None,
    session_key: str | None,
) -> None:
    link_id = str(uuid.uuid4())
    address = websocket.client.host if websocket.client else None
    control = await ctx.broker.subscribe(computer_topic(computer.id))
    try:
        await presence.link_opened(ctx, computer, link_id, endpoint, session_key, address)
        # An older link of the same computer (a reconnect racing a half-dead socket) gives
        # way, once this one holds the computer: its close then finds the computer taken
        # over and leaves it online (told first, it could take it offline for a moment).
        await ctx.broker.publish(
            computer_topic(computer.id), json.dumps({"kind": "replaced", "link_id": link_id})
        )
        await _send(
            websocket,
            Welcome(
                version=PROTOCOL_VERSION,
                server_time_us=_now_us(ctx),
                heartbeat_interval_s=ctx.settings.heartbeat_interval_s,
                account_id=computer.account_id,
                computer_id=computer.id,
                wake=True,
            ),
        )
        await _send(websocket, _ticket_keys(ctx))
        await _first_done(
            _answer_heartbeats(websocket, ctx, ctx.settings.heartbeat_timeout_s, computer),
            _obey_control(websocket, control, link_id),
            _announce_ticket_keys(websocket, ctx),
        )
    finally:
        ctx.broker.unsubscribe(control)
        await asyncio.shield(presence.link_closed(ctx, computer, link_id))


def _ticket_keys(ctx: CloudContext) -> TicketKeys:
    return TicketKeys(
        keys=tuple(
            TicketKey(kid=kid, public_key=key) for kid, key in ctx.keys.ticket_keys(ctx.clock.now())
        )
    )


async def _announce_ticket_keys(websocket: WebSocket, ctx: CloudContext) -> None:
    """Tell the agent each time this process learns new keys: a rotated ticket key
    reaches every connected agent before it starts signing (``key_publish_s``)."""
    while True:
        await ctx.keys.changed()
        await _send(websocket, _ticket_keys(ctx))


async def _obey_control(websocket: WebSocket, control: Subscription, link_id: str) -> None:
    async for payload in control:
        command = json.loads(payload)
        if command["kind"] == "session_offer":
            await _send(
                websocket,
                SessionOffer(
                    session_id=command["session_id"],
                    relay_path=f"/api/v1/relay/{command['session_id']}",
                    relay_url=command.get("relay_url"),
                ),
            )
            continue
        if command["kind"] == "wake":
            await _send(
                websocket,
                WakeSend(
                    computer_id=command["computer_id"],
                    targets=tuple(WakeTarget(**target) for target in command["targets"]),
                    port=command["port"],
                ),
            )
            continue
        if command["kind"] == "removed":
            raise LinkClosed(
                CloseCode.NOT_FOUND,
                "computer_removed",
                "This computer was removed from its account. Enrol it again to reach it.",
            )
        if command["kind"] == "replaced" and command["link_id"] != link_id:
            raise LinkClosed(
                CloseCode.REPLACED, "replaced", "A newer link for this computer took over."
            )
    raise LinkClosed(
        CloseCode.TRY_AGAIN_LATER,
        "link_interrupted",
        f"The control link stopped ({control.end_reason}); reconnect.",
    )


@router.websocket("/events")
async def events(websocket: WebSocket) -> None:
    ctx: CloudContext = websocket.app.state.context

    async def run(hello: Hello) -> None:
        principal = await principal_from_access_token(ctx, hello.token)
        subscription = await ctx.broker.subscribe(account_topic(principal.account.id))
        try:
            await _send(
                websocket,
                Welcome(
                    version=PROTOCOL_VERSION,
                    server_time_us=_now_us(ctx),
                    heartbeat_interval_s=ctx.settings.heartbeat_interval_s,
                    account_id=principal.account.id,
                ),
            )
            lifetime = (principal.expires_at - ctx.clock.now()).total_seconds()
            await _first_done(
                _forward(websocket, subscription),
                _answer_heartbeats(websocket, ctx, timeout_s=24 * 3600),
                _expire(max(lifetime, 0)),
            )
        finally:
            ctx.broker.unsubscribe(subscription)

    await _serve(websocket, ctx, ("viewer", "portal"), run)


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    async for payload in subscription:
        await websocket.send_text(payload)
    raise LinkClosed(
        CloseCode.TRY_AGAIN_LATER,
        "events_interrupted",
        f"Live events stopped ({subscription.end_reason}); reconnect and reload.",
    )


async def _expire(after_s: float) -> None:
    await asyncio.sleep(after_s)
    raise LinkClosed(
        CloseCode.UNAUTHORIZED, "token_expired", "The access token expired; refresh and reconnect."
    )


@router.websocket("/relay/{session_id}")
async def relay(websocket: WebSocket, session_id: str) -> None:
    """A session's viewer and agent meet here; see ``app.cloud.relay``."""
    ctx: CloudContext = websocket.app.state.context

    async def run(hello: Hello) -> None:
        if hello.role == "viewer":
            try:
                claims = ctx.keys.verify(hello.token, kind="session", now=ctx.clock.now())
            except InvalidToken as exc:
                raise LinkClosed(
                    CloseCode.UNAUTHORIZED, "ticket_refused", f"Session ticket refused: {exc}."
                ) from None
            if claims.get("sid") != session_id:
                raise LinkClosed(
                    CloseCode.UNAUTHORIZED, "ticket_refused", "This ticket is for another session."
                )
            computer_id = str(claims.get("cid"))
        else:
            async with ctx.sessions() as session:
                computer = await computer_for_agent_token(session, hello.token)
            if computer is None:
                raise LinkClosed(
                    CloseCode.UNAUTHORIZED,
                    "invalid_agent_token",
                    "This agent's credential is not valid.",
                )
            computer_id = computer.id
        try:
            await ctx.relay.join(session_id, hello.role, computer_id, websocket)
        except RelayRefused as exc:
            raise LinkClosed(exc.code, exc.code_name, exc.message) from None

    await _serve(websocket, ctx, ("viewer", "agent"), run)
