"""Preferences kept between launches: defaults when there is nothing or rubbish, and
what this version does not know left alone."""

from __future__ import annotations

import json
from pathlib import Path

from app.viewer.core.preferences import Preferences, PreferenceStore


def test_preferences_are_kept_and_a_damaged_file_means_the_defaults(tmp_path: Path) -> None:
    store = PreferenceStore(tmp_path / "viewer")
    assert store.load() == Preferences()  # nothing saved yet
    assert Preferences().lens and not Preferences().trackpad and Preferences().clipboard
    assert not Preferences().fit_screen  # a window's computer keeps its resolution unasked
    store.save(Preferences(trackpad=True, lens=False))
    assert PreferenceStore(tmp_path / "viewer").load() == Preferences(trackpad=True, lens=False)
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() == Preferences()
    store.path.write_text('{"trackpad": "yes", "lens": 0}', encoding="utf-8")  # not bools
    assert store.load() == Preferences()


def test_a_preference_from_a_newer_version_survives_a_save(tmp_path: Path) -> None:
    store = PreferenceStore(tmp_path)
    store.path.write_text(json.dumps({"wallpaper": True, "trackpad": False}), encoding="utf-8")
    store.save(Preferences(trackpad=True))
    saved = json.loads(store.path.read_text(encoding="utf-8"))
    assert saved == {
        "wallpaper": True,
        "trackpad": True,
        "lens": True,
        "clipboard": True,
        "sound": True,
        "fit_screen": False,
    }
