"""``build.spec``: PyInstaller builds the one-folder bundle, and the bundle runs.

The build happens once for this module (about 30 s on an idle 2-core machine, longer
beside the rest of the suite), into a temporary dist/work path that is removed after.
Then the bundled ``porthole`` prints its version, runs the viewer offscreen in smoke mode,
and serves the cloud from a fresh SQLite database (so the Alembic migrations are in the
bundle) to which the bundled agent enrols and streams the demo desktop, decoded here.

Skipped where PyInstaller (the dev extra) or objdump (binutils, which PyInstaller needs
on Linux) is missing; PORTHOLE_REQUIRE_PYINSTALLER=1 (scripts/test) makes that a failure.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from app.cloud.server import READY_PREFIX
from app.protocol import ComputerPresence
from app.protocol.secure import StaticKey
from app.viewer.core.grants import request_session
from app.viewer.core.session import ViewerSession
from tests.support.agent_process import NO_KEYRING
from tests.support.api import Api, EventStream
from tests.support.server import SANDBOX_ENV
from tests.support.sessions import entitled_user

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "build.spec"
REQUIRE = os.environ.get("PORTHOLE_REQUIRE_PYINSTALLER") == "1"
# Measured ~30 s alone; a loaded CI machine running the suite beside it is several times
# slower. A build still going after this is stuck, not slow.
BUILD_TIMEOUT_S = 900
# The bundle should stay lean: ~450 MB today (Qt with QtMultimedia, FFmpeg twice (PyAV's and
# QtMultimedia's), OpenBLAS, ICU are most of it). Well past that means something unneeded
# (a test tool, another Qt module) got in. Each file counts once: PyInstaller links
# libraries beside the executable to their copy inside, and a link is not more bytes.
MAX_BUNDLE_BYTES = 600 * 1024 * 1024

pytestmark = [
    # One worker builds once and runs these in turn (--dist loadgroup). xdist hands out
    # work units largest first, and every ungrouped test is a unit of one, so this group
    # starts with the run (beside the fuzzers' group) and the build overlaps the rest of
    # the suite on the other worker instead of running last, alone.
    pytest.mark.xdist_group("pyinstaller"),
    # The first test also pays for the module's build.
    pytest.mark.timeout(BUILD_TIMEOUT_S + 180),
]


def _missing() -> str | None:
    if importlib.util.find_spec("PyInstaller") is None:
        return "PyInstaller is not installed (the dev extra)"
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        return "objdump is missing (Debian package binutils); PyInstaller needs it on Linux"
    return None


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """dist/porthole, freshly built from build.spec."""
    missing = _missing()
    if missing is not None:
        if REQUIRE:
            pytest.fail(f"PyInstaller builds are required for this run: {missing}")
        pytest.skip(missing)
    root = tmp_path_factory.mktemp("pyinstaller")
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level=WARN",
        f"--distpath={root / 'dist'}",
        f"--workpath={root / 'work'}",
        str(SPEC),
    ]
    started = time.monotonic()
    # Its own process group: on a timeout, PyInstaller's helper processes go too.
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"pyinstaller took over {BUILD_TIMEOUT_S} s:\n{output[-6000:]}")
    elapsed = time.monotonic() - started
    assert process.returncode == 0, f"pyinstaller failed after {elapsed:.0f} s:\n{output[-8000:]}"
    try:
        yield root / "dist" / "porthole"
    finally:
        # ~400 MB: not left for pytest's tmp retention to pile up.
        shutil.rmtree(root, ignore_errors=True)


def run(bundle: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [str(bundle / "porthole"), *args],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr


def test_version(bundle: Path) -> None:
    code, output = run(bundle, "--version")
    assert (code, output.strip()) == (0, f"porthole {__version__}")


def test_the_viewer_starts_offscreen(bundle: Path) -> None:
    code, output = run(bundle, "--smoke-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert code == 0, output
    assert "smoke ok: 'Porthole'" in output and "on offscreen" in output, output


def test_what_is_bundled(bundle: Path) -> None:
    internal = bundle / "_internal"
    # Alembic reads these from disk; the bundle's modules alone would not migrate.
    versions = internal / "app/cloud/db/migrations/versions"
    assert (internal / "app/cloud/db/migrations/env.py").is_file()
    assert (internal / "app/cloud/db/migrations/script.py.mako").is_file()
    assert sorted(p.name for p in versions.glob("0*.py")) == sorted(
        p.name for p in (REPO / "app/cloud/db/migrations/versions").glob("0*.py")
    )
    # keyring picks its backends from its entry points.
    [entry_points] = internal.glob("keyring-*.dist-info/entry_points.txt")
    assert "keyring.backends" in entry_points.read_text()
    assert (internal / "PySide6/Qt/plugins/platforms/libqoffscreen.so").is_file()
    assert (internal / "PySide6/Qt/plugins/platforms/libqxcb.so").is_file()
    assert not (internal / "tkinter").exists() and not (internal / "_pytest").exists()
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < MAX_BUNDLE_BYTES, f"the bundle grew to {size / 2**20:.0f} MiB"


class Output:
    """A subprocess's combined output, read on a thread so its pipe never fills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._process = process
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.lines.append("")  # end of output
            self._changed.notify_all()

    def wait_for(self, prefix: str, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line.strip()
                left = deadline - time.monotonic()
                if (self.lines and self.lines[-1] == "") or left <= 0:
                    raise AssertionError(f"no {prefix!r} line; output:\n{self.text()}")
                self._changed.wait(left)

    def text(self) -> str:
        return "".join(self.lines[-60:])


@contextlib.contextmanager
def started(bundle: Path, *args: str, env: dict[str, str]) -> Iterator[Output]:
    """The bundled porthole running ``args``; stopped with SIGTERM (killed if need be)."""
    process = subprocess.Popen(
        [str(bundle / "porthole"), *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield Output(process)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


async def test_the_bundle_serves_enrols_and_streams(bundle: Path, tmp_path: Path) -> None:
    """The cloud migrates a new database and serves; the agent enrols and streams; here,
    a viewer session decodes a picture: uvicorn, SQLAlchemy drivers, Alembic scripts,
    keyring, Pillow and PyAV's encoder all work from the bundle."""
    env = {
        **NO_KEYRING,  # by name: keyring imports the backend module from the bundle
        "PORTHOLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}",
        "PORTHOLE_LOG_LEVEL": "warning",
        "PORTHOLE_ARGON2_TIME_COST": "1",
        "PORTHOLE_ARGON2_MEMORY_KIB": "8192",
        **SANDBOX_ENV,
    }
    with started(bundle, "cloud", "serve", "--port", "0", env=env) as cloud:
        url = cloud.wait_for(READY_PREFIX, timeout_s=60).removeprefix(READY_PREFIX)
        async with Api(url) as api:
            user = await entitled_user(api)
            code = await api.http.post("/api/v1/enrollment-codes", headers=user.headers)
            state = str(tmp_path / "agent")
            agent_cli = ["agent", "--state-dir", state]
            enrolled, output = run(
                bundle,
                *agent_cli,
                *("enroll", "--cloud", url, "--name", "Bundle host"),
                *("--code", code.json()["code"]),
                env=env,
            )
            assert enrolled == 0, output
            async with EventStream(api, user) as events:
                with started(bundle, *agent_cli, "run", "--source", "demo", env=env) as agent:
                    try:
                        online = await events.wait_for(30, type="computer.presence", online=True)
                    except TimeoutError:
                        pytest.fail(f"the bundled agent did not come online:\n{agent.text()}")
                    assert isinstance(online, ComputerPresence)
                    grant = await request_session(
                        api.http, user.headers, online.computer_id, StaticKey.generate()
                    )
                    async with ViewerSession(url, grant) as session:
                        picture = await session.next_picture(30)
                    height, width, channels = picture.image.shape
                    assert channels == 3 and width >= 640 and height >= 360  # RGB
