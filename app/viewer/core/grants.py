"""Asking the cloud for a session ticket (``POST /api/v1/sessions``), with its refusals
sorted into those worth retrying (the computer is offline or restarting) and those that
are not (no such computer, no subscription)."""

from __future__ import annotations

import platform
from collections.abc import Mapping

import httpx

from app.protocol.secure import StaticKey
from app.viewer.core.i18n import tr
from app.viewer.core.session import Renew, SessionEnded, SessionFailed, SessionGrant

#: 402 payment required, 403 forbidden, 404 no such computer: waiting will not help.
FINAL_REFUSALS = frozenset({401, 402, 403, 404})


async def request_session(
    http: httpx.AsyncClient,
    headers: Mapping[str, str],
    computer_id: str,
    viewer_key: StaticKey,
) -> SessionGrant:
    try:
        response = await http.post(
            "/api/v1/sessions",
            headers=dict(headers),
            json=session_request(computer_id, viewer_key),
        )
    except httpx.HTTPError as exc:
        raise SessionFailed(
            tr("The cloud could not be reached: {reason}").format(reason=exc)
        ) from None
    return grant_from_response(response, viewer_key)


def session_request(computer_id: str, viewer_key: StaticKey) -> dict[str, str]:
    """The body of ``POST /api/v1/sessions``: the ticket will name this viewer's key, and
    the person at the computer will see this device's name."""
    return {
        "computer_id": computer_id,
        "viewer_public_key": viewer_key.public_text,
        "device_name": device_name(),
    }


def device_name() -> str:
    """This device as its owner named it (the host name), for the host's prompt."""
    return (platform.node() or "a viewer")[:100]


def grant_from_response(response: httpx.Response, viewer_key: StaticKey) -> SessionGrant:
    """The grant in a ``POST /api/v1/sessions`` answer, or the refusal as SessionEnded
    (final) or SessionFailed (worth retrying)."""
    if response.status_code == 201:
        body = response.json()
        return SessionGrant(
            body["session_id"],
            body["ticket"],
            body["agent_public_key"],
            viewer_key,
            tuple(body["direct_urls"]),
            relay_url=body.get("relay_url"),
        )
    try:
        message = str(response.json()["message"])
    except (ValueError, KeyError, TypeError):
        message = tr("The cloud answered {status}.").format(status=response.status_code)
    if response.status_code in FINAL_REFUSALS:
        raise SessionEnded(message)
    raise SessionFailed(message)


def renewer(
    http: httpx.AsyncClient, headers: Mapping[str, str], computer_id: str, viewer_key: StaticKey
) -> Renew:
    """What ``ViewerSession(renew=...)`` calls for a fresh ticket after a drop."""

    async def renew() -> SessionGrant:
        return await request_session(http, headers, computer_id, viewer_key)

    return renew
