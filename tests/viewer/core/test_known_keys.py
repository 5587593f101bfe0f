"""Computers' keys pinned on first use: the same key passes, another one is refused until
the person accepts it, per cloud and computer; a damaged file starts anew."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.viewer.core.known_keys import ComputerKeyChanged, KnownKeys

CLOUD = "https://cloud.example"


def test_first_use_pins_and_a_change_is_refused_until_trusted(tmp_path: Path) -> None:
    known = KnownKeys(tmp_path / "viewer" / "known-computers.json")
    known.check(CLOUD, "pc-1", "x25519:first")
    known.check(CLOUD + "/", "pc-1", "x25519:first")  # the same cloud, written otherwise
    with pytest.raises(ComputerKeyChanged, match="identity changed") as refused:
        known.check(CLOUD, "pc-1", "x25519:second")
    assert (refused.value.computer_id, refused.value.new_key) == ("pc-1", "x25519:second")
    # Another computer, or the same id on another cloud, is a first use of its own.
    known.check(CLOUD, "pc-2", "x25519:second")
    known.check("https://other.example", "pc-1", "x25519:second")
    known.trust(CLOUD, "pc-1", "x25519:second")
    known.check(CLOUD, "pc-1", "x25519:second")
    with pytest.raises(ComputerKeyChanged):
        known.check(CLOUD, "pc-1", "x25519:first")
    assert stat.S_IMODE(known.path.stat().st_mode) == 0o600


def test_a_damaged_file_starts_anew(tmp_path: Path) -> None:
    path = tmp_path / "known-computers.json"
    path.write_text("{not json")
    known = KnownKeys(path)
    known.check(CLOUD, "pc-1", "x25519:first")  # no crash: pinned again from here
    with pytest.raises(ComputerKeyChanged):
        known.check(CLOUD, "pc-1", "x25519:other")
