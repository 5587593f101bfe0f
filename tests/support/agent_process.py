"""``porthole agent`` as a real subprocess: enrolled with a one-time code, started,
killed; the credential in a 0600 file (no keyring on test machines)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.api import Api, User

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def porthole(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, **NO_KEYRING, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def start_agent(
    state_dir: Path,
    *options: str,
    within: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """``porthole agent run``; unattended (``--approve auto``) unless ``options`` say;
    ``within``: the command it runs under (``ip netns exec NAME``); ``env``: more
    environment."""
    if "--approve" not in options:
        options = (*options, "--approve", "auto")
    return subprocess.Popen(
        [
            *within,
            sys.executable,
            "-m",
            "app",
            "agent",
            "--state-dir",
            str(state_dir),
            "run",
            *options,
        ],
        env={**os.environ, **NO_KEYRING, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def enroll_agent(
    api: Api, user: User, state_dir: Path, name: str
) -> subprocess.CompletedProcess[str]:
    """``porthole agent enroll --code`` with a fresh one-time code; its output returned."""
    response = await api.http.post("/api/v1/enrollment-codes", headers=user.headers)
    code = response.json()["code"]
    enrolled = porthole(
        "agent",
        "--state-dir",
        str(state_dir),
        "enroll",
        "--cloud",
        api.url,
        "--name",
        name,
        "--code",
        code,
    )
    assert enrolled.returncode == 0, enrolled.stderr
    return enrolled
