"""Route: open a remote session."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, StringConstraints

from app.cloud.api.deps import Context, CurrentPrincipal, client_address
from app.cloud.api.schemas import SessionKey, StrictBody
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
