"""Shared fixtures: a real PostgreSQL server, a database per test on SQLite and on
PostgreSQL, and the real cloud under uvicorn on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cloud.app import close_context, open_context
from app.cloud.clock import OffsetClock
from app.cloud.context import CloudContext
from app.cloud.settings import Settings
from tests.support.api import Api
from tests.support.postgres import PostgresServer, PostgresUnavailable, start_postgres
from tests.support.server import OPERATOR_TOKEN, CloudThread

# No display in CI: Qt draws into memory. Set before anything creates a QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Mail the test clouds send goes to a folder of this run, never the user's data folder;
# tests that read mail give their cloud a folder of its own (tests/support/mail.py).
os.environ.setdefault("PORTHOLE_MAIL_DIR", tempfile.mkdtemp(prefix="porthole-test-mail-"))
REQUIRE_POSTGRES = os.environ.get("PORTHOLE_REQUIRE_POSTGRES") == "1"
WEBHOOK_SECRET = "whsec_test_only"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required for this run: {exc}")
        yield None
        return
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'cloud.db'}"
        return
    server: PostgresServer | None = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("no PostgreSQL server (install the postgresql package)")
    name = f"t_{uuid.uuid4().hex[:16]}"
    server.psql(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fast_settings(database_url: str, **overrides: object) -> Settings:
    """Production code paths with a cheaper argon2 cost, so sign-ups do not dominate."""
    values: dict[str, object] = {
        "database_url": database_url,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8 * 1024,
        "log_level": "warning",
        # Tests sign their own provider events (tampered, replayed…) with this secret.
        "payment_webhook_secret": WEBHOOK_SECRET,
        # Off by default in production: tests turn the sandbox on, as the demo does.
        "payment_provider": "sandbox",
        "operator_token": OPERATOR_TOKEN,
        # One address signs up every test's accounts; the limits have tests of their own.
        "signups_per_hour_per_address": 1_000_000,
        "enrollment_codes_per_hour": 1_000_000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return fast_settings(database_url)


@pytest.fixture
def cloud(settings: Settings, clock: OffsetClock) -> Iterator[CloudThread]:
    server = CloudThread(settings, clock).start()
    yield server
    server.stop()


@pytest.fixture
async def api(cloud: CloudThread) -> AsyncIterator[Api]:
    async with Api(cloud.url) as client:
        yield client


_postgres_passed = 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _postgres_passed
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _postgres_passed += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A green run that silently skipped PostgreSQL would prove nothing about production.
    if REQUIRE_POSTGRES and _postgres_passed == 0 and not hasattr(session.config, "workerinput"):
        session.config.get_terminal_writer().line(
            "PORTHOLE_REQUIRE_POSTGRES=1 but no PostgreSQL test passed", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
async def cloud_context(settings: Settings, clock: OffsetClock) -> AsyncIterator[CloudContext]:
    """The cloud's insides without HTTP, on a migrated database, for domain tests."""
    ctx = await open_context(settings, clock)
    yield ctx
    await close_context(ctx)


@pytest.fixture(scope="session", autouse=True)
def sound_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """PulseAudio for the whole run, named in PULSE_SERVER before any test (see
    tests/support/pulse.py); None where there is none."""
    from tests.support.pulse import pulse_server

    with pulse_server(tmp_path_factory.mktemp("pulse")) as server:
        if server is None:
            yield None
            return
        previous = os.environ.get("PULSE_SERVER")
        os.environ["PULSE_SERVER"] = server
        try:
            yield server
        finally:
            if previous is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = previous


REQUIRE_XVFB = os.environ.get("PORTHOLE_REQUIRE_XVFB") == "1"


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """A real X server for the X11 source and XTest injection."""
    with x_server(1280, 720) as name:
        yield name


@pytest.fixture
def probe(x_display: str) -> Iterator[Any]:
    """A second client of the test X server: draws, and reads back the events that input
    back-ends produced (see tests/support/xprobe.py)."""
    from Xlib import display

    conn = display.Display(x_display)
    yield conn
    conn.close()


@contextlib.contextmanager
def x_server(width: int, height: int) -> Iterator[str]:
    """A fresh Xvfb of this size; skips the test (or fails, where Xvfb is required)."""
    from tests.support.xvfb import XvfbUnavailable, xvfb

    try:
        with xvfb(width, height) as name:
            yield name
    except XvfbUnavailable as exc:
        if REQUIRE_XVFB:
            pytest.fail(f"Xvfb is required for this run: {exc}")
        pytest.skip(str(exc))


@pytest.fixture
def agents() -> Iterator[list[subprocess.Popen[str]]]:
    """Agent subprocesses a test started: killed at the end, whatever happened."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.kill()
        process.wait(10)


@pytest.fixture
def wayland(tmp_path: Path) -> Iterator[Any]:
    """A fresh headless GNOME desktop on Wayland for one test (tests/support/wayland.py),
    with this process's environment pointed at it; skipped where its packages are
    missing, failed where they are required (PORTHOLE_REQUIRE_WAYLAND=1)."""
    from tests.support.wayland import REQUIRE_WAYLAND, WaylandUnavailable, wayland_desktop

    try:
        with wayland_desktop(tmp_path / "wayland") as desktop, desktop.environment():
            yield desktop
    except WaylandUnavailable as exc:
        if REQUIRE_WAYLAND:
            pytest.fail(f"the Wayland desktop is required for this run: {exc}")
        pytest.skip(str(exc))
