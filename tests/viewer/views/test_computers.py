"""The Computers list's own behaviour: a search field once there are many, filtering by
name or system, and the empty state."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from app.viewer.core.records import Computer
from app.viewer.views.computers import SEARCH_FROM, ComputersView
from tests.support.qt import screenshot


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
