"""Wake-on-LAN: what an agent tells the cloud about its network adapters, what the cloud
asks an online agent to send to wake another computer, and the magic packet itself.

An agent reports its adapters (``wake.networks``) right after ``welcome`` and again
whenever they change (a laptop joins another Wi-Fi, DHCP hands out a new address): a
message of its own rather than fields of ``hello``, because they change while a link
stays up and only agents have them. The cloud keeps the last report of each computer,
so it still knows a computer's adapters once it sleeps. To wake one, it asks an online
agent of the same account on the same network (``wake.send``); that agent broadcasts the
magic packet on that network. ``computer.networks`` tells viewers and the portal that
which computers can be woken may have changed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated, ClassVar

from ._schema import Length, Range

__all__ = [
    "MAX_ADAPTERS",
    "MAX_WAKE_TARGETS",
    "Adapter",
    "ComputerNetworks",
    "WakeNetworks",
    "WakeSend",
    "WakeTarget",
    "format_mac",
    "magic_packet",
    "parse_ipv4_interface",
    "parse_ipv4_network",
    "parse_mac",
]

#: Entries of one ``wake.networks`` (one per adapter and IPv4 address).
MAX_ADAPTERS = 48
#: Magic packets asked for in one ``wake.send``.
MAX_WAKE_TARGETS = 16

_Mac = Annotated[str, Length(1, 40)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Adapter:
    """One network adapter of the computer, with one of its IPv4 addresses."""

    #: What the system calls it (``eth0``, ``Wi-Fi``, ``en0``).
    interface: Annotated[str, Length(1, 64)]
    #: Its hardware address, ``aa:bb:cc:dd:ee:ff``; None for one without (a tunnel).
    mac: _Mac | None = None
    #: One of its IPv4 addresses with the network's prefix length (``192.168.1.23/24``);
    #: None for an adapter that has none now (a cable unplugged).
    ipv4: Annotated[str, Length(1, 40)] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WakeNetworks:
    """Agent → cloud, on the control link: this computer's network adapters, right after
    ``welcome`` and whenever they change."""

    TYPE: ClassVar[str] = "wake.networks"

    adapters: Annotated[tuple[Adapter, ...], Length(0, MAX_ADAPTERS)]


@dataclass(frozen=True, slots=True, kw_only=True)
class WakeTarget:
    """One magic packet: for this hardware address, broadcast on this network."""

    mac: _Mac
    #: ``192.168.1.0/24``: the sending agent must be on it itself.
    network: Annotated[str, Length(1, 40)]


@dataclass(frozen=True, slots=True, kw_only=True)
class WakeSend:
    """Cloud → agent, on the control link: wake another computer of the account by
    broadcasting the magic packets on networks this agent is on."""

    TYPE: ClassVar[str] = "wake.send"

    #: The computer being woken (for the agent's log).
    computer_id: Annotated[str, Length(1, 100)]
    targets: Annotated[tuple[WakeTarget, ...], Length(1, MAX_WAKE_TARGETS)]
    #: UDP port (9, "discard", by convention; 7 and 0 are also seen).
    port: Annotated[int, Range(1, 65535)] = 9


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputerNetworks:
    """Cloud → viewer and portal (live events): a computer reported other network
    adapters, so which computers can be woken may have changed; reload the list."""

    TYPE: ClassVar[str] = "computer.networks"

    computer_id: Annotated[str, Length(1, 100)]


def parse_mac(text: str) -> bytes:
    """Six bytes from ``aa:bb:cc:dd:ee:ff`` (also ``-`` or no separators, any case).
    ValueError for anything else, and for addresses no adapter has (all zeros, a group
    address): no packet can wake them."""
    digits = text.strip().replace(":", "").replace("-", "").replace(".", "")
    if len(digits) != 12:
        raise ValueError(f"{text[:40]!r} is not a hardware address")
    try:
        mac = bytes.fromhex(digits)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a hardware address") from None
    if mac == bytes(6) or mac[0] & 1:
        raise ValueError(f"{format_mac(mac)} is not an adapter's address")
    return mac


def format_mac(mac: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in mac)


def magic_packet(mac: bytes) -> bytes:
    """Six 0xFF bytes, then the address sixteen times (102 bytes)."""
    if len(mac) != 6:
        raise ValueError("a hardware address is six bytes")
    return b"\xff" * 6 + mac * 16


def parse_ipv4_interface(text: str) -> ipaddress.IPv4Interface:
    """``192.168.1.23/24``; ValueError for anything else (IPv6 included)."""
    if "/" not in text:
        raise ValueError(f"{text[:40]!r} has no prefix length")
    return ipaddress.IPv4Interface(text)


def parse_ipv4_network(text: str) -> ipaddress.IPv4Network:
    """``192.168.1.0/24`` exactly (no host bits); ValueError for anything else."""
    if "/" not in text:
        raise ValueError(f"{text[:40]!r} has no prefix length")
    return ipaddress.IPv4Network(text)
