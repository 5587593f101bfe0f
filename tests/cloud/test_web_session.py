"""The portal's session: an HttpOnly cookie, a CSRF proof on every state change, and an
origin check, against the real server on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from app.cloud.clock import OffsetClock
from app.cloud.settings import Settings
from app.protocol import Welcome
from tests.support.api import PASSWORD, Api, EventStream, User
from tests.support.server import CloudThread

ORIGIN = {"Origin": "http://evil.example"}


async def web_sign_in(api: Api, email: str) -> str:
    """Signs the client's cookie jar in; returns the CSRF proof."""
    response = await api.http.post(
        "/api/v1/web/session", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


async def test_sign_in_sets_a_locked_down_cookie_and_the_api_accepts_it(api: Api) -> None:
    user = await api.sign_up()
    response = await api.http.post(
        "/api/v1/web/session", json={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["account"]["email"] == user.email and body["csrf_token"]
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/api/v1/" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback: a Secure cookie would be dropped
    # No token in the body: the page never holds a credential that outlives it.
    assert "access_token" not in body and "refresh_token" not in body

    computers = await api.http.get("/api/v1/computers")
    assert computers.status_code == 200 and computers.json() == []
    again = await api.http.get("/api/v1/web/session")
    assert again.json() == body


async def test_state_changes_need_the_csrf_proof(api: Api) -> None:
    user = await api.sign_up()
    csrf = await web_sign_in(api, user.email)
    missing = await api.http.post("/api/v1/enrollment-codes")
    assert missing.status_code == 403 and missing.json()["error"] == "csrf_failed"
    forged = await api.http.post("/api/v1/enrollment-codes", headers={"X-CSRF-Token": "x" * 43})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf_failed"
    cross_site = await api.http.post(
        "/api/v1/enrollment-codes", headers={"X-CSRF-Token": csrf, **ORIGIN}
    )
    assert cross_site.status_code == 403 and cross_site.json()["error"] == "cross_origin_refused"

    ok = await api.http.post("/api/v1/enrollment-codes", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    # Reading needs no proof; bearer clients (the apps) never need one.
    assert (await api.http.get("/api/v1/subscription")).status_code == 200
    async with httpx.AsyncClient(base_url=api.url) as app_client:
        bearer = await app_client.post("/api/v1/enrollment-codes", headers=user.headers)
    assert bearer.status_code == 201


async def test_another_accounts_proof_does_not_work(api: Api) -> None:
    first, second = await api.sign_up(), await api.sign_up()
    async with Api(api.url) as other:
        other_csrf = await web_sign_in(other, second.email)
    await web_sign_in(api, first.email)
    refused = await api.http.post("/api/v1/enrollment-codes", headers={"X-CSRF-Token": other_csrf})
    assert refused.status_code == 403


async def test_sign_in_from_another_site_is_refused(api: Api) -> None:
    user = await api.sign_up()
    response = await api.http.post(
        "/api/v1/web/session", json={"email": user.email, "password": PASSWORD}, headers=ORIGIN
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers


async def test_wrong_password_and_throttling_match_the_api(api: Api) -> None:
    user = await api.sign_up()
    statuses = []
    for _ in range(6):
        response = await api.http.post(
            "/api/v1/web/session", json={"email": user.email, "password": "wrong password"}
        )
        statuses.append(response.status_code)
        assert response.json()["error"] == "invalid_credentials"
    assert statuses == [401] * 6
    blocked = await api.http.post(
        "/api/v1/web/session", json={"email": user.email, "password": PASSWORD}
    )
    assert blocked.status_code == 429 and blocked.json()["error"] == "too_many_attempts"
    assert int(blocked.headers["Retry-After"]) > 0


async def test_sign_out_ends_the_cookie_everywhere(api: Api) -> None:
    user = await api.sign_up()
    csrf = await web_sign_in(api, user.email)
    stolen = dict(api.http.cookies)
    out = await api.http.delete("/api/v1/web/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert "porthole_session=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers[
        "set-cookie"
    ].replace("max-age", "Max-Age")
    assert (await api.http.get("/api/v1/web/session")).json() == {
        "account": None,
        "csrf_token": None,
    }
    # A copy of the cookie taken before signing out is dead too.
    async with httpx.AsyncClient(base_url=api.url, cookies=stolen) as thief:
        refused = await thief.get("/api/v1/computers")
    assert refused.status_code == 401 and refused.json()["error"] == "session_ended"


async def test_the_event_stream_takes_a_short_lived_token_from_the_cookie(api: Api) -> None:
    user = await api.sign_up()
    csrf = await web_sign_in(api, user.email)
    token = await api.http.post("/api/v1/web/access-token", headers={"X-CSRF-Token": csrf})
    assert token.status_code == 200
    assert 0 < token.json()["expires_in"] <= 15 * 60
    holder = User(user.email, PASSWORD, token.json()["access_token"], "")
    async with EventStream(api, holder) as stream:
        assert isinstance(stream.welcome, Welcome)
        await api.enroll(user, "Studio")
        added = await stream.wait_for(10, type="computer.added")
        assert getattr(added, "name", None) == "Studio"


async def test_no_session_is_an_answer_not_an_error(api: Api) -> None:
    response = await api.http.get("/api/v1/web/session")
    assert response.status_code == 200
    assert response.json() == {"account": None, "csrf_token": None}
    api.http.cookies.set("porthole_session", "garbage", path="/api/v1/")
    assert (await api.http.get("/api/v1/web/session")).json()["account"] is None
    assert (await api.http.get("/api/v1/computers")).status_code == 401


async def test_the_cookie_is_secure_behind_https(settings: Settings, clock: OffsetClock) -> None:
    behind_tls = settings.model_copy(update={"public_url": "https://portal.example"})
    server = CloudThread(behind_tls, clock).start()
    try:
        async with Api(server.url) as api:
            user = await api.sign_up()
            response = await api.http.post(
                "/api/v1/web/session", json={"email": user.email, "password": PASSWORD}
            )
        assert "secure" in response.headers["set-cookie"].lower()
    finally:
        server.stop()
