"""A device's long-term end-to-end key (agent or viewer), kept in the OS keyring, or where
no keyring works (a headless server), in a file only its owner can read (0600).

The key never leaves the device: only its public half goes to the cloud."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import keyring
import keyring.errors

from app.protocol.secure import StaticKey

log = logging.getLogger(__name__)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, created 0600 from the start (never readable by others
    even for a moment) and replaced whole, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


class KeptSecret:
    """One secret of this device, kept in the OS keyring under ``service`` and ``user``,
    or, where no keyring works (a headless server), in ``fallback``, a file only its owner
    can read. ``what`` names it in the log (its value never goes there)."""

    def __init__(self, service: str, user: str, fallback: Path, what: str) -> None:
        self.service, self.user, self.fallback, self.what = service, user, fallback, what

    def read(self) -> str | None:
        try:
            stored = keyring.get_password(self.service, self.user)
        except keyring.errors.KeyringError as exc:
            log.info(
                "the keyring could not be read (%s); looking for the %s's file", exc, self.what
            )
            stored = None
        if stored:
            return stored
        try:
            return self.fallback.read_text(encoding="utf-8").strip() or None
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write(self, text: str) -> None:
        try:
            keyring.set_password(self.service, self.user, text)
        except keyring.errors.KeyringError as exc:
            log.info("no usable OS keyring (%s); keeping the %s in a private file", exc, self.what)
            write_private(self.fallback, text)
            return
        self.fallback.unlink(missing_ok=True)  # an older copy from a keyring-less day

    def delete(self) -> None:
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(self.service, self.user)
        self.fallback.unlink(missing_ok=True)


def load_or_create_key(service: str, user: str, fallback: Path) -> StaticKey:
    """This device's key: from the keyring, else from ``fallback``, else a new one (put in
    the keyring, or in ``fallback`` when the keyring refuses it)."""
    kept = KeptSecret(service, user, fallback, "session key")
    stored = kept.read()
    if stored:
        try:
            return StaticKey.from_text(stored)
        except ValueError:
            log.warning("the kept session key is damaged; making a new one")
    key = StaticKey.generate()
    kept.write(key.private_text)
    return key
