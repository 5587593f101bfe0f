"""The session window's Files panel against a real agent: the computer's home is listed,
a double-clicked folder opens, a double-clicked file is fetched into this device's
downloads with its progress bar full, and files dropped on the window go to the
computer's Downloads folder."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.protocol.files import CHUNK_BYTES
from app.viewer.controllers.session import SessionController
from app.viewer.core.session import SessionGrant
from app.viewer.qt import QtCore, QtGui, QtWidgets
from app.viewer.views.session_window import SessionWindow
from tests.support.api import Api
from tests.support.proxy import DroppingProxy
from tests.support.qt import qt_until, screenshot
from tests.support.session_window import demo_session_window
from tests.support.sessions import entitled_online_host, open_session
from tests.support.transfers import DropHalfway, agent_port, through

Qt = QtCore.Qt


def drop_files(widget: QtGui.QWindow | object, paths: list[Path]) -> None:
    """Files dropped on the window, as a file manager would."""
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(path)) for path in paths])
    assert isinstance(widget, QtCore.QObject)
    position = QtCore.QPointF(100, 100)
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    enter = QtGui.QDragEnterEvent(position, actions, mime, buttons, modifiers)
    QtCore.QCoreApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QtGui.QDropEvent(position, actions, mime, buttons, modifiers)
    QtCore.QCoreApplication.sendEvent(widget, drop)
    assert drop.isAccepted()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_browse_fetch_and_drop_files(api: Api, qtbot: QtBot, tmp_path: Path) -> None:
    home, device = tmp_path / "home", tmp_path / "device"
    (home / "Documents").mkdir(parents=True)
    report = os.urandom(700_000)
    (home / "Documents" / "report.pdf").write_bytes(report)
    (home / "todo.txt").write_text("milk")
    device.mkdir()
    downloads = device / "Downloads"
    async with demo_session_window(api, qtbot, home=home, downloads=downloads) as (window, *_):
        window.resize(1200, 700)
        window.files_button.click()
        panel = window.files_panel
        assert panel.isVisible()
        await qt_until(lambda: panel.entries.count() == 2, 10, "the home listed")
        texts = [panel.entries.item(i).text() for i in range(2)]
        assert texts[0] == "📁 Documents" and texts[1].startswith("todo.txt")

        panel.entries.itemActivated.emit(panel.entries.item(0))
        await qt_until(lambda: panel.where.text() == "~/Documents", 10, "the folder opened")
        assert panel.up_button.isEnabled()
        panel.entries.itemActivated.emit(panel.entries.item(0))  # report.pdf: fetched
        await qt_until(lambda: bool(panel.rows), 10, "a transfer row")
        [row] = panel.rows.values()
        await qt_until(lambda: row.progress.value() == 1000, 20, "the download")
        await qt_until(lambda: row.state.text().startswith("Done"), 10, "done")
        assert (device / "Downloads" / "report.pdf").read_bytes() == report
        assert not row.cancel.isVisible()

        photo = device / "photo.jpg"
        photo.write_bytes(os.urandom(300_000))
        drop_files(window, [photo])
        await qt_until(lambda: len(panel.rows) == 2, 10, "the sent file's row")
        sent = panel.rows[max(panel.rows)]
        await qt_until(lambda: sent.state.text() == "Done: Downloads/photo.jpg", 20, "sent")
        assert (home / "Downloads" / "photo.jpg").read_bytes() == photo.read_bytes()
        screenshot(window, "session-window-files")

        panel.up_button.click()
        await qt_until(lambda: panel.where.text() == "~", 10, "back to the home")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_transfers_in_the_window_go_on_after_the_connection_drops(
    api: Api, qtbot: QtBot, tmp_path: Path
) -> None:
    home, device = tmp_path / "home", tmp_path / "device"
    home.mkdir()
    device.mkdir()
    size = 24 * CHUNK_BYTES + 99
    on_host = os.urandom(size)
    (home / "film.bin").write_bytes(on_host)
    photo = device / "photo.bin"
    photo.write_bytes(os.urandom(size))
    async with entitled_online_host(api, direct=True, home=home) as host:
        first = await open_session(api, host)
        async with DroppingProxy(agent_port(first)) as proxy:

            async def renew() -> SessionGrant:
                return through(proxy, await open_session(api, host, first.viewer_key))

            controller = SessionController(downloads=device / "Downloads")
            window = SessionWindow(controller, "Studio")
            qtbot.addWidget(window)
            window.resize(1200, 700)
            window.show()
            drop = DropHalfway(proxy)
            controller.transfer_changed.connect(lambda number: drop(controller.transfer(number)))
            running = asyncio.ensure_future(controller.run(api.url, through(proxy, first), renew))
            try:
                await qt_until(lambda: window.video.painted_frame_id >= 0, 20, "a picture")
                panel = window.files_panel
                drop_files(window, [photo])
                await qt_until(lambda: len(panel.rows) == 1, 10, "the sent file's row")
                [sent] = panel.rows.values()
                await qt_until(lambda: bool(drop.dropped), 20, "the drop halfway")
                await qt_until(lambda: sent.state.text().startswith("Waiting"), 10, "waiting")
                await qt_until(lambda: sent.state.text().startswith("Done"), 30, "sent")
                assert (home / "Downloads" / "photo.bin").read_bytes() == photo.read_bytes()

                def films() -> list[QtWidgets.QListWidgetItem]:
                    items = (panel.entries.item(i) for i in range(panel.entries.count()))
                    return [item for item in items if item.text().startswith("film.bin")]

                assert window.files_button.isChecked()  # opened by the drop
                await qt_until(lambda: bool(films()), 10, "the home listed")
                [film] = films()
                panel.entries.itemActivated.emit(film)
                await qt_until(lambda: len(panel.rows) == 2, 10, "the fetched file's row")
                fetched = panel.rows[max(panel.rows)]
                await qt_until(lambda: len(drop.dropped) == 2, 20, "the second drop")
                await qt_until(lambda: fetched.progress.value() == 1000, 30, "fetched")
                assert (device / "Downloads" / "film.bin").read_bytes() == on_host
                transfers = controller.transfers()
                assert all(t.starts[-1] >= size // 2 for t in transfers)  # went on, not over
            finally:
                window.close()
                await asyncio.wait_for(running, 10)
