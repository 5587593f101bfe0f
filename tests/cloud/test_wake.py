"""Wake-on-LAN through the cloud's API, with real control links (the agent's own
ControlLink, told which adapters to report): which computers can be woken, and the
wake.send that reaches the online computer on the sleeping one's network. On SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from app.cloud.clock import OffsetClock
from app.protocol.wake import Adapter, WakeTarget
from tests.support.api import Api, EventStream, User
from tests.support.wake import DESK, DESK_MAC, HOME, MEDIA_WIFI, MEDIA_WIRED, Agent


async def listed(api: Api, user: User) -> dict[str, dict[str, Any]]:
    return {computer["name"]: computer for computer in await api.computers(user)}


async def wake(api: Api, user: User, computer_id: str) -> Any:
    return await api.http.post(f"/api/v1/computers/{computer_id}/wake", headers=user.headers)


async def test_a_sleeping_computer_is_woken_through_one_online_on_its_network(api: Api) -> None:
    user = await api.sign_up()
    desk = await api.enroll(user, "Desk")
    media = await api.enroll(user, "Media PC")
    async with EventStream(api, user) as events:
        # Never linked: nothing is known about its adapters.
        assert (await listed(api, user))["Media PC"]["wake"] == {
            "available": False,
            "reason": "no_adapters",
            "via": None,
        }
        refused = await wake(api, user, media["computer_id"])
        assert refused.status_code == 409 and refused.json()["error"] == "wake_unknown"

        # Awake once: its adapters are kept while it sleeps.
        async with Agent(api, media["agent_token"], HOME).online(events, media["computer_id"]):
            awake = await wake(api, user, media["computer_id"])
            assert awake.status_code == 409 and awake.json()["error"] == "computer_online"
            assert "already online" in awake.json()["message"]
            assert (await listed(api, user))["Media PC"]["wake"]["reason"] == "online"
        alone = await wake(api, user, media["computer_id"])
        assert alone.status_code == 409 and alone.json()["error"] == "wake_no_relay"
        assert "Media PC" in alone.json()["message"]
        assert (await listed(api, user))["Media PC"]["wake"]["reason"] == "no_relay"

        relay = Agent(api, desk["agent_token"], DESK)
        async with relay.online(events, desk["computer_id"]):
            computers = await listed(api, user)
            assert computers["Media PC"]["wake"] == {
                "available": True,
                "reason": None,
                "via": desk["computer_id"],
            }
            assert computers["Desk"]["wake"]["available"] is False
            one = await api.http.get(
                f"/api/v1/computers/{media['computer_id']}", headers=user.headers
            )
            assert one.json()["wake"]["available"] is True

            started = await wake(api, user, media["computer_id"])
            assert started.status_code == 202, started.text
            assert started.json() == {
                "computer_id": media["computer_id"],
                "via": {"id": desk["computer_id"], "name": "Desk"},
            }
            request = await asyncio.wait_for(relay.wakes.get(), 5)
            assert request.computer_id == media["computer_id"]
            assert request.port == 9
            assert request.targets == (
                WakeTarget(mac=MEDIA_WIRED, network="192.168.40.0/24"),
                WakeTarget(mac=MEDIA_WIFI, network="192.168.40.0/24"),
            )


async def test_another_network_is_no_way_in(api: Api) -> None:
    user = await api.sign_up()
    office = await api.enroll(user, "Office")
    media = await api.enroll(user, "Media PC")
    elsewhere = (Adapter(interface="eth0", mac=DESK_MAC, ipv4="10.1.2.3/16"),)
    async with EventStream(api, user) as events:
        async with Agent(api, media["agent_token"], HOME).online(events, media["computer_id"]):
            pass
        async with Agent(api, office["agent_token"], elsewhere).online(
            events, office["computer_id"]
        ):
            assert (await listed(api, user))["Media PC"]["wake"]["reason"] == "no_relay"
            refused = await wake(api, user, media["computer_id"])
            assert refused.status_code == 409 and refused.json()["error"] == "wake_no_relay"


async def test_one_account_never_wakes_another_accounts_computer(api: Api) -> None:
    owner = await api.sign_up()
    neighbour = await api.sign_up()
    media = await api.enroll(owner, "Media PC")
    theirs = await api.enroll(neighbour, "Neighbour's PC")
    async with EventStream(api, owner) as owner_events:
        agent = Agent(api, media["agent_token"], HOME)
        async with agent.online(owner_events, media["computer_id"]):
            pass
    async with EventStream(api, neighbour) as events:
        # Online on the very same network, from the same address: still not the owner's.
        relay = Agent(api, theirs["agent_token"], DESK)
        async with relay.online(events, theirs["computer_id"]):
            assert (await listed(api, owner))["Media PC"]["wake"]["reason"] == "no_relay"
            refused = await wake(api, neighbour, media["computer_id"])
            assert refused.status_code == 404
            assert refused.json()["error"] == "computer_not_found"
            assert (await wake(api, owner, media["computer_id"])).status_code == 409
            assert relay.wakes.empty()


async def test_a_computer_is_woken_a_few_times_a_minute_at_most(
    api: Api, clock: OffsetClock
) -> None:
    user = await api.sign_up()
    desk = await api.enroll(user, "Desk")
    media = await api.enroll(user, "Media PC")
    async with EventStream(api, user) as events:
        async with Agent(api, media["agent_token"], HOME).online(events, media["computer_id"]):
            pass
        relay = Agent(api, desk["agent_token"], DESK)
        async with relay.online(events, desk["computer_id"]):
            statuses = [(await wake(api, user, media["computer_id"])).status_code for _ in range(3)]
            assert statuses == [202, 202, 202]
            refused = await wake(api, user, media["computer_id"])
            assert refused.status_code == 429
            assert "Too many wakes of this computer" in refused.json()["message"]
            assert int(refused.headers["Retry-After"]) >= 1
            for _ in range(3):
                await asyncio.wait_for(relay.wakes.get(), 5)
            assert relay.wakes.empty()  # the refused one never reached the agent

            clock.advance(timedelta(seconds=61))
            again = await wake(api, user, media["computer_id"])
            assert again.status_code == 202, again.text
