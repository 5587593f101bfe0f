"""Account security through the real API (SQLite and PostgreSQL): change password, sign out
everywhere, signed-in devices, reset and verification by mailed single-use links (read
from the file mailer), TOTP two-factor with recovery codes, and deleting the account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from app.cloud.clock import OffsetClock
from tests.conftest import fast_settings
from tests.support.api import PASSWORD, Api, User
from tests.support.mail import link_in, mails_to
from tests.support.server import CloudThread

NEW_PASSWORD = "a new and longer password"


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
async def api(database_url: str, clock: OffsetClock, mail_dir: Path) -> AsyncIterator[Api]:
    cloud = CloudThread(fast_settings(database_url, mail_dir=mail_dir), clock).start()
    try:
        async with Api(cloud.url) as client:
            yield client
    finally:
        cloud.stop()


async def refreshes(api: Api, user: User) -> int:
    answer = await api.http.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    if answer.status_code == 200:
        user.refresh_token = answer.json()["refresh_token"]
    return answer.status_code


async def sign_in(api: Api, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return await api.http.post(
        "/api/v1/auth/token", json={"email": email, "password": password, **extra}
    )


async def test_changing_the_password_ends_every_other_sign_in(api: Api) -> None:
    laptop = await api.sign_up()
    tablet = await api.sign_in(laptop.email)
    wrong = await api.http.post(
        "/api/v1/me/password",
        headers=laptop.headers,
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 401
    changed = await api.http.post(
        "/api/v1/me/password",
        headers=laptop.headers,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 200 and changed.json() == {"signed_out": 1}
    assert await refreshes(api, tablet) == 401  # the other device is out
    assert await refreshes(api, laptop) == 200  # this one stays
    assert (await sign_in(api, laptop.email)).status_code == 401
    assert (await sign_in(api, laptop.email, NEW_PASSWORD)).status_code == 200


async def test_devices_listed_revoked_and_everywhere_signed_out(api: Api) -> None:
    user = await api.sign_up()
    ipad = await sign_in(api, user.email, device_name="Anna's iPad")
    assert ipad.status_code == 200
    devices = (await api.http.get("/api/v1/me/sign-ins", headers=user.headers)).json()
    assert {d["device_name"] for d in devices} == {None, "Anna's iPad"}
    assert [d["current"] for d in devices if d["device_name"] is None] == [True]
    assert all(d["address"] == "127.0.0.1" for d in devices)
    [other] = [d for d in devices if d["device_name"] == "Anna's iPad"]
    revoked = await api.http.delete(f"/api/v1/me/sign-ins/{other['id']}", headers=user.headers)
    assert revoked.status_code == 204
    ipad_user = User(
        user.email, PASSWORD, ipad.json()["access_token"], ipad.json()["refresh_token"]
    )
    assert await refreshes(api, ipad_user) == 401
    stranger = await api.sign_up()
    foreign = await api.http.delete(
        f"/api/v1/me/sign-ins/{devices[0]['id']}", headers=stranger.headers
    )
    assert foreign.status_code == 404
    third = await api.sign_in(user.email)
    everywhere = await api.http.post("/api/v1/auth/logout-everywhere", headers=user.headers)
    assert everywhere.json() == {"signed_out": 2}
    assert await refreshes(api, third) == 401
    assert (await api.http.get("/api/v1/me", headers=user.headers)).status_code == 401


async def test_password_reset_by_a_single_use_mailed_link(
    api: Api, mail_dir: Path, clock: OffsetClock
) -> None:
    user = await api.sign_up()
    nobody = await api.http.post("/api/v1/auth/password-reset", json={"email": "no@one.example"})
    asked = await api.http.post("/api/v1/auth/password-reset", json={"email": user.email.upper()})
    assert nobody.status_code == asked.status_code == 202
    assert nobody.json() == asked.json()  # nothing tells whether the account exists
    assert mails_to(mail_dir, "no@one.example") == []
    [mail] = [m for m in mails_to(mail_dir, user.email) if "Reset" in m["Subject"]]
    token = link_in(mail, "reset")
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    assert (
        await api.http.post("/api/v1/auth/password-reset/confirm", json=confirm)
    ).status_code == 204
    again = await api.http.post("/api/v1/auth/password-reset/confirm", json=confirm)
    assert again.status_code == 400 and again.json()["error"] == "invalid_link"
    assert await refreshes(api, user) == 401  # everyone who knew the old password is out
    assert (await sign_in(api, user.email, NEW_PASSWORD)).status_code == 200
    me = await api.sign_in(user.email, NEW_PASSWORD)
    assert (await api.http.get("/api/v1/me", headers=me.headers)).json()["email_verified"]
    # A link past its hour is refused.
    await api.http.post("/api/v1/auth/password-reset", json={"email": user.email})
    late = link_in(mails_to(mail_dir, user.email)[-1], "reset")
    clock.advance(timedelta(hours=1, seconds=1))
    expired = await api.http.post(
        "/api/v1/auth/password-reset/confirm", json={"token": late, "new_password": NEW_PASSWORD}
    )
    assert expired.status_code == 400
    # Asking over and over for one address is throttled (whoever asks): three an hour.
    statuses = [
        (await api.http.post("/api/v1/auth/password-reset", json={"email": user.email})).status_code
        for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429], statuses


async def test_the_email_is_verified_by_the_link_mailed_at_sign_up(
    api: Api, mail_dir: Path
) -> None:
    user = await api.sign_up()
    assert not (await api.http.get("/api/v1/me", headers=user.headers)).json()["email_verified"]
    [mail] = mails_to(mail_dir, user.email)
    verified = await api.http.post(
        "/api/v1/auth/verify-email", json={"token": link_in(mail, "verify")}
    )
    assert verified.status_code == 204
    assert (await api.http.get("/api/v1/me", headers=user.headers)).json()["email_verified"]


async def test_two_factor_with_codes_good_once_and_recovery_codes(
    api: Api, clock: OffsetClock
) -> None:
    user = await api.sign_up()
    setup = (await api.http.post("/api/v1/me/two-factor", headers=user.headers)).json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/Porthole:")
    assert setup["qr_svg"].startswith("data:image/svg+xml")
    png = await api.http.get("/api/v1/me/two-factor/qr.png", headers=user.headers)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    totp = pyotp.TOTP(setup["secret"])

    def code() -> str:
        return totp.at(clock.now())

    bad = await api.http.post(
        "/api/v1/me/two-factor/confirm", headers=user.headers, json={"code": "000000"}
    )
    assert bad.status_code == 400
    confirmed = await api.http.post(
        "/api/v1/me/two-factor/confirm", headers=user.headers, json={"code": code()}
    )
    recovery = confirmed.json()["recovery_codes"]
    assert confirmed.status_code == 200 and len(set(recovery)) == 10
    # Signing in now takes the code.
    missing = await sign_in(api, user.email)
    assert missing.status_code == 401 and missing.json()["error"] == "otp_required"
    wrong = await sign_in(api, user.email, otp="123456")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_otp"
    clock.advance(timedelta(seconds=30))  # the confirming code's step is spent
    fresh = code()
    assert (await sign_in(api, user.email, otp=fresh)).status_code == 200
    replayed = await sign_in(api, user.email, otp=fresh)
    assert replayed.status_code == 401, "a code is good once"
    assert (await sign_in(api, user.email, otp=recovery[0].upper())).status_code == 200
    assert (await sign_in(api, user.email, otp=recovery[0])).status_code == 401
    # The portal's sign-in and enrolling by password ask for it too.
    web = await api.http.post(
        "/api/v1/web/session",
        json={"email": user.email, "password": PASSWORD},
        headers={"Origin": api.url},
    )
    assert web.status_code == 401 and web.json()["error"] == "otp_required"
    assert (await api.http.get("/api/v1/me", headers=user.headers)).json()["two_factor"]
    # Off again: the password and a code.
    clock.advance(timedelta(seconds=30))
    off = await api.http.request(
        "DELETE",
        "/api/v1/me/two-factor",
        headers=user.headers,
        json={"password": PASSWORD, "otp": code()},
    )
    assert off.status_code == 204
    assert (await sign_in(api, user.email)).status_code == 200


async def test_deleting_the_account(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Old PC")
    refused = await api.http.request(
        "DELETE", "/api/v1/me", headers=user.headers, json={"password": "not the password"}
    )
    assert refused.status_code == 401
    deleted = await api.http.request(
        "DELETE", "/api/v1/me", headers=user.headers, json={"password": PASSWORD}
    )
    assert deleted.status_code == 204
    assert (await sign_in(api, user.email)).status_code == 401
    assert (await api.http.get("/api/v1/me", headers=user.headers)).status_code == 401
    link = await api.http.get("/api/v1/computers/" + enrolled["computer_id"], headers=user.headers)
    assert link.status_code == 401
    again = await api.http.post(
        "/api/v1/accounts", json={"email": user.email, "password": PASSWORD}
    )
    assert again.status_code == 201  # the address is free again
    fresh = await api.sign_in(user.email)
    assert await api.computers(fresh) == []
