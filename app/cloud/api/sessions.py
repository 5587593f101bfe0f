"""Route: open a remote session."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from app.cloud.api.deps import Context, CurrentPrincipal
from app.cloud.api.schemas import StrictBody
from app.cloud.domain.sessions.service import grant

router = APIRouter(tags=["sessions"])


class SessionCreate(StrictBody):
    computer_id: str


class SessionOut(BaseModel):
    session_id: str
    ticket: str
    expires_at: datetime
    relay_url: str
    direct_urls: list[str]


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut)
async def open_session(
    body: SessionCreate, principal: CurrentPrincipal, ctx: Context, request: Request
) -> SessionOut:
    granted = await grant(
        ctx, principal.account.id, body.computer_id, called_at=str(request.base_url)
    )
    return SessionOut(
        session_id=granted.session_id,
        ticket=granted.ticket,
        expires_at=granted.expires_at,
        relay_url=granted.relay_url,
        direct_urls=granted.direct_urls,
    )
