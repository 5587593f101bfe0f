"""Enrolment, the computers list, rename, remove and isolation between accounts."""

from __future__ import annotations

from datetime import timedelta

from app.cloud.clock import OffsetClock
from tests.support.api import PASSWORD, Api


async def test_enrol_with_code_then_list_rename_remove(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Studio Mac")
    assert enrolled["agent_token"].startswith("pat_")
    assert enrolled["cloud_public_key"].startswith("ed25519:")

    [computer] = await api.computers(user)
    assert computer["id"] == enrolled["computer_id"]
    assert computer["name"] == "Studio Mac" and computer["os"] == "Linux 6.1"
    assert computer["online"] is False and computer["last_seen"] is None

    renamed = await api.http.patch(
        f"/api/v1/computers/{computer['id']}", headers=user.headers, json={"name": "  Kitchen  "}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Kitchen"
    assert [c["name"] for c in await api.computers(user)] == ["Kitchen"]

    removed = await api.http.delete(f"/api/v1/computers/{computer['id']}", headers=user.headers)
    assert removed.status_code == 204
    assert await api.computers(user) == []


async def test_enrol_with_email_and_password(api: Api) -> None:
    user = await api.sign_up()
    enrolled = await api.http.post(
        "/api/v1/agents",
        json={"email": user.email, "password": PASSWORD, "name": "Laptop", "os": "Windows 11"},
    )
    assert enrolled.status_code == 201
    assert [c["name"] for c in await api.computers(user)] == ["Laptop"]

    wrong = await api.http.post(
        "/api/v1/agents", json={"email": user.email, "password": "nope nope", "name": "X"}
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_credentials"


async def test_enrolment_code_is_single_use_and_expires(api: Api, clock: OffsetClock) -> None:
    user = await api.sign_up()
    code = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()["code"]
    first = await api.http.post("/api/v1/agents", json={"enrollment_code": code, "name": "A"})
    assert first.status_code == 201
    again = await api.http.post("/api/v1/agents", json={"enrollment_code": code, "name": "B"})
    assert again.status_code == 401 and again.json()["error"] == "invalid_enrollment_code"

    late = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()["code"]
    clock.advance(timedelta(minutes=16))
    expired = await api.http.post("/api/v1/agents", json={"enrollment_code": late, "name": "C"})
    assert expired.status_code == 401
    # Codes are typed by people: case and separators do not matter.
    user = await api.sign_in(user.email)  # the travel outlived the access token too
    loose = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()["code"]
    typed = loose.lower().replace("-", " ")
    assert (
        await api.http.post("/api/v1/agents", json={"enrollment_code": typed, "name": "D"})
    ).status_code == 201


async def test_other_accounts_computers_are_not_found(api: Api) -> None:
    owner = await api.sign_up()
    intruder = await api.sign_up()
    computer_id = (await api.enroll(owner, "Owner's PC"))["computer_id"]

    assert await api.computers(intruder) == []
    for method, body in (("GET", None), ("PATCH", {"name": "mine now"}), ("DELETE", None)):
        response = await api.http.request(
            method, f"/api/v1/computers/{computer_id}", headers=intruder.headers, json=body
        )
        assert response.status_code == 404, method
        assert response.json() == {
            "error": "computer_not_found",
            "message": "No such computer in this account.",
        }
    # And the response is the same as for an id that does not exist at all.
    ghost = await api.http.get("/api/v1/computers/not-a-real-id", headers=intruder.headers)
    assert ghost.status_code == 404 and ghost.json()["error"] == "computer_not_found"
    # The owner still has it, unrenamed.
    assert [c["name"] for c in await api.computers(owner)] == ["Owner's PC"]


async def test_enrolment_code_of_one_account_enrols_only_into_it(api: Api) -> None:
    first = await api.sign_up()
    second = await api.sign_up()
    await api.enroll(first, "First's")
    assert [c["name"] for c in await api.computers(first)] == ["First's"]
    assert await api.computers(second) == []


async def test_computers_need_a_signed_in_account(api: Api) -> None:
    response = await api.http.get("/api/v1/computers")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthorized"


async def test_a_sixth_computer_is_refused_naming_the_limit(api: Api) -> None:
    user = await api.sign_up()
    for number in range(5):
        await api.enroll(user, f"PC {number}")
    code = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()["code"]
    sixth = await api.http.post("/api/v1/agents", json={"enrollment_code": code, "name": "PC 5"})
    assert sixth.status_code == 409
    assert sixth.json()["error"] == "computer_limit"
    assert "up to 5 computers" in sixth.json()["message"]
    assert len(await api.computers(user)) == 5
    assert (await api.http.get("/api/v1/subscription", headers=user.headers)).json()[
        "computers_used"
    ] == 5
