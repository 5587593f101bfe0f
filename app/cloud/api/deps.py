"""Dependencies injected into route handlers."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.cloud.context import CloudContext
from app.cloud.domain.accounts.service import Principal, principal_from_access_token
from app.cloud.errors import Forbidden, Unauthorized
from app.cloud.security import web

_bearer = HTTPBearer(auto_error=False)


# Dependencies are async even when they do not await: FastAPI runs plain functions in a
# thread pool, a thread hop per request for nothing.
async def get_context(request: Request) -> CloudContext:
    context: CloudContext = request.app.state.context
    return context


Context = Annotated[CloudContext, Depends(get_context)]


async def get_session(ctx: Context) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]


async def get_principal(
    request: Request,
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Apps send a bearer access token; the portal's browser sends its session cookie,
    and then every state-changing call must also prove it comes from the portal."""
    if credentials is not None:
        return await principal_from_access_token(ctx, credentials.credentials)
    cookie = request.cookies.get(web.SESSION_COOKIE)
    if cookie is None:
        raise Unauthorized("Sign in first: this call needs a bearer access token.")
    principal = await principal_from_access_token(ctx, cookie, kind="web")
    if request.method not in web.SAFE_METHODS:
        web.check_same_origin(request, ctx.settings.public_url)
        web.check_csrf(
            ctx.keys, principal.sign_in_id, request.headers.get(web.CSRF_HEADER), ctx.clock.now()
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


OPERATOR_HEADER = "X-Porthole-Operator"


async def require_operator(request: Request, ctx: Context) -> None:
    """Operator calls (bundles, money received, clock, renewals) need the deployment's
    operator token: a customer's sign-in, however valid, is never enough."""
    configured = ctx.settings.operator_token
    given = request.headers.get(OPERATOR_HEADER)
    if configured is None:
        raise Forbidden(
            "Operator calls are off on this cloud: set PORTHOLE_OPERATOR_TOKEN, or use "
            "the porthole cloud commands on the server.",
            code="operator_only",
        )
    if given is None or not hmac.compare_digest(
        given.encode(), configured.get_secret_value().encode()
    ):
        raise Forbidden(
            f"This is an operator call: it needs the {OPERATOR_HEADER} header.",
            code="operator_only",
        )
