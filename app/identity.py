"""A device's long-term end-to-end key (agent or viewer), kept in the OS keyring, or where
no keyring works (a headless server), in a file only its owner can read (0600).

The key never leaves the device: only its public half goes to the cloud."""

from __future__ import annotations

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


def load_or_create_key(service: str, user: str, fallback: Path) -> StaticKey:
    """This device's key: from the keyring, else from ``fallback``, else a new one (put in
    the keyring, or in ``fallback`` when the keyring refuses it)."""
    try:
        stored = keyring.get_password(service, user)
    except keyring.errors.KeyringError as exc:
        log.info("the keyring could not be read (%s); using the private key file", exc)
        stored = None
    if stored:
        return StaticKey.from_text(stored)
    try:
        return StaticKey.from_text(fallback.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        pass
    key = StaticKey.generate()
    try:
        keyring.set_password(service, user, key.private_text)
    except keyring.errors.KeyringError as exc:
        log.info("no usable OS keyring (%s); keeping the session key in a private file", exc)
        write_private(fallback, key.private_text)
    return key
