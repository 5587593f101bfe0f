"""Wake-on-LAN's messages and its magic packet."""

from __future__ import annotations

import ipaddress

import pytest

from app.protocol import MalformedMessage, decode_message, encode_message
from app.protocol.wake import (
    Adapter,
    WakeNetworks,
    WakeSend,
    WakeTarget,
    format_mac,
    magic_packet,
    parse_ipv4_interface,
    parse_ipv4_network,
    parse_mac,
)


def test_a_report_and_a_request_cross_the_wire_unchanged() -> None:
    report = WakeNetworks(
        adapters=(
            Adapter(interface="eth0", mac="3c:52:82:4a:10:07", ipv4="192.168.1.23/24"),
            Adapter(interface="wlan0", mac="3c:52:82:4a:10:08"),
            Adapter(interface="tun0", ipv4="10.8.0.2/24"),
        )
    )
    assert decode_message(encode_message(report)) == report
    empty = WakeNetworks(adapters=())
    assert decode_message(encode_message(empty)) == empty
    request = WakeSend(
        computer_id="c1",
        targets=(WakeTarget(mac="3c:52:82:4a:10:07", network="192.168.1.0/24"),),
        port=40009,
    )
    assert decode_message(encode_message(request)) == request


def test_a_request_names_at_least_one_packet_and_a_real_port() -> None:
    with pytest.raises(MalformedMessage, match="targets"):
        decode_message('{"type":"wake.send","computer_id":"c1","targets":[]}')
    target = '{"mac":"3c:52:82:4a:10:07","network":"192.168.1.0/24"}'
    for port in (0, 65536):
        with pytest.raises(MalformedMessage, match="port"):
            decode_message(
                f'{{"type":"wake.send","computer_id":"c1","targets":[{target}],"port":{port}}}'
            )


def test_the_magic_packet_is_six_ff_then_the_address_sixteen_times() -> None:
    mac = parse_mac("3C-52-82-4A-10-07")
    packet = magic_packet(mac)
    assert len(packet) == 102
    assert packet[:6] == b"\xff" * 6
    assert packet[6:] == bytes.fromhex("3c52824a1007") * 16
    with pytest.raises(ValueError):
        magic_packet(b"\x01\x02")


@pytest.mark.parametrize("text", ["3c:52:82:4a:10:07", "3C-52-82-4A-10-07", "3c52.824a.1007"])
def test_hardware_addresses_are_read_in_the_usual_spellings(text: str) -> None:
    assert format_mac(parse_mac(text)) == "3c:52:82:4a:10:07"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3c:52:82:4a:10",
        "3c:52:82:4a:10:07:00",
        "zz:52:82:4a:10:07",
        "00:00:00:00:00:00",  # loopback's: no adapter answers to it
        "ff:ff:ff:ff:ff:ff",  # a group address
        "01:00:5e:00:00:01",
    ],
)
def test_what_no_adapter_answers_to_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_mac(text)


def test_networks_are_read_with_their_prefix() -> None:
    assert parse_ipv4_interface("192.168.1.23/24").network == ipaddress.IPv4Network(
        "192.168.1.0/24"
    )
    assert parse_ipv4_network("10.0.0.0/8").broadcast_address == ipaddress.IPv4Address(
        "10.255.255.255"
    )
    for bad in ("192.168.1.23", "fe80::1/64", "192.168.1.300/24", "192.168.1.0/33"):
        with pytest.raises(ValueError):
            parse_ipv4_interface(bad)
    with pytest.raises(ValueError):
        parse_ipv4_network("192.168.1.23/24")  # host bits: not a network
