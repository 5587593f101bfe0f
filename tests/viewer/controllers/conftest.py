"""The app against the real cloud: a main window, its controller, a fake keychain and a
private settings folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.viewer.controllers.app import AppController
from app.viewer.core.credentials import CredentialStore
from app.viewer.views.main_window import MainWindow
from tests.support.api import Api
from tests.support.keyrings import MemoryKeyring


@pytest.fixture
async def app(
    api: Api, qtbot: QtBot, keychain: MemoryKeyring, tmp_path: Path
) -> AsyncIterator[AppController]:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    controller = AppController(api.url, window, CredentialStore(config_dir=tmp_path / "config"))
    yield controller
    await controller.close()
