"""A network namespace joined to this one by a veth pair: a second "computer" on a real
(virtual) Ethernet link, where a broadcast really crosses from one side to the other.
Needs root (``ip netns add``); the test is skipped where it cannot be made."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class VethNamespace:
    name: str
    #: This side's adapter and address (the test's own namespace).
    host_interface: str
    host_address: ipaddress.IPv4Interface
    #: The namespace's adapter (named ``eth0`` there, as on a plain computer) and address.
    address: ipaddress.IPv4Interface

    @property
    def network(self) -> ipaddress.IPv4Network:
        return self.address.network

    def mac(self) -> str:
        """The hardware address of the namespace's ``eth0``."""
        shown = self.run(["cat", "/sys/class/net/eth0/address"])
        return shown.stdout.strip()

    def command(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(argv), capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        return done

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        """``code`` run by this interpreter inside the namespace (the same ``app``)."""
        return self.run([sys.executable, "-c", code])


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def veth_namespace() -> Iterator[VethNamespace]:
    if shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("network namespaces need root and iproute2")
    tag = secrets.token_hex(3)
    name = f"porthole-{tag}"
    host_interface = f"pw{tag}"
    subnet = ipaddress.IPv4Network(f"10.213.{secrets.randbelow(250) + 1}.0/24")
    host_address = ipaddress.IPv4Interface(f"{subnet[1]}/{subnet.prefixlen}")
    address = ipaddress.IPv4Interface(f"{subnet[2]}/{subnet.prefixlen}")
    try:
        _ip("netns", "add", name)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"no network namespaces here: {exc.stderr.strip()}")
    try:
        _ip("link", "add", host_interface, "type", "veth", "peer", "name", "eth0", "netns", name)
        _ip("addr", "add", host_address.with_prefixlen, "dev", host_interface)
        _ip("link", "set", host_interface, "up")
        _ip("-n", name, "addr", "add", address.with_prefixlen, "dev", "eth0")
        _ip("-n", name, "link", "set", "eth0", "up")
        _ip("-n", name, "link", "set", "lo", "up")
        yield VethNamespace(name, host_interface, host_address, address)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", host_interface)
        _ip("netns", "del", name)
