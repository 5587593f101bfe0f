"""Remember me: the sign-in the viewer resumes at the next start.

The refresh token is a credential: it lives only in the OS keyring (service "Porthole",
keyed by cloud URL and email), never in a file. The cloud URL and the email are not
secret and go to a small JSON file in the user's config directory, so the sign-in form
can be filled in even where the keyring is locked or missing. Without a usable keyring
nothing secret is kept at all: the person signs in again next time.

Refresh tokens rotate, so ``save`` is called after every refresh (``CloudClient``'s
``on_tokens``), not only at sign-in: a stored token that was already used would end the
sign-in when presented."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import keyring.errors
import platformdirs

from app.identity import load_or_create_key, write_private
from app.protocol.secure import StaticKey
from app.viewer.core.known_keys import KnownKeys
from app.viewer.core.records import Tokens

log = logging.getLogger(__name__)
SERVICE = "Porthole"
SETTINGS_FILE = "signin.json"
DEVICE_KEY_USER = "device session key"
DEVICE_KEY_FILE = "device-key"
KNOWN_KEYS_FILE = "known-computers.json"


@dataclass(frozen=True)
class Remembered:
    cloud_url: str
    email: str
    #: None when the keyring holds no token for them (sign in again, email prefilled).
    refresh_token: str | None = field(default=None, repr=False)


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir("porthole", appauthor=False)) / "viewer"


def keyring_user(cloud_url: str, email: str) -> str:
    # One entry per cloud and account: a test cloud never picks up a production token.
    return f"{cloud_url.rstrip('/')} {email}"


class CredentialStore:
    def __init__(self, config_dir: Path | None = None, *, service: str = SERVICE) -> None:
        self.config_dir = config_dir or default_config_dir()
        self.service = service

    @property
    def settings_path(self) -> Path:
        return self.config_dir / SETTINGS_FILE

    def load(self) -> Remembered | None:
        """Who was remembered, with their refresh token when the keyring has it."""
        try:
            saved = json.loads(self.settings_path.read_text(encoding="utf-8"))
            cloud_url, email = str(saved["cloud_url"]), str(saved["email"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # nothing saved, or a damaged file: start from the sign-in form
        token: str | None = None
        try:
            token = keyring.get_password(self.service, keyring_user(cloud_url, email))
        except keyring.errors.KeyringError as exc:
            log.info("the keyring could not be read (%s); signing in again", exc)
        return Remembered(cloud_url, email, token or None)

    def save(self, cloud_url: str, email: str, refresh_token: str) -> bool:
        """Remember this sign-in. False when no keyring could take the token: only the
        email and cloud URL were kept."""
        previous = self.load()
        if previous is not None and (previous.cloud_url, previous.email) != (cloud_url, email):
            self._delete_token(previous)
        self._write_settings(cloud_url, email)
        try:
            keyring.set_password(self.service, keyring_user(cloud_url, email), refresh_token)
        except keyring.errors.KeyringError as exc:
            log.info("no usable keyring (%s); the sign-in will not be remembered", exc)
            return False
        return True

    def device_key(self) -> StaticKey:
        """This viewer install's end-to-end key: made once, kept in the keyring (or in a
        0600 file where no keyring works); its public half goes in every session ticket."""
        return load_or_create_key(self.service, DEVICE_KEY_USER, self.config_dir / DEVICE_KEY_FILE)

    def known_keys(self) -> KnownKeys:
        """The computers' keys pinned on first use (public keys: a plain 0600 file)."""
        return KnownKeys(self.config_dir / KNOWN_KEYS_FILE)

    def clear(self) -> None:
        """Forget everything (sign out): the token in the keyring and the settings file."""
        previous = self.load()
        if previous is not None:
            self._delete_token(previous)
        self.settings_path.unlink(missing_ok=True)

    def listener(self, cloud_url: str, email: str) -> Callable[[Tokens | None], None]:
        """For ``CloudClient.on_tokens``: keep the current refresh token, forget it when
        the sign-in ends."""

        def keep(tokens: Tokens | None) -> None:
            if tokens is None:
                self.clear()
            else:
                self.save(cloud_url, email, tokens.refresh_token)

        return keep

    def _delete_token(self, who: Remembered) -> None:
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(self.service, keyring_user(who.cloud_url, who.email))

    def _write_settings(self, cloud_url: str, email: str) -> None:
        text = json.dumps({"cloud_url": cloud_url, "email": email}, indent=2)
        # Owner-only because an email is personal even if it is not a secret.
        write_private(self.settings_path, text)
