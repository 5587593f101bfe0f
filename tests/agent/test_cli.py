"""``porthole agent enroll|run`` as real subprocesses against the real cloud."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import stat
import subprocess
from pathlib import Path

import keyring
import pytest

from app.agent.capture.resolution import FITTED_FILE
from app.agent.capture.x11 import list_monitors
from app.agent.link import Backoff, ControlLink
from app.agent.state import AgentState, AgentStore
from app.protocol import ComputerPresence
from tests.conftest import x_server
from tests.support.agent_process import enroll_agent, porthole, start_agent
from tests.support.api import Api, EventStream
from tests.support.keyrings import MemoryKeyring
from tests.support.resolution import killed_while_fitted
from tests.support.server import CloudProcess

# The agent CLI does not depend on the storage backend; SQLite keeps these quick.
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@on_sqlite
async def test_enroll_with_code_run_and_kill_9(
    api: Api, tmp_path: Path, agents: list[subprocess.Popen[str]]
) -> None:
    user = await api.sign_up()
    state_dir = tmp_path / "agent"
    enrolled = await enroll_agent(api, user, state_dir, "Garage PC")
    assert "Enrolled 'Garage PC'" in enrolled.stdout

    # No keyring here: the credential sits in a file only its owner can read.
    token_file = state_dir / "agent-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    public = json.loads((state_dir / "agent.json").read_text())
    assert public["token_store"] == "file"
    assert token_file.read_text() not in (state_dir / "agent.json").read_text()
    assert public["cloud_public_key"].startswith("ed25519:")

    async with EventStream(api, user) as events:
        agent = start_agent(state_dir)
        agents.append(agent)
        online = await events.wait_for(10, type="computer.presence", online=True)
        assert isinstance(online, ComputerPresence)
        agent.send_signal(signal.SIGKILL)
        offline = await events.wait_for(15, type="computer.presence", online=False)
        assert isinstance(offline, ComputerPresence)
        assert offline.computer_id == online.computer_id


@on_sqlite
async def test_enroll_with_email_reads_the_password_from_the_environment(
    api: Api, tmp_path: Path
) -> None:
    user = await api.sign_up()
    args = (
        "agent",
        "--state-dir",
        str(tmp_path / "a"),
        "enroll",
        "--cloud",
        api.url,
        "--name",
        "NAS",
    )

    no_password = porthole(*args, "--email", user.email)
    assert no_password.returncode == 2
    assert "PORTHOLE_PASSWORD" in no_password.stderr

    wrong = porthole(*args, "--email", user.email, env={"PORTHOLE_PASSWORD": "wrong password"})
    assert wrong.returncode == 1
    assert "The email or password is incorrect." in wrong.stderr

    right = porthole(*args, "--email", user.email, env={"PORTHOLE_PASSWORD": user.password})
    assert right.returncode == 0, right.stderr
    assert [c["name"] for c in await api.computers(user)] == ["NAS"]


def test_password_is_never_a_flag() -> None:
    result = porthole(
        "agent",
        "enroll",
        "--cloud",
        "http://127.0.0.1:9",
        "--name",
        "x",
        "--email",
        "a@b.c",
        "--password",
        "p",
    )
    assert result.returncode == 2
    assert "unrecognized arguments: --password" in result.stderr


def test_run_without_enrolment_says_what_to_do(tmp_path: Path) -> None:
    result = porthole("agent", "--state-dir", str(tmp_path), "run")
    assert result.returncode == 2
    assert "porthole agent enroll" in result.stderr


def test_credential_goes_to_the_keyring_when_there_is_one(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        store = AgentStore(tmp_path)
        saved = store.save(
            AgentState("http://127.0.0.1:1", "c-1", "Den", "ed25519:x", ""), "pat_secret"
        )
        assert saved.token_store == "keyring"
        assert memory.secrets == {("porthole-agent", "c-1"): "pat_secret"}
        assert not (tmp_path / "agent-token").exists()
        assert "pat_secret" not in (tmp_path / "agent.json").read_text()
        assert store.load() == (saved, "pat_secret")
        store.forget()
        assert memory.secrets == {}
    finally:
        keyring.set_keyring(previous)


async def test_agent_survives_a_cloud_restart(
    tmp_path: Path, agents: list[subprocess.Popen[str]]
) -> None:
    env = {
        "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}",
        "PORTHOLE_LOG_LEVEL": "warning",
    }
    cloud = CloudProcess(env)
    try:
        async with Api(cloud.url) as api:
            user = await api.sign_up()
            code = (await api.http.post("/api/v1/enrollment-codes", headers=user.headers)).json()[
                "code"
            ]
            state_dir = tmp_path / "agent"
            assert (
                porthole(
                    "agent",
                    "--state-dir",
                    str(state_dir),
                    "enroll",
                    "--cloud",
                    cloud.url,
                    "--name",
                    "Survivor",
                    "--code",
                    code,
                ).returncode
                == 0
            )
            agents.append(start_agent(state_dir))
            async with EventStream(api, user) as events:
                await events.wait_for(10, type="computer.presence", online=True)
        cloud.stop()
        cloud = CloudProcess(env, port=cloud.port)
        async with Api(cloud.url) as api:
            user = await api.sign_in(user.email)
            async with EventStream(api, user) as events:
                if not (await api.computers(user))[0]["online"]:
                    # Backoff with jitter: the agent comes back within its capped delay.
                    await events.wait_for(40, type="computer.presence", online=True)
            assert (await api.computers(user))[0]["online"] is True
    finally:
        cloud.stop()


async def test_a_stopping_cloud_takes_its_computers_offline(tmp_path: Path) -> None:
    env = {
        "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}",
        "PORTHOLE_LOG_LEVEL": "warning",
    }
    cloud = CloudProcess(env)
    try:
        async with Api(cloud.url) as api:
            user = await api.sign_up()
            enrolled = await api.enroll(user, "Left behind")
            link = ControlLink(cloud.url, enrolled["agent_token"], backoff=Backoff(base_s=600))
            task = asyncio.create_task(link.run_forever())
            async with asyncio.timeout(10):
                await link.connected.wait()
            assert (await api.computers(user))[0]["online"] is True
    finally:
        cloud.stop()
    # A new process on the same database (where the agent does not reconnect): the
    # computer is already shown offline, not left "online" until a presence sweep.
    cloud = CloudProcess(env)
    try:
        async with Api(cloud.url) as api:
            user = await api.sign_in(user.email)
            assert (await api.computers(user))[0]["online"] is False
    finally:
        cloud.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@on_sqlite
async def test_a_monitor_left_fitted_by_a_killed_agent_is_given_back_when_it_runs_again(
    api: Api, tmp_path: Path, agents: list[subprocess.Popen[str]]
) -> None:
    """No viewer needed: the restarted agent gives the monitor its own resolution back as
    it starts, before any session."""
    user = await api.sign_up()
    state_dir = tmp_path / "agent"
    await enroll_agent(api, user, state_dir, "Kiosk host")
    with x_server(1920, 1200) as display_name:
        killed_while_fitted(display_name, state_dir, 900, 1200)
        async with EventStream(api, user) as events:
            agent = start_agent(state_dir, "--source", "x11", env={"DISPLAY": display_name})
            agents.append(agent)
            await events.wait_for(20, type="computer.presence", online=True)
            # The monitor is given back before the agent links to the cloud.
            [monitor] = list_monitors(display_name)
            assert (monitor.width, monitor.height) == (1920, 1200)
            assert not (state_dir / FITTED_FILE).exists()
