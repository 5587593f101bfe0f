"""Where the agent keeps the portal's restore token (with it, the screen is shared with no
dialog): in the OS keyring, else in a file only the agent's user can read; one token per
state folder, for the interface that issued it. The portal itself is the subject of
tests/agent/capture/test_portal.py."""

from __future__ import annotations

import stat
from pathlib import Path

from app.agent.xdg_portal import REMOTE_DESKTOP, SCREEN_CAST, TOKEN_FILE, TokenStore
from tests.support.keyrings import MemoryKeyring, NoKeyring, using_keyring


def test_the_token_goes_to_the_keyring_and_nothing_to_disk(tmp_path: Path) -> None:
    with using_keyring(MemoryKeyring()) as keychain:
        TokenStore(tmp_path).save(SCREEN_CAST, "grant-1")
        assert TokenStore(tmp_path).load(SCREEN_CAST) == "grant-1"  # a restarted agent
        assert len(keychain.secrets) == 1
        assert list(tmp_path.iterdir()) == []
        TokenStore(tmp_path).forget()
        assert keychain.secrets == {}
        assert TokenStore(tmp_path).load(SCREEN_CAST) is None


def test_without_a_keyring_the_token_is_a_file_only_its_owner_reads(tmp_path: Path) -> None:
    with using_keyring(NoKeyring()):
        TokenStore(tmp_path).save(SCREEN_CAST, "grant-1")
        kept = tmp_path / TOKEN_FILE
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert TokenStore(tmp_path).load(SCREEN_CAST) == "grant-1"
        TokenStore(tmp_path).forget()
        assert not kept.exists()


def test_a_keyring_that_starts_working_takes_the_token_off_the_disk(tmp_path: Path) -> None:
    with using_keyring(NoKeyring()):
        TokenStore(tmp_path).save(SCREEN_CAST, "grant-1")
    with using_keyring(MemoryKeyring()):
        store = TokenStore(tmp_path)
        assert store.load(SCREEN_CAST) == "grant-1"  # the older copy still works
        store.save(SCREEN_CAST, "grant-2")
        assert not (tmp_path / TOKEN_FILE).exists()
        assert store.load(SCREEN_CAST) == "grant-2"


def test_a_token_is_only_used_with_its_interface_and_its_state_folder(tmp_path: Path) -> None:
    with using_keyring(MemoryKeyring()):
        TokenStore(tmp_path / "a").save(SCREEN_CAST, "grant-a")
        assert TokenStore(tmp_path / "a").load(REMOTE_DESKTOP) is None
        assert TokenStore(tmp_path / "b").load(SCREEN_CAST) is None  # another agent's


def test_a_damaged_token_is_treated_as_none(tmp_path: Path) -> None:
    with using_keyring(NoKeyring()):
        (tmp_path / TOKEN_FILE).write_text("{not json")
        assert TokenStore(tmp_path).load(SCREEN_CAST) is None
