"""The viewer's cloud client against the real cloud: signing in and what goes wrong there
(wrong password, throttling, no cloud, an ended sign-in), computers, plans, the
subscription, purchases, bundles and session tickets, each failure as the exception and
sentence the person will see."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest

from app.cloud.clock import OffsetClock
from app.cloud.settings import Settings
from app.viewer.core.cloud import CloudClient
from app.viewer.core.errors import (
    CloudError,
    CloudUnreachable,
    Conflict,
    InFlight,
    Invalid,
    NotFound,
    ServerError,
    SessionExpired,
    Throttled,
    WrongCredentials,
)
from app.viewer.core.records import Card, Computer, Tokens
from app.viewer.core.session import SessionEnded, SessionFailed
from tests.conftest import fast_settings
from tests.support.api import PASSWORD, Api, EventStream, User
from tests.support.billing import advance, wait_state
from tests.support.sessions import entitled_online_host
from tests.support.viewer_cloud import closed_port, new_email, signed_up

# The client does not depend on the storage backend; SQLite keeps these quick.
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CARD = Card("4242 4242 4242 4242", 12, 2030, "123")
HOUR = 3600


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Two free failures, then a block: throttling shows after three wrong passwords.
    return fast_settings(database_url, account_free_failures=2)


@on_sqlite
async def test_a_new_account_sees_its_empty_list_the_plans_and_no_subscription(api: Api) -> None:
    email = new_email()
    async with CloudClient(api.url) as client:
        account = await client.sign_up(email, PASSWORD)
        assert account.email == email and client.signed_in
        assert await client.me() == account
        assert await client.computers() == []
        plans = {plan.id: plan for plan in await client.plans()}
        assert sorted(plans) == ["month-1", "year-1"]
        assert (plans["month-1"].months, plans["month-1"].price_cents) == (1, 499)
        assert plans["year-1"].currency == "EUR"
        assert [plan.id for plan in await client.plans("web")] == ["year-1", "year-2"]
        status = await client.subscription()
        assert (status.state, status.pending, status.computers_used) == ("none", None, 0)
        assert status.computers_limit == 5


@on_sqlite
async def test_wrong_password_and_taken_email_say_so(api: Api) -> None:
    async with signed_up(api.url) as owner, CloudClient(api.url) as client:
        email = (await owner.me()).email
        with pytest.raises(WrongCredentials) as wrong:
            await client.sign_in(email, "not the password")
        assert wrong.value.message == "The email or password is incorrect."
        assert not wrong.value.retryable and not client.signed_in
        with pytest.raises(Conflict) as taken:
            await client.sign_up(email, PASSWORD)
        assert taken.value.message == "An account with this email already exists."
        assert taken.value.code == "email_taken"


@on_sqlite
async def test_repeated_wrong_passwords_are_throttled_with_a_wait(api: Api) -> None:
    async with signed_up(api.url) as owner, CloudClient(api.url) as client:
        email = (await owner.me()).email
        for _ in range(3):
            with pytest.raises(WrongCredentials):
                await client.sign_in(email, "guess")
        with pytest.raises(Throttled) as throttled:
            await client.sign_in(email, PASSWORD)  # even the right one waits now
        assert throttled.value.retry_after_s > 0 and throttled.value.retryable
        assert throttled.value.message == "Too many failed sign-ins. Try again in 30 seconds."


async def test_no_cloud_on_the_port_means_unreachable_with_a_retry() -> None:
    async with CloudClient(f"http://127.0.0.1:{closed_port()}", connect_timeout_s=2) as client:
        with pytest.raises(CloudUnreachable) as unreachable:
            await client.sign_in("ada@example.com", PASSWORD)
        assert unreachable.value.retryable
        assert "cannot be reached" in unreachable.value.message
        with pytest.raises(CloudUnreachable):
            await client.plans()


@on_sqlite
async def test_computers_enrol_rename_remove_and_others_are_not_found(api: Api) -> None:
    async with signed_up(api.url) as client, signed_up(api.url) as stranger:
        code = await client.enrollment_code()
        assert code.expires_at is not None
        enrolled = await api.http.post(
            "/api/v1/agents", json={"enrollment_code": code.code, "name": "Den", "os": "Linux"}
        )
        computer_id = enrolled.json()["computer_id"]
        [computer] = await client.computers()
        assert computer == Computer(computer_id, "Den", "Linux", False, None, ())
        renamed = await client.rename_computer(computer_id, "  Study  ")
        assert renamed.name == "Study"
        with pytest.raises(NotFound) as theirs:
            await stranger.rename_computer(computer_id, "Mine now")
        assert theirs.value.message == "No such computer in this account."
        with pytest.raises(Invalid) as blank:
            await client.rename_computer(computer_id, "   ")
        assert blank.value.message.startswith("Invalid request: name:")
        await client.remove_computer(computer_id)
        assert await client.computers() == []
        with pytest.raises(NotFound):
            await client.remove_computer(computer_id)


@on_sqlite
async def test_an_expired_access_token_is_refreshed_once_for_many_calls(
    api: Api, clock: OffsetClock
) -> None:
    seen: list[Tokens | None] = []
    async with signed_up(api.url, on_tokens=seen.append) as client:
        assert len(seen) == 1
        clock.advance(timedelta(hours=1))  # past the 15-minute access token
        results = await asyncio.gather(client.me(), client.computers(), client.subscription())
        assert results[1] == [] and results[2].state == "none"
        # One refresh for all three: a second use of the same refresh token would have
        # ended the sign-in (reuse detection), so they must not race each other.
        assert len(seen) == 2
        first, second = seen
        assert first is not None and second is not None
        assert second.refresh_token != first.refresh_token


@on_sqlite
async def test_an_expired_sign_in_sends_the_person_back_to_sign_in(
    api: Api, clock: OffsetClock
) -> None:
    seen: list[Tokens | None] = []
    async with signed_up(api.url, on_tokens=seen.append) as client:
        clock.advance(timedelta(days=31))
        with pytest.raises(SessionExpired) as expired:
            await client.computers()
        assert expired.value.message == "This sign-in has expired. Sign in again."
        assert seen[-1] is None and not client.signed_in
        with pytest.raises(SessionExpired):
            await client.me()


@on_sqlite
async def test_a_stolen_refresh_token_ends_the_sign_in_for_both(
    api: Api, clock: OffsetClock
) -> None:
    seen: list[Tokens | None] = []
    async with signed_up(api.url, on_tokens=seen.append) as client:
        stolen = seen[-1]
        assert stolen is not None
        thief = await api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": stolen.refresh_token}
        )
        assert thief.status_code == 200
        clock.advance(timedelta(hours=1))
        with pytest.raises(SessionExpired) as ended:
            await client.me()
        assert ended.value.message == (
            "This sign-in was ended because an old refresh token was used again. Sign in again."
        )
        thiefs_next = await api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": thief.json()["refresh_token"]}
        )
        assert thiefs_next.status_code == 401


@on_sqlite
async def test_sign_out_ends_the_sign_in_on_the_cloud(api: Api) -> None:
    seen: list[Tokens | None] = []
    async with signed_up(api.url, on_tokens=seen.append) as client:
        tokens = seen[-1]
        assert tokens is not None
        assert await client.sign_out() is True
        assert seen[-1] is None and not client.signed_in
        assert await client.sign_out() is False  # nothing left to end
        refresh = await api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens.refresh_token}
        )
        assert refresh.status_code == 401


@on_sqlite
async def test_one_key_many_concurrent_requests_one_purchase(api: Api) -> None:
    async with signed_up(api.url) as client:
        key = str(uuid.uuid4())
        answers = await asyncio.gather(
            *(client.purchase("month-1", CARD, key) for _ in range(8)), return_exceptions=True
        )
        bought = [a for a in answers if not isinstance(a, BaseException)]
        busy = [a for a in answers if isinstance(a, BaseException)]
        assert bought and {p.id for p in bought} == {bought[0].id}
        assert all(isinstance(e, InFlight) and e.retryable and e.retry_after_s > 0 for e in busy)
        assert bought[0].state == "pending" and bought[0].method_label == "Visa •••• 4242"
        assert len(await client.purchases()) == 1
        assert (await client.purchase_status(bought[0].id)).id == bought[0].id

        with pytest.raises(Invalid) as reused:
            await client.purchase("year-1", CARD, key)
        assert reused.value.message == (
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new purchase."
        )
        with pytest.raises(NotFound):
            await client.purchase_status(str(uuid.uuid4()))


@on_sqlite
async def test_auto_renewal_can_be_turned_off_and_on_again(api: Api) -> None:
    async with signed_up(api.url) as client:
        with pytest.raises(Conflict) as nothing:
            await client.set_auto_renew(False)
        assert nothing.value.message == "There is no running subscription to manage."
        user = User((await client.me()).email, PASSWORD, await client.access_token(), "")
        async with EventStream(api, user) as events:
            await client.purchase("month-1", CARD, str(uuid.uuid4()))
            await advance(api, 5)
            await wait_state(api, user, events, "active")
        off = await client.set_auto_renew(False)
        assert (off.state, off.auto_renew) == ("active", False)
        assert (await client.set_auto_renew(True)).auto_renew is True


@on_sqlite
async def test_a_bundle_code_activates_a_bundled_subscription_once(api: Api) -> None:
    issued = await api.http.post("/sandbox/v1/bundles", json={"months": 12, "count": 1})
    [code] = issued.json()["codes"]
    async with signed_up(api.url) as client, signed_up(api.url) as other:
        status = await client.redeem_bundle(code)
        assert (status.state, status.auto_renew) == ("bundled", False)
        assert status.current_period_end is not None
        with pytest.raises(Invalid) as used:
            await other.redeem_bundle(code)
        assert used.value.message == "This code was already used."


@on_sqlite
async def test_session_tickets_and_refusals_keep_the_viewer_session_meaning(api: Api) -> None:
    async with signed_up(api.url) as client:
        with pytest.raises(SessionEnded, match="No such computer"):
            await client.start_session(str(uuid.uuid4()))
    async with entitled_online_host(api, joins=False) as host, CloudClient(api.url) as client:
        await client.resume(host.user.refresh_token)
        grant = await client.start_session(host.computer_id)
        assert grant.session_id and grant.ticket
        renew = client.renewer(host.computer_id)
        assert (await renew()).session_id != grant.session_id
    # Unreachable is worth retrying; an ended sign-in ends the session's retries.
    nowhere = f"http://127.0.0.1:{closed_port()}"
    async with CloudClient(nowhere, refresh_token="prt_remembered") as offline:
        with pytest.raises(SessionFailed, match="cannot be reached"):
            await offline.start_session("any")
    async with CloudClient(api.url, refresh_token="prt_unknown") as expired:
        with pytest.raises(SessionExpired):
            await expired.start_session("any")
        with pytest.raises(SessionEnded, match="Sign in"):
            await expired.renewer("any")()


@pytest.mark.parametrize(
    ("status", "body", "expected", "message"),
    [
        (500, b'{"error": "internal_error", "message": "Something went wrong on our side."}',
         ServerError, "Something went wrong on our side."),
        (502, b"<html>Bad gateway</html>", ServerError,
         "Something went wrong on the cloud's side. Try again in a moment."),
        (200, b"<html>captive portal</html>", CloudError,
         "The cloud sent an answer this app cannot read. Update the app or try again later."),
        (200, b'[{"name": "no id"}]', CloudError,
         "The cloud sent an answer this app cannot read. Update the app or try again later."),
    ],
)  # fmt: skip
async def test_what_a_real_cloud_cannot_be_made_to_answer(
    status: int, body: bytes, expected: type[CloudError], message: str
) -> None:
    # Server failures and foreign answers (a proxy, a captive portal) cannot be provoked
    # from the real cloud; a mock transport plays them.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    async with CloudClient("http://cloud.test", transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(expected) as raised:
            await client.plans()
        assert type(raised.value) is expected and raised.value.message == message


def test_answers_with_extra_and_missing_fields_are_read() -> None:
    computer = Computer.from_json(
        {"id": "c-1", "name": "Den", "online": True, "future_field": {"x": 1}, "screens": [{}]}
    )
    assert (computer.os, computer.last_seen, computer.online) == ("", None, True)
    assert len(computer.screens) == 1
