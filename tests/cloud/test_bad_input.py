"""Bad input gets a clear 4xx with {error, message}, and the server stays up."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import pytest

from tests.support.api import Api


async def _still_up(api: Api) -> None:
    assert (await api.http.get("/api/v1/openapi.json")).status_code == 200


async def test_malformed_json(api: Api) -> None:
    response = await api.http.post(
        "/api/v1/auth/token",
        content=b'{"email": "a@b.c", "password":',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    await _still_up(api)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@example.com", "password": 12345678},
        {"email": ["a@example.com"], "password": "x" * 10},
        {"email": "not-an-email", "password": "long enough"},
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com"},
        [],
    ],
)
async def test_wrong_types_and_missing_fields(api: Api, body: object) -> None:
    response = await api.http.post("/api/v1/accounts", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"
    assert response.json()["message"].startswith("Invalid request")
    await _still_up(api)


async def test_oversized_body(api: Api) -> None:
    huge = {"email": "a@example.com", "password": "x" * 200_000}
    response = await api.http.post("/api/v1/accounts", json=huge)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the limit must hold on the streamed body too.
        for _ in range(100):
            yield b"x" * 4096

    streamed = await api.http.post("/api/v1/accounts", content=chunks())
    assert streamed.status_code == 413
    await _still_up(api)


async def test_forged_and_garbage_tokens(api: Api) -> None:
    user = await api.sign_up()
    header, payload, signature = user.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for token in (f"{header}.{forged_payload}.{signature}", "garbage", "a.b.c", "x" * 5000):
        response = await api.http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["error"] in {"invalid_token", "unauthorized"}
    await _still_up(api)


async def test_unknown_route_and_method(api: Api) -> None:
    missing = await api.http.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong_method = await api.http.put("/api/v1/me")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


async def test_openapi_schema_is_served(api: Api) -> None:
    schema = (await api.http.get("/api/v1/openapi.json")).json()
    for path in ("/api/v1/accounts", "/api/v1/auth/token", "/api/v1/computers", "/api/v1/agents"):
        assert path in schema["paths"]
