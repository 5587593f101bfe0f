"""Routes: the web portal's session (a cookie instead of tokens in the page).

The portal signs in here and then calls the same API as the apps; ``get_principal``
accepts its cookie and demands the CSRF proof this router hands out. The live event
stream's ``hello`` needs a token, so the portal asks for a short-lived access token,
kept in memory only, each time it opens the stream.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from app.cloud.api.deps import Context, CurrentPrincipal, Session, client_address
from app.cloud.api.schemas import AccountOut, TokenRequest, WebAccessToken, WebSession
from app.cloud.context import CloudContext
from app.cloud.domain.accounts import service
from app.cloud.errors import Unauthorized
from app.cloud.security import web

router = APIRouter(prefix="/web", tags=["portal"])
Address = Annotated[str, Depends(client_address)]


@router.post("/session", response_model=WebSession)
async def sign_in(
    body: TokenRequest,
    request: Request,
    response: Response,
    ctx: Context,
    session: Session,
    address: Address,
) -> WebSession:
    # No session yet, so no CSRF proof: the origin check stops another site from signing
    # a visitor in to an account of its choosing.
    web.check_same_origin(request, ctx.settings.public_url)
    account = await service.authenticate(ctx, session, body.email, body.password, address, body.otp)
    principal = await service.start_web_sign_in(
        ctx, session, account, device_name=body.device_name or _browser(request), address=address
    )
    response.set_cookie(
        web.SESSION_COOKIE,
        service.web_session_token(ctx, principal),
        max_age=ctx.settings.web_session_ttl_s,
        **_cookie_attributes(request, ctx),
    )
    return _described(ctx, principal)


@router.get("/session", response_model=WebSession)
async def current(request: Request, ctx: Context) -> WebSession:
    """Who is signed in, if anyone: the portal asks on every page load. Nobody is an
    answer, not an error, so a signed-out visit logs no failed request."""
    cookie = request.cookies.get(web.SESSION_COOKIE)
    if cookie is None:
        return WebSession(account=None, csrf_token=None)
    try:
        principal = await service.principal_from_access_token(ctx, cookie, kind="web")
    except Unauthorized:
        return WebSession(account=None, csrf_token=None)
    return _described(ctx, principal)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    principal: CurrentPrincipal, request: Request, ctx: Context, session: Session
) -> Response:
    await service.sign_out(ctx, session, principal, refresh_token=None)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(web.SESSION_COOKIE, **_cookie_attributes(request, ctx))
    return response


@router.post("/access-token", response_model=WebAccessToken)
async def access_token(principal: CurrentPrincipal, ctx: Context) -> WebAccessToken:
    return WebAccessToken(
        access_token=service.access_token_for(ctx, principal),
        expires_in=ctx.settings.access_token_ttl_s,
    )


def _cookie_attributes(request: Request, ctx: CloudContext) -> dict[str, Any]:
    # The same when setting and deleting: deleting is setting it again, expired, and the
    # browser only replaces a cookie of the same name and path.
    return {
        "path": web.COOKIE_PATH,
        "httponly": True,
        "secure": web.is_https(request, ctx.settings.public_url),
        "samesite": "strict",
    }


def _described(ctx: CloudContext, principal: service.Principal) -> WebSession:
    return WebSession(
        account=AccountOut(id=principal.account.id, email=principal.account.email),
        csrf_token=web.csrf_proof(ctx.keys, principal.sign_in_id, ctx.clock.now()),
    )


def _browser(request: Request) -> str:
    """A name for the signed-in devices list: the browser, as it introduces itself."""
    agent = request.headers.get("user-agent", "")
    for name in ("Edg", "Firefox", "Chrome", "Safari"):
        if name in agent:
            return f"Web portal ({'Edge' if name == 'Edg' else name})"
    return "Web portal"
