"""Kiosk mode: signs in unattended, shows the one computer full screen without chrome,
does not close on a close request, comes back by itself when the computer's agent is
killed and restarted (status at the bottom edge only), and leaves on its chord."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.viewer.core.credentials import CredentialStore
from app.viewer.kiosk import run_kiosk
from app.viewer.main import ViewerOptions
from app.viewer.qt import QtCore, QtGui, QtTest, QtWidgets
from app.viewer.views.session_window import SessionWindow
from tests.support.agent_process import enroll_agent, start_agent
from tests.support.api import PASSWORD, Api, EventStream
from tests.support.keyrings import MemoryKeyring
from tests.support.qt import qt_until, screenshot
from tests.support.sessions import entitled_user

Qt = QtCore.Qt
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def kiosk_window() -> SessionWindow | None:
    windows = [
        w
        for w in QtWidgets.QApplication.topLevelWidgets()
        if isinstance(w, SessionWindow) and w.kiosk and w.isVisible()
    ]
    return windows[0] if windows else None


@on_sqlite
async def test_the_kiosk_starts_unattended_survives_a_killed_agent_and_leaves_on_its_chord(
    api: Api,
    qtbot: QtBot,
    keychain: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    agents: list[subprocess.Popen[str]],
) -> None:
    user = await entitled_user(api)
    await enroll_agent(api, user, tmp_path / "agent", "Lobby screen")
    monkeypatch.setenv("PORTHOLE_PASSWORD", PASSWORD)
    options = ViewerOptions(api.url, kiosk=True, email=user.email, computer="lobby SCREEN")
    async with EventStream(api, user) as events:
        agents.append(start_agent(tmp_path / "agent", "--source", "demo"))
        await events.wait_for(15, type="computer.presence", online=True)
        kiosk = asyncio.ensure_future(
            run_kiosk(options, store=CredentialStore(config_dir=tmp_path / "config"))
        )
        try:
            await qt_until(lambda: kiosk_window() is not None, 10, "the kiosk window")
            window = kiosk_window()
            assert window is not None
            await qt_until(lambda: window.video.painted_frame_id >= 0, 20, "the remote screen")
            # Full screen, no chrome: the remote screen fills the display.
            screen = QtGui.QGuiApplication.primaryScreen().geometry()
            assert window.isFullScreen() and window.geometry() == screen
            assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
            assert not window.bar.isVisible()
            screenshot(window, "kiosk")
            window.close()  # a close request from the system: ignored
            assert window.isVisible()

            # The agent dies: the last picture stays, the status shows at the bottom.
            agents[0].send_signal(signal.SIGKILL)
            await qt_until(lambda: window.video._veil is not None, 15, "reconnecting")
            assert window.video.veil_at_bottom
            await events.wait_for(15, type="computer.presence", online=False)
            screenshot(window, "kiosk-reconnecting")
            agents.append(start_agent(tmp_path / "agent", "--source", "demo"))
            await events.wait_for(15, type="computer.presence", online=True)
            old = window.controller.picture()
            await qt_until(
                lambda: window.video._veil is None and window.controller.picture() is not old,
                30,
                "the session to come back",
            )

            # The exit chord is the only way out.
            QtTest.QTest.keyClick(
                window.video,
                Qt.Key.Key_Q,
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.ShiftModifier,
            )
            await qt_until(kiosk.done, 15, "the kiosk to leave")
            assert kiosk.result() == 0
        finally:
            if not kiosk.done():
                kiosk.cancel()
                await asyncio.gather(kiosk, return_exceptions=True)
