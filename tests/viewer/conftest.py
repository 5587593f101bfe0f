"""Viewer tests: a fake keychain (the OS one belongs to the person, not the tests), and
an empty clipboard for every test (sessions share it: one test's copy is not the next's)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from tests.support.keyrings import MemoryKeyring


@pytest.fixture(autouse=True)
def empty_clipboard(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        from app.viewer.qt import QtGui

        QtGui.QGuiApplication.clipboard().clear()


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)
