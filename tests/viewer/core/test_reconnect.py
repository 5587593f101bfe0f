"""A session outlives its connection: the agent is killed mid-session, the viewer says
so, retries with backoff while the computer is offline, and is live again when the
agent is back; a computer that was removed ends the retries with the reason."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from app.protocol import ComputerPresence
from app.protocol.secure import StaticKey
from app.viewer.core.backoff import Backoff
from app.viewer.core.grants import renewer, request_session
from app.viewer.core.session import ViewerSession
from tests.support.agent_process import enroll_agent, start_agent
from tests.support.api import Api, EventStream
from tests.support.sessions import entitled_user

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@on_sqlite
async def test_the_session_comes_back_after_the_agent_is_killed(
    api: Api, tmp_path: Path, agents: list[subprocess.Popen[str]]
) -> None:
    user = await entitled_user(api)
    await enroll_agent(api, user, tmp_path / "agent", "Kiosk host")
    async with EventStream(api, user) as events:
        agents.append(start_agent(tmp_path / "agent", "--source", "demo"))
        online = await events.wait_for(15, type="computer.presence", online=True)
        assert isinstance(online, ComputerPresence)
        computer_id = online.computer_id
        key = StaticKey.generate()
        grant = await request_session(api.http, user.headers, computer_id, key)
        states: list[str] = []
        async with ViewerSession(
            api.url,
            grant,
            renew=renewer(api.http, user.headers, computer_id, key),
            backoff=Backoff(first_s=0.05, cap_s=0.5),
            on_state=lambda state, detail: states.append(state),
        ) as session:
            await session.next_picture(15)

            agents[0].send_signal(signal.SIGKILL)
            await session.wait_state("reconnecting", 15)
            await events.wait_for(15, type="computer.presence", online=False)
            # Offline: the cloud refuses tickets, and the viewer keeps trying, saying why.
            await session.wait_state("reconnecting", 5)

            agents.append(start_agent(tmp_path / "agent", "--source", "demo"))
            await session.wait_state("live", 30)
            picture = await session.next_picture(15)
            assert picture.rgb.shape == (720, 1280, 3)
            assert session.reconnects == 1
            assert states[:2] == ["live", "reconnecting"] and states[-1] == "live"

            # Removed while connected: the agent's link is closed, the session drops,
            # and the cloud's 404 ends the retries instead of looping forever.
            removed = await api.http.delete(
                f"/api/v1/computers/{computer_id}", headers=user.headers
            )
            assert removed.status_code == 204
            await session.wait_state("closed", 30)
            assert "computer" in session.detail.lower()
        assert session.state == "closed"
