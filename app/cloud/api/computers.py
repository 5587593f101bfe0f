"""Routes: enrolment codes, agent enrolment, the computers list, waking a computer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.api.deps import Context, CurrentPrincipal, Session, client_address
from app.cloud.api.schemas import (
    AgentEnroll,
    AgentEnrolled,
    ComputerOut,
    ComputerPatch,
    ComputerRef,
    EnrollmentCodeOut,
    TicketKeyOut,
    WakeOut,
    WakeStarted,
)
from app.cloud.context import CloudContext
from app.cloud.db.models import Computer
from app.cloud.domain.accounts import throttle
from app.cloud.domain.accounts.service import authenticate
from app.cloud.domain.computers import service, wake

router = APIRouter(tags=["computers"])
Address = Annotated[str, Depends(client_address)]


@router.post(
    "/enrollment-codes", status_code=status.HTTP_201_CREATED, response_model=EnrollmentCodeOut
)
async def create_enrollment_code(
    principal: CurrentPrincipal, ctx: Context, session: Session
) -> EnrollmentCodeOut:
    async with throttle.guarded(
        ctx.sessions,
        f"enrolcode:{principal.account.id}",
        throttle.allowing(ctx.settings.enrollment_codes_per_hour, 3600, 60),
        ctx.clock.now(),
        what="enrolment codes",
        refund=False,
    ):
        issued = await service.create_enrollment_code(ctx, session, principal.account.id)
    return EnrollmentCodeOut(code=issued.code, expires_at=issued.expires_at)


@router.post("/agents", status_code=status.HTTP_201_CREATED, response_model=AgentEnrolled)
async def enroll_agent(
    body: AgentEnroll, ctx: Context, session: Session, address: Address
) -> AgentEnrolled:
    if body.enrollment_code is not None:
        settings = ctx.settings
        # The code is short (people type it on the computer): wrong ones are throttled.
        async with throttle.guarded(
            ctx.sessions,
            f"enrol:{address}"[:100],
            throttle.policy(settings.code_free_failures, settings.throttle_window_s, 30),
            ctx.clock.now(),
            what="wrong enrolment codes",
            refund=True,
            refund_in=session,
        ):
            account_id = await service.redeem_enrollment_code(ctx, session, body.enrollment_code)
    else:
        assert body.email is not None and body.password is not None
        account = await authenticate(ctx, session, body.email, body.password, address, body.otp)
        account_id = account.id
    enrolment = await service.enroll(
        ctx,
        session,
        account_id,
        name=body.name,
        os=body.os,
        screens=[screen.model_dump() for screen in body.screens],
        session_public_key=body.session_public_key,
    )
    signing = ctx.keys.signing_key("ticket", ctx.clock.now())
    return AgentEnrolled(
        computer_id=enrolment.computer.id,
        agent_token=enrolment.agent_token,
        cloud_public_key=signing.public_key_text,
        cloud_key_id=signing.kid,
        ticket_keys=ticket_keys(ctx),
    )


@router.get("/ticket-keys", response_model=list[TicketKeyOut])
async def list_ticket_keys(ctx: Context) -> list[TicketKeyOut]:
    """Public: the keys session tickets are signed with now or soon (agents are also told
    over their control link)."""
    return ticket_keys(ctx)


def ticket_keys(ctx: CloudContext) -> list[TicketKeyOut]:
    return [
        TicketKeyOut(kid=kid, public_key=key) for kid, key in ctx.keys.ticket_keys(ctx.clock.now())
    ]


@router.get("/computers", response_model=list[ComputerOut])
async def list_computers(principal: CurrentPrincipal, session: Session) -> list[ComputerOut]:
    computers = await service.list_computers(session, principal.account.id)
    states = wake.availability(computers)
    return [_out(computer, states[computer.id]) for computer in computers]


@router.get("/computers/{computer_id}", response_model=ComputerOut)
async def get_computer(
    computer_id: str, principal: CurrentPrincipal, session: Session
) -> ComputerOut:
    computer = await service.get_owned(session, principal.account.id, computer_id)
    return await _with_wake(session, computer)


@router.patch("/computers/{computer_id}", response_model=ComputerOut)
async def rename_computer(
    computer_id: str,
    body: ComputerPatch,
    principal: CurrentPrincipal,
    ctx: Context,
    session: Session,
) -> ComputerOut:
    computer = await service.rename(ctx, session, principal.account.id, computer_id, body.name)
    return await _with_wake(session, computer)


@router.delete("/computers/{computer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_computer(
    computer_id: str, principal: CurrentPrincipal, ctx: Context, session: Session
) -> Response:
    await service.remove(ctx, session, principal.account.id, computer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/computers/{computer_id}/wake",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WakeStarted,
)
async def wake_computer(computer_id: str, principal: CurrentPrincipal, ctx: Context) -> WakeStarted:
    """Wake-on-LAN: an online computer of the account on the same network is asked to
    broadcast the magic packet. 409 when it is online or none can; the computer coming
    online is its presence, live."""
    route = await wake.wake(ctx, principal.account.id, computer_id)
    return WakeStarted(
        computer_id=computer_id, via=ComputerRef(id=route.relay.id, name=route.relay.name)
    )


async def _with_wake(session: AsyncSession, computer: Computer) -> ComputerOut:
    computers = await service.list_computers(session, computer.account_id)
    return _out(computer, wake.availability(computers).get(computer.id, wake.Wakeable(False)))


def _out(computer: Computer, state: wake.Wakeable) -> ComputerOut:
    return ComputerOut(
        id=computer.id,
        name=computer.name,
        os=computer.os,
        online=computer.online,
        last_seen=computer.last_seen,
        screens=computer.screens,
        session_public_key=computer.session_public_key,
        wake=WakeOut(available=state.available, reason=state.reason, via=state.via),
    )
