"""Wake-on-LAN: which computers can be woken, through which online computer, and asking
that computer's agent to broadcast the magic packets.

An offline computer B can be woken through a computer A when:

- both are of the same account: only the account's own computers are ever considered,
  and another account's computer is "not found";
- A is online now (its agent sends the packets) and B is not;
- B's agent reported at least one adapter with a hardware address (kept while it sleeps);
- A and B reported an IPv4 network in common: the same network address and prefix;
- and they are in the same place as the cloud sees it: A's control link comes from the
  address B's last link came from (for IPv6, the same /64), or both came from inside the
  network they share (a cloud on that network sees each computer's own address). Two
  homes that both use 192.168.1.0/24 are not one network.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import update

from app.cloud.broker import account_topic, computer_topic
from app.cloud.context import CloudContext
from app.cloud.db.models import Computer
from app.cloud.domain.accounts import throttle
from app.cloud.domain.computers.service import get_owned, list_computers
from app.cloud.errors import Conflict, Unavailable
from app.protocol import encode_message
from app.protocol.wake import (
    MAX_WAKE_TARGETS,
    Adapter,
    ComputerNetworks,
    WakeTarget,
    format_mac,
    parse_ipv4_interface,
    parse_mac,
)

log = logging.getLogger(__name__)

#: Why a computer cannot be woken now.
Reason = Literal["online", "no_adapters", "no_relay"]


@dataclass(frozen=True)
class Wakeable:
    """What the computers list says: whether Wake makes sense, else why not."""

    available: bool
    reason: Reason | None = None
    #: The online computer whose agent would send the magic packets.
    via: str | None = None


@dataclass(frozen=True)
class WakeRoute:
    relay: Computer
    targets: tuple[WakeTarget, ...]


def read_adapters(adapters: Iterable[Adapter]) -> list[dict[str, Any]]:
    """An agent's report as stored: addresses written one way; an entry that does not
    read (a hardware address no adapter has, an IPv4 address without its prefix) is left
    out rather than cutting the link for it."""
    stored: list[dict[str, Any]] = []
    for adapter in adapters:
        try:
            mac = None if adapter.mac is None else format_mac(parse_mac(adapter.mac))
            ipv4 = None if adapter.ipv4 is None else parse_ipv4_interface(adapter.ipv4)
        except ValueError as exc:
            log.info("left out an adapter an agent reported: %s", exc)
            continue
        stored.append(
            {
                "interface": adapter.interface,
                "mac": mac,
                "ipv4": None if ipv4 is None else ipv4.with_prefixlen,
            }
        )
    return stored


async def record_adapters(
    ctx: CloudContext, computer: Computer, adapters: Sequence[Adapter]
) -> None:
    """Keep a computer's adapters as its agent reported them; viewers and portals hear
    when that changed (which computers can be woken may have)."""
    stored = read_adapters(adapters)
    async with ctx.sessions() as session:
        current = await session.get(Computer, computer.id)
        if current is None or current.adapters == stored:
            return
        await session.execute(
            update(Computer).where(Computer.id == computer.id).values(adapters=stored)
        )
        await session.commit()
    await ctx.broker.publish(
        account_topic(computer.account_id),
        encode_message(ComputerNetworks(computer_id=computer.id)),
    )


def _interfaces(computer: Computer) -> list[ipaddress.IPv4Interface]:
    found = []
    for adapter in computer.adapters or ():
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            found.append(parse_ipv4_interface(adapter["ipv4"]))
    return found


def _macs(computer: Computer) -> list[str]:
    macs: list[str] = []
    for adapter in computer.adapters or ():
        mac = adapter.get("mac") if isinstance(adapter, dict) else None
        if isinstance(mac, str) and mac not in macs:
            macs.append(mac)
    return macs


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def same_place(relay: Computer, target: Computer, shared: set[ipaddress.IPv4Network]) -> bool:
    """Did the two control links come from one place (see the module's rules)?"""
    a, b = _address(relay.link_address), _address(target.link_address)
    if a is None or b is None or a.version != b.version:
        return False
    if isinstance(a, ipaddress.IPv6Address):
        return ipaddress.IPv6Network((a, 64), strict=False) == ipaddress.IPv6Network(
            (b, 64), strict=False
        )
    return a == b or any(a in network and b in network for network in shared)


def route(target: Computer, computers: Iterable[Computer]) -> WakeRoute | Reason:
    """Through which of ``computers`` (the same account's) ``target`` can be woken now,
    with its magic packets; else why it cannot."""
    if target.online:
        return "online"
    macs = _macs(target)
    if not macs:
        return "no_adapters"
    networks = {interface.network for interface in _interfaces(target)}
    relays = sorted(
        (
            c
            for c in computers
            if c.online and c.id != target.id and c.account_id == target.account_id
        ),
        key=lambda c: (c.name, c.id),
    )
    for relay in relays:
        shared = networks & {interface.network for interface in _interfaces(relay)}
        if shared and same_place(relay, target, shared):
            targets = tuple(
                WakeTarget(mac=mac, network=str(network))
                for network in sorted(shared)
                for mac in macs
            )
            return WakeRoute(relay, targets[:MAX_WAKE_TARGETS])
    return "no_relay"


def availability(computers: Sequence[Computer]) -> dict[str, Wakeable]:
    """For the computers list: each of one account's computers, whether it can be woken."""
    states = {}
    for computer in computers:
        found = route(computer, computers)
        states[computer.id] = (
            Wakeable(False, reason=found)
            if isinstance(found, str)
            else Wakeable(True, via=found.relay.id)
        )
    return states


async def wake(ctx: CloudContext, account_id: str, computer_id: str) -> WakeRoute:
    """Ask an online computer on its network to wake ``computer_id``: NotFound for another
    account's, Conflict when it is online or none can, TooManyRequests past the rate."""
    async with ctx.sessions() as session:
        target = await get_owned(session, account_id, computer_id)
        computers = await list_computers(session, account_id)
    found = route(target, computers)
    if found == "online":
        raise Conflict(
            f"'{target.name}' is already online: there is nothing to wake.",
            code="computer_online",
        )
    if found == "no_adapters":
        raise Conflict(
            f"'{target.name}' has not told its network adapters yet. Run an up-to-date "
            "Porthole agent on it once while it is awake, then it can be woken.",
            code="wake_unknown",
        )
    if isinstance(found, str):
        raise Conflict(
            f"No other computer of yours is online on the network of '{target.name}'. To wake "
            "it, one must be there, on and running the Porthole agent.",
            code="wake_no_relay",
        )
    settings = ctx.settings
    async with throttle.guarded(
        ctx.sessions,
        f"wake:{computer_id}",
        throttle.allowing(settings.wakes_per_minute, 60, 20),
        ctx.clock.now(),
        what="wakes of this computer",
        refund=False,
    ):
        command = {
            "kind": "wake",
            "computer_id": computer_id,
            "targets": [{"mac": t.mac, "network": t.network} for t in found.targets],
            "port": settings.wake_port,
        }
        if not await ctx.broker.publish(computer_topic(found.relay.id), json.dumps(command)):
            raise Unavailable(
                f"'{found.relay.name}' could not be asked to wake it just now. Try again.",
                code="try_again",
            )
    return found
