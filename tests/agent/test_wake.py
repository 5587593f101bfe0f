"""Wake-on-LAN on the agent's side: the adapters it reports, and magic packets that a real
UDP socket receives, on loopback and across a veth pair into a network namespace."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest

from app.agent.wake import local_adapters, send_wake
from app.protocol.wake import (
    WakeSend,
    WakeTarget,
    magic_packet,
    parse_ipv4_interface,
    parse_mac,
)
from tests.support.netns import veth_namespace

MAC = "3c:52:82:4a:10:07"
OTHER_MAC = "3c:52:82:4a:10:99"


@contextlib.contextmanager
def listening(address: str = "0.0.0.0") -> Iterator[socket.socket]:
    """A UDP socket on a free port, as a sleeping adapter's listener would be."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        sock.settimeout(10)
        yield sock


def test_the_adapters_reported_have_an_address_to_wake_and_no_loopback() -> None:
    for adapter in local_adapters():
        assert adapter.interface != "lo"
        assert adapter.mac is not None
        parse_mac(adapter.mac)
        if adapter.ipv4 is not None:
            assert not parse_ipv4_interface(adapter.ipv4).ip.is_loopback
    # Named adapters are reported as they are, loopback's network included.
    [loopback] = [a for a in local_adapters({"lo"}) if a.ipv4 == "127.0.0.1/8"]
    assert loopback.interface == "lo" and loopback.mac is None


def test_the_magic_packet_is_broadcast_on_loopback() -> None:
    with listening() as listener:
        port = listener.getsockname()[1]
        request = WakeSend(
            computer_id="c1",
            targets=(
                # Not a network of this computer's: never sent to.
                WakeTarget(mac=OTHER_MAC, network="10.231.0.0/24"),
                WakeTarget(mac=MAC, network="127.0.0.0/8"),
            ),
            port=port,
        )
        assert send_wake(request, local_adapters({"lo"})) == 1
        packet, (source, _) = listener.recvfrom(1024)
    # The first packet to arrive is the one for the network this computer is on.
    assert packet == magic_packet(parse_mac(MAC))
    assert packet == b"\xff" * 6 + bytes.fromhex("3c52824a1007") * 16
    assert source == "127.0.0.1"


# A veth pair changes the network Chromium watches (its requests then fail with
# ERR_NETWORK_CHANGED): never while the portal's tests run in it.
@pytest.mark.xdist_group("portal")
def test_the_magic_packet_crosses_a_real_link_as_a_broadcast() -> None:
    with veth_namespace() as other, listening() as listener:
        port = listener.getsockname()[1]
        # The agent's own code, in the other namespace: its adapters found by itself
        # (eth0 there), the packet broadcast from it to this side of the link.
        sent = other.python(
            "from app.agent.wake import local_adapters, send_wake\n"
            "from app.protocol.wake import WakeSend, WakeTarget\n"
            "adapters = local_adapters()\n"
            "print([a.interface for a in adapters])\n"
            f"target = WakeTarget(mac={MAC!r}, network={str(other.network)!r})\n"
            f"print(send_wake(WakeSend(computer_id='c1', targets=(target,), port={port}), "
            "adapters))\n"
        )
        assert sent.stdout.split("\n")[:2] == ["['eth0']", "1"]
        packet, (source, _) = listener.recvfrom(1024)
    assert packet == magic_packet(parse_mac(MAC))
    assert source == str(other.address.ip)
