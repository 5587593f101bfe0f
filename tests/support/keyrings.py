"""Stand-ins for the OS keychain, which belongs to the person, not to the tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Remembers secrets in a dict, like an unlocked keychain."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError("no such password")
        del self.secrets[(service, username)]


class NoKeyring(KeyringBackend):
    """A machine without a usable keychain (a headless kiosk): every call fails."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no keyring here")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no keyring here")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no keyring here")


Backend = TypeVar("Backend", bound=KeyringBackend)


@contextlib.contextmanager
def using_keyring(backend: Backend) -> Iterator[Backend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
