"""Wake-on-LAN from end to end: the cloud under uvicorn, real agents in a network
namespace (a small home network behind one address, joined to this side by a veth
pair), a computer that reported its adapters and went to sleep, and the magic packet
with its hardware address arriving here when the account asks to wake it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from pathlib import Path

import pytest

from app.protocol.wake import magic_packet, parse_mac
from tests.conftest import fast_settings
from tests.support.agent_process import enroll_agent, start_agent
from tests.support.api import Api, EventStream
from tests.support.netns import veth_namespace
from tests.support.server import CloudThread


# A veth pair changes the network Chromium watches (its requests then fail with
# ERR_NETWORK_CHANGED): never while the portal's tests run in it.
@pytest.mark.xdist_group("portal")
async def test_waking_a_sleeping_computer_sends_its_magic_packet(
    tmp_path: Path, agents: list[subprocess.Popen[str]]
) -> None:
    with (
        veth_namespace() as home,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener,
    ):
        # Where a sleeping adapter would hear it: the broadcast of the home's network.
        listener.bind(("0.0.0.0", 0))
        listener.setblocking(False)
        port = listener.getsockname()[1]
        settings = fast_settings(f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}", wake_port=port)
        cloud = CloudThread(settings, host=str(home.host_address.ip)).start()
        try:
            async with Api(cloud.url) as api:
                user = await api.sign_up()
                await enroll_agent(api, user, tmp_path / "media", "Media PC")
                await enroll_agent(api, user, tmp_path / "desk", "Desk")
                ids = {c["name"]: c["id"] for c in await api.computers(user)}
                run_in_home = home.command([])
                async with EventStream(api, user) as events:
                    media = start_agent(tmp_path / "media", "--source", "demo", within=run_in_home)
                    agents.append(media)
                    await events.wait_for(30, type="computer.networks", computer_id=ids["Media PC"])
                    media.kill()  # asleep
                    await events.wait_for(
                        15, type="computer.presence", computer_id=ids["Media PC"], online=False
                    )
                    agents.append(
                        start_agent(tmp_path / "desk", "--source", "demo", within=run_in_home)
                    )
                    await events.wait_for(30, type="computer.networks", computer_id=ids["Desk"])

                [media_listed] = [c for c in await api.computers(user) if c["name"] == "Media PC"]
                assert media_listed["wake"] == {
                    "available": True,
                    "reason": None,
                    "via": ids["Desk"],
                }
                started = await api.http.post(
                    f"/api/v1/computers/{ids['Media PC']}/wake", headers=user.headers
                )
                assert started.status_code == 202, started.text
                assert started.json()["via"]["name"] == "Desk"
                loop = asyncio.get_running_loop()
                packet, (source, _) = await asyncio.wait_for(loop.sock_recvfrom(listener, 1024), 15)
        finally:
            cloud.stop()
        # The sleeping computer's adapter (eth0 there), from the computer that woke it.
        assert packet == magic_packet(parse_mac(home.mac()))
        assert source == str(home.address.ip)
