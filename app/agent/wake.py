"""Wake-on-LAN on the agent's side: which network adapters this computer has (reported to
the cloud, so it can be woken once it sleeps), and the magic packets the cloud asks for
to wake another computer of the account on a network this one is on.

Adapters are read through psutil on every system. Reported: adapters that are up and
have a hardware address, less loopback and the virtual ones of containers, virtual
machines and VPNs (which no sleeping computer listens on). ``PORTHOLE_WAKE_INTERFACES``
(names, comma-separated) reports those adapters instead, as they are.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
from collections.abc import Collection, Iterable
from typing import Any

import psutil

from app.protocol.wake import (
    MAX_ADAPTERS,
    Adapter,
    WakeSend,
    format_mac,
    magic_packet,
    parse_ipv4_interface,
    parse_ipv4_network,
    parse_mac,
)

log = logging.getLogger(__name__)

#: Names of virtual adapters (containers, virtual machines, VPNs, Apple's peer-to-peer
#: links): no sleeping computer is woken through them.
VIRTUAL_PREFIXES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vnet",
    "vmnet",
    "vboxnet",
    "lxc",
    "lxd",
    "cni",
    "flannel",
    "cali",
    "podman",
    "tailscale",
    "zt",
    "wg",
    "tun",
    "tap",
    "utun",
    "awdl",
    "llw",
    "anpi",
    "vethernet",
    "isatap",
    "teredo",
)

#: Where a network too small for a broadcast address of its own is sent to.
LIMITED_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


def chosen_interfaces() -> frozenset[str] | None:
    """The adapters ``PORTHOLE_WAKE_INTERFACES`` names, or None: the automatic choice."""
    names = os.environ.get("PORTHOLE_WAKE_INTERFACES", "")
    chosen = frozenset(name.strip() for name in names.split(",") if name.strip())
    return chosen or None


def local_adapters(only: Collection[str] | None = None) -> tuple[Adapter, ...]:
    """This computer's adapters, one entry per IPv4 address (or one without, for an
    adapter that has none), sorted so that the same adapters read the same."""
    stats = psutil.net_if_stats()
    adapters: list[Adapter] = []
    for name, addresses in psutil.net_if_addrs().items():
        if only is not None:
            if name not in only:
                continue
        elif not _worth_reporting(name, stats.get(name)):
            continue
        mac = None
        networks: list[str] = []
        for address in addresses:
            if address.family == psutil.AF_LINK:
                mac = _mac(address.address)
            elif address.family == socket.AF_INET and address.netmask:
                ipv4 = ipaddress.IPv4Interface(f"{address.address}/{address.netmask}")
                if only is None and ipv4.ip.is_loopback:
                    continue
                networks.append(ipv4.with_prefixlen)
        if mac is None and only is None:
            continue  # nothing to wake through it, and nothing to send from it
        interface = name[:64]
        adapters.extend(Adapter(interface=interface, mac=mac, ipv4=ipv4) for ipv4 in networks)
        if not networks:
            adapters.append(Adapter(interface=interface, mac=mac))
    adapters.sort(key=lambda a: (a.interface, a.ipv4 or ""))
    return tuple(adapters[:MAX_ADAPTERS])


def _worth_reporting(name: str, stats: Any) -> bool:
    if stats is None or not stats.isup:
        return False
    if "loopback" in getattr(stats, "flags", "").split(","):
        return False
    return not name.lower().startswith(VIRTUAL_PREFIXES) and name.lower() != "lo"


def _mac(text: str) -> str | None:
    try:
        return format_mac(parse_mac(text))
    except ValueError:
        return None  # none (loopback's zeros, a tunnel's empty one)


def send_wake(request: WakeSend, adapters: Iterable[Adapter]) -> int:
    """Broadcast the magic packets of ``request`` on each of its networks this computer is
    on now, from its own address there; the number sent. A network it is not on (the
    cloud's view is older than a move) or a bad address is skipped, never sent to."""
    own: dict[ipaddress.IPv4Network, ipaddress.IPv4Interface] = {}
    for adapter in adapters:
        if adapter.ipv4 is not None:
            with contextlib.suppress(ValueError):
                ipv4 = parse_ipv4_interface(adapter.ipv4)
                own.setdefault(ipv4.network, ipv4)
    sent = 0
    for target in request.targets:
        try:
            mac = parse_mac(target.mac)
            network = parse_ipv4_network(target.network)
        except ValueError as exc:
            log.warning("wake: skipped a target: %s", exc)
            continue
        ours = own.get(network)
        if ours is None:
            log.warning("wake: this computer is not on %s any more", network)
            continue
        # A /32 or /31 has no broadcast address of its own: the limited broadcast then.
        broadcast = network.broadcast_address if network.prefixlen < 31 else LIMITED_BROADCAST
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            try:
                # From our address there, so the packet leaves on that network's adapter.
                sock.bind((str(ours.ip), 0))
                sock.sendto(magic_packet(mac), (str(broadcast), request.port))
            except OSError as exc:
                log.warning("wake: could not broadcast on %s: %s", network, exc)
                continue
        sent += 1
        log.info(
            "wake: sent the magic packet for %s to %s:%d (computer %s)",
            format_mac(mac),
            broadcast,
            request.port,
            request.computer_id,
        )
    return sent
