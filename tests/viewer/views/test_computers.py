"""The Computers list's own behaviour: a search field once there are many, filtering by
name or system, and the empty state."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from app.viewer.core.records import Computer, os_family
from app.viewer.core.thumbnails import ThumbnailStore
from app.viewer.qt import QtCore, QtTest
from app.viewer.views.computers import SEARCH_FROM, ComputersView
from tests.support.qt import screenshot, tab_stops


def computers(count: int) -> list[Computer]:
    seen = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return [
        Computer(
            f"c{n}",
            f"Office {n:02}" if n % 2 else f"Studio {n:02}",
            "Windows 11" if n % 3 else "macOS 15",
            online=n % 2 == 0,
            last_seen=seen,
        )
        for n in range(count)
    ]


def test_search_appears_with_many_computers_and_filters(qtbot: QtBot) -> None:
    view = ComputersView()
    qtbot.addWidget(view)
    view.resize(760, 560)
    view.show()
    view.show_computers(computers(SEARCH_FROM - 1))
    assert not view.search.isVisible()
    view.show_computers(computers(12))
    assert view.search.isVisible()
    view.search.setText("studio")
    shown = {cid for cid, row in view.rows.items() if row.isVisibleTo(view)}
    assert shown == {f"c{n}" for n in range(12) if n % 2 == 0}
    view.search.setText("macos")
    shown = {cid for cid, row in view.rows.items() if row.isVisibleTo(view)}
    assert shown == {f"c{n}" for n in range(12) if n % 3 == 0}
    screenshot(view, "computers-search")
    view.show_computers([])
    assert view.pages.currentWidget() is view.empty


def test_each_card_shows_the_last_screen_or_the_systems_icon(qtbot: QtBot, tmp_path: Path) -> None:
    store = ThumbnailStore(tmp_path)
    screen = np.zeros((720, 1280, 3), dtype=np.uint8)
    screen[:, :, 2] = 200  # a blue desktop
    store.save("c1", screen)
    view = ComputersView()
    view.thumbnail_for = store.path
    qtbot.addWidget(view)
    view.resize(760, 560)
    view.show()
    view.show_computers(
        [
            Computer("c1", "Studio", "Ubuntu 24.04", True, None),
            Computer("c2", "Den", "Windows 11", False, None),
            Computer("c3", "Laptop", "macOS 15", True, None),
        ]
    )
    studio = view.rows["c1"].picture
    assert studio.accessibleName() == "The screen of Studio when last seen"
    thumb = studio.pixmap().toImage()
    assert (thumb.width(), thumb.height()) == (96, 54)
    assert thumb.pixelColor(48, 27).blue() > 150
    assert view.rows["c2"].picture.accessibleName() == "Windows"
    assert view.rows["c3"].picture.accessibleName() == "macOS"
    assert not view.rows["c2"].picture.pixmap().isNull()
    screenshot(view, "computers-cards")


def test_the_list_is_worked_with_the_keyboard(qtbot: QtBot) -> None:
    view = ComputersView()
    qtbot.addWidget(view)
    view.resize(760, 560)
    view.show()
    qtbot.waitExposed(view)
    view.show_computers(
        [
            Computer("c1", "Atelier", "Ubuntu 24.04", True, None),
            Computer("c2", "Bureau", "Windows 11", True, None),
        ]
    )
    first, second = view.rows["c1"], view.rows["c2"]
    first.connect_button.setFocus()
    # Each card's buttons in reading order, then the next card.
    assert tab_stops(view, 3) == [
        first.connect_button,
        first.rename_button,
        first.remove_button,
        second.connect_button,
    ]
    with qtbot.waitSignal(view.connect_requested) as connected:
        QtTest.QTest.keyClick(second.connect_button, QtCore.Qt.Key.Key_Return)
    assert connected.args == ["c2"]


def test_thumbnails_are_kept_for_this_user_only(tmp_path: Path) -> None:
    store = ThumbnailStore(tmp_path)
    assert store.path("c1") is None
    saved = store.save("../c1", np.zeros((10, 20, 3), dtype=np.uint8))
    assert saved is not None and saved.parent == tmp_path / "thumbnails"
    assert saved.stat().st_mode & 0o777 == 0o600
    store.forget("../c1")
    assert store.path("../c1") is None


def test_the_systems_family_is_told_from_its_name() -> None:
    assert [os_family(name) for name in ("Ubuntu 24.04", "Windows 11", "Darwin", "Haiku")] == [
        "linux",
        "windows",
        "macos",
        "other",
    ]
