"""A thin test client for the cloud's HTTP API and event stream."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from app.protocol import PROTOCOL_VERSION, Hello, Message, Welcome, decode_message, encode_message
from app.protocol.secure import StaticKey
from app.protocol.urls import websocket_url
from app.tls import client_context, websocket_tls
from tests.support.server import OPERATOR_HEADERS

PASSWORD = "correct horse battery"


@dataclass
class User:
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class Api:
    def __init__(self, url: str) -> None:
        self.url = url
        # The operator header only matters to /sandbox/v1, which tests drive as the operator.
        self.http = httpx.AsyncClient(
            base_url=url, timeout=30, headers=OPERATOR_HEADERS, verify=client_context()
        )

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def sign_up(self, email: str | None = None, password: str = PASSWORD) -> User:
        email = email or f"{uuid.uuid4().hex[:10]}@example.com"
        created = await self.http.post(
            "/api/v1/accounts", json={"email": email, "password": password}
        )
        assert created.status_code == 201, created.text
        return await self.sign_in(email, password)

    async def sign_in(self, email: str, password: str = PASSWORD) -> User:
        response = await self.http.post(
            "/api/v1/auth/token", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return User(email, password, body["access_token"], body["refresh_token"])

    async def enroll(self, user: User, name: str = "Office PC") -> dict[str, Any]:
        """The cloud's answer, and ``session_key``: the agent's new end-to-end key."""
        code = await self.http.post("/api/v1/enrollment-codes", headers=user.headers)
        assert code.status_code == 201, code.text
        key = StaticKey.generate()
        enrolled = await self.http.post(
            "/api/v1/agents",
            json={
                "enrollment_code": code.json()["code"],
                "name": name,
                "os": "Linux 6.1",
                "session_public_key": key.public_text,
            },
        )
        assert enrolled.status_code == 201, enrolled.text
        return {**enrolled.json(), "session_key": key}

    async def computers(self, user: User) -> list[dict[str, Any]]:
        response = await self.http.get("/api/v1/computers", headers=user.headers)
        assert response.status_code == 200, response.text
        return list(response.json())

    def ws_url(self, path: str) -> str:
        return websocket_url(self.url, path)


class EventStream:
    """A viewer's ``/api/v1/events`` connection, signed in with an access token."""

    def __init__(self, api: Api, user: User) -> None:
        self._url = api.ws_url("/api/v1/events")
        self._token = user.access_token
        self.ws: ClientConnection | None = None
        self.welcome: Welcome | None = None

    async def __aenter__(self) -> EventStream:
        self.ws = await connect(self._url, open_timeout=10, **websocket_tls(self._url))
        await self.ws.send(
            encode_message(Hello(version=PROTOCOL_VERSION, role="viewer", token=self._token))
        )
        first = await self.next(timeout_s=10)
        assert isinstance(first, Welcome), first
        self.welcome = first
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.ws is not None
        await self.ws.close()

    async def next(self, timeout_s: float) -> Message:
        assert self.ws is not None
        async with asyncio.timeout(timeout_s):
            return decode_message(await self.ws.recv())

    async def wait_for(self, timeout_s: float, **fields: Any) -> Message:
        """The first event whose attributes match ``fields`` (and ``type=``), within the time."""
        async with asyncio.timeout(timeout_s):
            while True:
                event = await self.next(timeout_s)
                wanted_type = fields.get("type")
                if wanted_type is not None and wanted_type != event.TYPE:
                    continue
                if all(
                    getattr(event, key, None) == value
                    for key, value in fields.items()
                    if key != "type"
                ):
                    return event
