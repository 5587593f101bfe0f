"""Accounts and authentication against the real server, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from app.cloud.clock import OffsetClock
from tests.support.api import PASSWORD, Api


async def test_sign_up_sign_in_and_me(api: Api) -> None:
    created = await api.http.post(
        "/api/v1/accounts", json={"email": "Ada@Example.com", "password": PASSWORD}
    )
    assert created.status_code == 201
    assert created.json()["email"] == "ada@example.com"

    token = await api.http.post(
        "/api/v1/auth/token", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0

    me = await api.http.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json() == {
        "id": created.json()["id"],
        "email": "ada@example.com",
        "email_verified": False,
        "two_factor": False,
    }


async def test_duplicate_email_is_refused(api: Api) -> None:
    user = await api.sign_up()
    again = await api.http.post(
        "/api/v1/accounts", json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["error"] == "email_taken"


async def test_wrong_password_and_unknown_email_look_the_same(api: Api) -> None:
    user = await api.sign_up()
    wrong = await api.http.post(
        "/api/v1/auth/token", json={"email": user.email, "password": "not the password"}
    )
    unknown = await api.http.post(
        "/api/v1/auth/token", json={"email": "nobody@example.com", "password": "whatever1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "invalid_credentials"


async def test_failed_sign_ins_are_throttled_per_account(api: Api) -> None:
    user = await api.sign_up()
    statuses = []
    for _ in range(6):
        response = await api.http.post(
            "/api/v1/auth/token", json={"email": user.email, "password": "wrong password"}
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 6
    # Now even the right password waits: that is what makes guessing slow.
    blocked = await api.http.post(
        "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "Try again in" in blocked.json()["message"]
    # The same throttle for an email nobody owns: the 429 tells nothing about existence.
    for _ in range(6):
        await api.http.post(
            "/api/v1/auth/token", json={"email": "ghost@example.com", "password": "wrong password"}
        )
    ghost = await api.http.post(
        "/api/v1/auth/token", json={"email": "ghost@example.com", "password": PASSWORD}
    )
    assert ghost.status_code == 429
    assert ghost.json()["error"] == blocked.json()["error"]


async def test_throttle_lifts_after_the_wait(api: Api, clock: OffsetClock) -> None:
    user = await api.sign_up()
    for _ in range(6):
        await api.http.post(
            "/api/v1/auth/token", json={"email": user.email, "password": "wrong password"}
        )
    blocked = await api.http.post(
        "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    clock.advance(timedelta(seconds=int(blocked.headers["Retry-After"]) + 1))
    assert (
        await api.http.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    ).status_code == 200


async def test_failed_sign_ins_are_throttled_per_address(api: Api) -> None:
    # Spraying one password over many accounts from one address is slowed down too.
    for attempt in range(21):
        response = await api.http.post(
            "/api/v1/auth/token",
            json={"email": f"victim{attempt}@example.com", "password": "Summer2026!"},
        )
        assert response.status_code == 401
    response = await api.http.post(
        "/api/v1/auth/token", json={"email": "victim99@example.com", "password": "Summer2026!"}
    )
    assert response.status_code == 429
    assert "Retry-After" in response.headers


async def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    user = await api.sign_up()
    first = await api.http.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != user.refresh_token

    # The old refresh token comes back (stolen): the whole sign-in ends.
    reused = await api.http.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert reused.status_code == 401
    assert reused.json()["error"] == "refresh_token_reused"

    newest = await api.http.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert newest.status_code == 401
    me = await api.http.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}
    )
    assert me.status_code == 401
    assert me.json()["error"] == "session_ended"

    # Other sign-ins of the same account are untouched.
    other = await api.sign_in(user.email)
    assert (await api.http.get("/api/v1/me", headers=other.headers)).status_code == 200


async def test_sign_out_ends_access_and_refresh(api: Api) -> None:
    user = await api.sign_up()
    out = await api.http.post(
        "/api/v1/auth/logout", headers=user.headers, json={"refresh_token": user.refresh_token}
    )
    assert out.status_code == 204
    assert (await api.http.get("/api/v1/me", headers=user.headers)).status_code == 401
    again = await api.http.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert again.status_code == 401


async def test_expired_access_token_is_refused(api: Api, clock: OffsetClock) -> None:
    user = await api.sign_up()
    clock.advance(timedelta(minutes=16))
    response = await api.http.get("/api/v1/me", headers=user.headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "expired" in response.json()["message"]
    # The refresh token still works, and yields a usable access token.
    refreshed = await api.http.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
    )
    assert refreshed.status_code == 200
    me = await api.http.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    )
    assert me.status_code == 200
