"""Races a real deployment sees: many requests at once, decided by the database."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.api import Api, User


async def test_a_refresh_token_is_used_once_under_a_race(api: Api) -> None:
    user = await api.sign_up()
    responses = await asyncio.gather(
        *(
            api.http.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
            for _ in range(10)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    # One winner; the losers look like a reuse, and that ends the family: safe by default.
    assert statuses.count(200) == 1
    assert all(status in (200, 401) for status in statuses)
    assert all(
        r.json().get("error") in (None, "refresh_token_reused", "session_ended") for r in responses
    )


async def _codes(api: Api, user: User, count: int) -> list[str]:
    return [
        (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()["code"]
        for _ in range(count)
    ]


async def _enrol_all(api: Api, codes: list[str]) -> list[httpx.Response]:
    return await asyncio.gather(
        *(
            api.http.post("/api/v1/agents", json={"enrollment_code": code, "name": f"PC {i:02}"})
            for i, code in enumerate(codes)
        )
    )


async def test_concurrent_enrolments_within_the_limit_all_land(api: Api) -> None:
    user = await api.sign_up()
    responses = await _enrol_all(api, await _codes(api, user, 5))
    assert [r.status_code for r in responses] == [201] * 5
    assert len(await api.computers(user)) == 5


async def test_racing_for_the_last_places_never_exceeds_the_limit(api: Api) -> None:
    user = await api.sign_up()
    responses = await _enrol_all(api, await _codes(api, user, 12))
    landed = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert all(r.status_code == 409 and r.json()["error"] == "computer_limit" for r in refused)
    assert len(await api.computers(user)) == len(landed) <= 5


async def test_one_code_raced_by_many_agents_enrols_one(api: Api) -> None:
    user = await api.sign_up()
    code = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()["code"]
    responses = await asyncio.gather(
        *(
            api.http.post("/api/v1/agents", json={"enrollment_code": code, "name": f"R{i}"})
            for i in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [401] * 9
    assert len(await api.computers(user)) == 1
