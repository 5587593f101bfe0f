"""Enrol this computer in an account."""

from __future__ import annotations

import platform
from typing import Any

import httpx

from app.agent.screens import list_screens
from app.agent.state import AgentState, AgentStore
from app.tls import client_context


class EnrolmentFailed(Exception):
    """The cloud refused the enrolment or could not be reached; the message says why."""


def describe_os() -> str:
    return f"{platform.system()} {platform.release()}".strip() or "unknown"


async def enroll(
    store: AgentStore,
    cloud_url: str,
    name: str,
    *,
    code: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> AgentState:
    body: dict[str, Any] = {
        "name": name,
        "os": describe_os(),
        "screens": list_screens(),
        # Made here on first enrolment and kept: viewers encrypt sessions to it.
        "session_public_key": store.session_key().public_text,
    }
    if code is not None:
        body["enrollment_code"] = code
    else:
        body["email"], body["password"] = email, password
    cloud_url = cloud_url.rstrip("/")
    try:
        async with httpx.AsyncClient(
            base_url=cloud_url, timeout=30, verify=client_context()
        ) as client:
            response = await client.post("/api/v1/agents", json=body)
    except httpx.HTTPError as exc:
        raise EnrolmentFailed(f"Could not reach the cloud at {cloud_url}: {exc}") from None
    if response.status_code != 201:
        try:
            message = response.json()["message"]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code}"
        raise EnrolmentFailed(f"Enrolment refused: {message}")
    data = response.json()
    return store.save(
        AgentState(
            cloud_url=cloud_url,
            computer_id=data["computer_id"],
            name=name,
            cloud_public_key=data["cloud_public_key"],
            cloud_key_id=data.get("cloud_key_id", ""),
            token_store="",
        ),
        data["agent_token"],
    )
