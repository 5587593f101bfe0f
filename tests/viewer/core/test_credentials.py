"""Remember me: the refresh token goes to the keyring and nowhere else; the email and
cloud address to a small settings file; the next start resumes the sign-in, a rotation
replaces the stored token, and signing out forgets it."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.viewer.core.cloud import CloudClient
from app.viewer.core.credentials import SERVICE, CredentialStore, Remembered
from tests.support.api import PASSWORD, Api
from tests.support.keyrings import MemoryKeyring, NoKeyring, using_keyring

URL = "https://cloud.example.com"
TOKEN = "prt_secret-refresh-token-value"
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    with using_keyring(backend):
        yield backend


def written(directory: Path) -> str:
    """Everything in every file under ``directory``."""
    files = [path for path in directory.rglob("*") if path.is_file()]
    return "".join(path.read_text(encoding="utf-8", errors="replace") for path in files)


def test_the_token_goes_to_the_keyring_and_never_to_a_file(
    tmp_path: Path, memory: MemoryKeyring
) -> None:
    store = CredentialStore(tmp_path)
    assert store.save(URL, "ada@example.com", TOKEN) is True
    assert memory.secrets == {(SERVICE, f"{URL} ada@example.com"): TOKEN}
    assert json.loads(store.settings_path.read_text()) == {
        "cloud_url": URL,
        "email": "ada@example.com",
    }
    assert TOKEN not in written(tmp_path)
    assert stat.S_IMODE(store.settings_path.stat().st_mode) == 0o600
    assert CredentialStore(tmp_path).load() == Remembered(URL, "ada@example.com", TOKEN)


def test_signing_out_forgets_everything(tmp_path: Path, memory: MemoryKeyring) -> None:
    store = CredentialStore(tmp_path)
    store.save(URL, "ada@example.com", TOKEN)
    store.clear()
    assert memory.secrets == {}
    assert not store.settings_path.exists()
    assert store.load() is None
    store.clear()  # twice is harmless


def test_another_account_replaces_the_first(tmp_path: Path, memory: MemoryKeyring) -> None:
    store = CredentialStore(tmp_path)
    store.save(URL, "ada@example.com", TOKEN)
    store.save(URL, "bob@example.com", "prt_bob")
    assert memory.secrets == {(SERVICE, f"{URL} bob@example.com"): "prt_bob"}
    assert store.load() == Remembered(URL, "bob@example.com", "prt_bob")


def test_without_a_keyring_only_the_email_is_remembered(tmp_path: Path) -> None:
    with using_keyring(NoKeyring()):
        store = CredentialStore(tmp_path)
        assert store.save(URL, "ada@example.com", TOKEN) is False
        assert TOKEN not in written(tmp_path)
        # The sign-in form comes back with the email filled in; no token to resume with.
        assert store.load() == Remembered(URL, "ada@example.com", None)
        store.clear()
        assert store.load() is None


def test_a_damaged_settings_file_means_starting_from_the_form(
    tmp_path: Path, memory: MemoryKeyring
) -> None:
    store = CredentialStore(tmp_path)
    store.settings_path.write_text("{not json")
    assert store.load() is None
    store.settings_path.write_text('{"email": "ada@example.com"}')
    assert store.load() is None


@on_sqlite
async def test_remembered_sign_in_resumes_follows_rotation_and_ends_at_sign_out(
    api: Api, tmp_path: Path, memory: MemoryKeyring
) -> None:
    store = CredentialStore(tmp_path)
    email = f"remember-{tmp_path.name[-8:]}@example.com".lower()
    async with CloudClient(api.url) as first:
        first.on_tokens = store.listener(api.url, email)
        await first.sign_up(email, PASSWORD)
        signed_in_token = memory.secrets[(SERVICE, f"{api.url} {email}")]

    # The app restarts: it finds who was signed in and resumes without a password.
    remembered = store.load()
    assert remembered is not None and remembered.refresh_token == signed_in_token
    async with CloudClient(api.url) as client:
        client.on_tokens = store.listener(remembered.cloud_url, remembered.email)
        account = await client.resume(remembered.refresh_token)
        assert account.email == email
        # Refresh tokens rotate: the stored one is always the one not yet used.
        rotated = memory.secrets[(SERVICE, f"{api.url} {email}")]
        assert rotated != signed_in_token
        await client.refresh()
        assert memory.secrets[(SERVICE, f"{api.url} {email}")] not in (rotated, signed_in_token)
        assert memory.secrets[(SERVICE, f"{api.url} {email}")] not in written(tmp_path)

        assert await client.sign_out() is True
    assert memory.secrets == {}
    assert store.load() is None
