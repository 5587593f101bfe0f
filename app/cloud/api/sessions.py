"""Route: open a remote session."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, StringConstraints

from app.cloud.api.deps import Context, CurrentPrincipal, client_address
from app.cloud.api.schemas import SessionKey, StrictBody
from app.cloud.db.models import SessionLogEntry
from app.cloud.domain.sessions import log as session_log
from app.cloud.domain.sessions.service import grant

router = APIRouter(tags=["sessions"])


class SessionCreate(StrictBody):
    computer_id: str
    #: This viewer install's X25519 key: the session is encrypted end to end to it.
    viewer_public_key: SessionKey
    #: What the person at the computer is shown: "Anna's iPad". Defaults to "a viewer".
    device_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class SessionOut(BaseModel):
    session_id: str
    ticket: str
    expires_at: datetime
    relay_url: str
    direct_urls: list[str]
    #: The computer's key, which the viewer's encrypted handshake is addressed to.
    agent_public_key: str


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut)
async def open_session(
    body: SessionCreate,
    principal: CurrentPrincipal,
    ctx: Context,
    request: Request,
    address: Annotated[str, Depends(client_address)],
) -> SessionOut:
    ctx.session_grants.check(principal.account.id, "sessions opened")
    granted = await grant(
        ctx,
        principal.account.id,
        body.computer_id,
        viewer_public_key=body.viewer_public_key,
        called_at=str(request.base_url),
        account_email=principal.account.email,
        device_name=body.device_name,
        viewer_address=address,
    )
    return SessionOut(
        session_id=granted.session_id,
        ticket=granted.ticket,
        expires_at=granted.expires_at,
        relay_url=granted.relay_url,
        direct_urls=granted.direct_urls,
        agent_public_key=granted.agent_public_key,
    )


class SessionLogOut(BaseModel):
    session_id: str
    computer_id: str
    computer_name: str
    device_name: str
    address: str
    granted_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    #: Seconds between start and end; None until both are known.
    duration_s: float | None
    #: "relay" or "direct", once started.
    path: str | None
    #: "granted" (never joined, or running), "running", "ended", "ended_by_host", "declined".
    outcome: str


@router.get("/sessions/history", response_model=list[SessionLogOut])
async def session_history(principal: CurrentPrincipal, ctx: Context) -> list[SessionLogOut]:
    """The account's latest sessions, newest first: who connected from where, when, how
    long, by which path, and how it ended."""
    return [_log_out(entry) for entry in await session_log.recent(ctx, principal.account.id)]


def _log_out(entry: SessionLogEntry) -> SessionLogOut:
    duration = None
    if entry.started_at is not None and entry.ended_at is not None:
        duration = round((entry.ended_at - entry.started_at).total_seconds(), 1)
    outcome = entry.outcome or ("running" if entry.started_at is not None else "granted")
    return SessionLogOut(
        session_id=entry.id,
        computer_id=entry.computer_id,
        computer_name=entry.computer_name,
        device_name=entry.device_name,
        address=entry.viewer_address,
        granted_at=entry.granted_at,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        duration_s=duration,
        path=entry.path,
        outcome=outcome,
    )
