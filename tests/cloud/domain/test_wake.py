"""What "on the same network" means for Wake-on-LAN: a network in common, seen by the
cloud from the same place, in the same account."""

from __future__ import annotations

from typing import Any

from app.cloud.db.models import Computer
from app.cloud.domain.computers.wake import WakeRoute, availability, read_adapters, route
from app.protocol.wake import Adapter, WakeTarget


def computer(
    name: str,
    *,
    online: bool,
    address: str | None = "203.0.113.7",
    adapters: list[dict[str, Any]] | None = None,
    account: str = "acc-1",
) -> Computer:
    return Computer(
        id=f"id-{name}",
        account_id=account,
        name=name,
        online=online,
        link_address=address,
        adapters=adapters,
    )


def eth(mac: str | None, ipv4: str | None) -> dict[str, Any]:
    return {"interface": "eth0", "mac": mac, "ipv4": ipv4}


SLEEPER_MAC = "3c:52:82:4a:20:01"


def sleeper(address: str | None = "203.0.113.7") -> Computer:
    return computer(
        "Media PC", online=False, address=address, adapters=[eth(SLEEPER_MAC, "192.168.1.20/24")]
    )


def test_through_an_online_computer_on_a_network_in_common_from_the_same_address() -> None:
    target = sleeper()
    relay = computer("Desk", online=True, adapters=[eth("3c:52:82:4a:10:07", "192.168.1.10/24")])
    assert route(target, [target, relay]) == WakeRoute(
        relay, (WakeTarget(mac=SLEEPER_MAC, network="192.168.1.0/24"),)
    )
    states = availability([target, relay])
    assert states[target.id].available and states[target.id].via == relay.id
    assert states[relay.id].reason == "online"


def test_the_same_numbers_elsewhere_are_another_network() -> None:
    # Two homes both on 192.168.1.0/24: the cloud sees them from two public addresses.
    target = sleeper("203.0.113.7")
    relay = computer(
        "Office", online=True, address="198.51.100.9", adapters=[eth(None, "192.168.1.10/24")]
    )
    assert route(target, [target, relay]) == "no_relay"


def test_a_cloud_on_the_network_itself_sees_each_computers_own_address() -> None:
    target = sleeper("192.168.1.20")
    relay = computer(
        "Desk", online=True, address="192.168.1.10", adapters=[eth(None, "192.168.1.10/24")]
    )
    assert isinstance(route(target, [target, relay]), WakeRoute)
    # ...but an address outside the network they share proves nothing.
    relay.link_address = "192.168.2.10"
    assert route(target, [target, relay]) == "no_relay"


def test_ipv6_links_from_the_same_64_are_one_place() -> None:
    target = sleeper("2001:db8:1:2::aaaa")
    relay = computer(
        "Desk",
        online=True,
        address="2001:db8:1:2:1234::1",
        adapters=[eth(None, "192.168.1.10/24")],
    )
    assert isinstance(route(target, [target, relay]), WakeRoute)
    relay.link_address = "2001:db8:1:3::1"
    assert route(target, [target, relay]) == "no_relay"


def test_only_the_same_accounts_online_computers_relay() -> None:
    target = sleeper()
    stranger = computer(
        "Theirs", online=True, account="acc-2", adapters=[eth(None, "192.168.1.10/24")]
    )
    asleep = computer("Laptop", online=False, adapters=[eth(None, "192.168.1.11/24")])
    assert route(target, [target, stranger, asleep]) == "no_relay"


def test_a_computer_that_never_told_its_adapters_cannot_be_woken() -> None:
    target = computer("Old agent", online=False, adapters=None)
    relay = computer("Desk", online=True, adapters=[eth(None, "192.168.1.10/24")])
    assert route(target, [target, relay]) == "no_adapters"


def test_what_an_agent_reports_is_kept_in_one_spelling_and_bad_entries_are_left_out() -> None:
    stored = read_adapters(
        [
            Adapter(interface="eth0", mac="3C-52-82-4A-20-01", ipv4="192.168.1.20/24"),
            Adapter(interface="wlan0", mac="00:00:00:00:00:00", ipv4="192.168.1.21/24"),
            Adapter(interface="eth1", mac="3c:52:82:4a:20:02", ipv4="192.168.1.22"),
            Adapter(interface="tun0", ipv4="10.8.0.2/24"),
        ]
    )
    assert stored == [
        {"interface": "eth0", "mac": "3c:52:82:4a:20:01", "ipv4": "192.168.1.20/24"},
        {"interface": "tun0", "mac": None, "ipv4": "10.8.0.2/24"},
    ]
