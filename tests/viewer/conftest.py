"""Viewer tests: a fake keychain (the OS one belongs to the person, not the tests)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from tests.support.keyrings import MemoryKeyring


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)
