"""The Computers list: the subscription banner on top, then each computer with its
presence, system and last-seen time, Connect (or Wake, for a sleeping computer another
of the account's can wake), Rename and Remove; a search field once there are many; and,
with none yet, how to install and enrol the agent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.viewer.core.banner import format_date
from app.viewer.core.design import PORTAL_CSS
from app.viewer.core.records import Computer, os_family
from app.viewer.qt import QtCore, QtGui, QtWidgets, Signal
from app.viewer.views.banner import BannerWidget

SEARCH_FROM = 7  # computers; below that a search field is clutter
OS_ICONS = PORTAL_CSS.parents[1] / "viewer"
#: Below this width of the list, cards put their buttons under their names.
NARROW_CARD_PX = 620
#: The card's picture: the screen as last seen, or the system's icon, in this box.
PICTURE_SIZE = QtCore.QSize(96, 54)
#: How long a card says "Waking…" when the computer does not come online.
WAKE_WAIT_MS = 3 * 60 * 1000


class ComputerRow(QtWidgets.QFrame):
    connect_requested = Signal(str)
    wake_requested = Signal(str)
    rename_requested = Signal(str, str)
    remove_requested = Signal(str)

    def __init__(self, computer: Computer, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.computer_id = computer.id
        self.setObjectName("computerRow")
        self.name = QtWidgets.QLabel()
        self.name.setObjectName("computerName")
        self.name_edit = QtWidgets.QLineEdit()
        self.name_edit.setAccessibleName(self.tr("New name"))
        self.name_edit.setVisible(False)
        self.name_edit.returnPressed.connect(self._rename_done)
        self.detail = QtWidgets.QLabel()
        self.detail.setWordWrap(True)  # a phone's card: "Windows 11 ·" / "Never connected"
        self.presence = QtWidgets.QLabel()
        # The screen as this viewer last saw it, or else the system's icon.
        self.picture = QtWidgets.QLabel()
        self.picture.setObjectName("computerPicture")
        self.picture.setFixedSize(PICTURE_SIZE)
        self.picture.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.thumbnail: Path | None = None
        self.connect_button = QtWidgets.QPushButton(self.tr("Connect"))
        self.connect_button.setProperty("primary", True)  # the row's main action
        self.connect_button.clicked.connect(lambda: self.connect_requested.emit(self.computer_id))
        # In Connect's place while the computer sleeps and another of the account's, on its
        # network, can wake it (Wake-on-LAN); "Waking…" until it comes online.
        self.wake_button = QtWidgets.QPushButton(self.tr("Wake"))
        self.wake_button.setProperty("primary", True)
        self.wake_button.setToolTip(
            self.tr("Wake this computer through another of yours on its network")
        )
        self.wake_button.clicked.connect(self._wake)
        self.wake_button.setVisible(False)
        self._waking = False
        self._wake_wait = QtCore.QTimer(self)
        self._wake_wait.setSingleShot(True)
        self._wake_wait.setInterval(WAKE_WAIT_MS)
        self._wake_wait.timeout.connect(lambda: self.set_waking(False))
        self.rename_button = QtWidgets.QPushButton(self.tr("Rename"))
        self.rename_button.clicked.connect(self._rename_start)
        self.remove_button = QtWidgets.QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self._remove_start)
        # Removing asks first, in the row itself (no modal dialog over a live list).
        self.confirm = QtWidgets.QWidget()
        confirm_row = QtWidgets.QHBoxLayout(self.confirm)
        confirm_row.setContentsMargins(0, 0, 0, 0)
        confirm_row.addWidget(QtWidgets.QLabel(self.tr("Remove this computer?")))
        self.confirm_remove = QtWidgets.QPushButton(self.tr("Remove"))
        self.confirm_remove.clicked.connect(lambda: self.remove_requested.emit(self.computer_id))
        cancel = QtWidgets.QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(lambda: self._confirming(False))
        confirm_row.addWidget(self.confirm_remove)
        confirm_row.addWidget(cancel)
        self.confirm.setVisible(False)
        # On a narrow card (a phone) Rename and Remove wait in a menu beside Connect.
        self.more_button = QtWidgets.QToolButton()
        self.more_button.setText(self.tr("More"))
        self.more_button.setAccessibleName(self.tr("More for this computer"))
        self.more_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QtWidgets.QMenu(self.more_button)
        more.addAction(self.tr("Rename")).triggered.connect(self._rename_start)
        more.addAction(self.tr("Remove")).triggered.connect(self._remove_start)
        self.more_button.setMenu(more)
        self.more_button.setVisible(False)
        self._narrow = False
        self._confirm_on = False

        text = QtWidgets.QVBoxLayout()
        text.addWidget(self.name)
        text.addWidget(self.name_edit)
        text.addWidget(self.detail)
        about = QtWidgets.QHBoxLayout()
        about.addWidget(self.picture)
        about.addWidget(self.presence)
        about.addLayout(text, 1)
        actions = QtWidgets.QHBoxLayout()
        actions.addStretch(1)  # right-aligned under the text on a narrow card
        for widget in (
            self.confirm,
            self.connect_button,
            self.wake_button,
            self.rename_button,
            self.remove_button,
            self.more_button,
        ):
            actions.addWidget(widget)
        # Side by side on a wide card; the actions under the rest on a narrow one (a phone).
        self.card = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.LeftToRight, self)
        self.card.addLayout(about, 1)
        self.card.addLayout(actions)
        self.update_computer(computer)

    def set_narrow(self, narrow: bool) -> None:
        self._narrow = narrow
        self._show_buttons()
        self.card.setDirection(
            QtWidgets.QBoxLayout.Direction.TopToBottom
            if narrow
            else QtWidgets.QBoxLayout.Direction.LeftToRight
        )
        self.updateGeometry()  # a taller card: the list makes room for it

    def update_computer(self, computer: Computer, now: datetime | None = None) -> None:
        self.computer = computer
        self.name.setText(computer.name)
        now = now or datetime.now(UTC)
        if computer.online:
            seen = self.tr("Online")
        elif computer.last_seen is not None:
            seen = self.tr("Last seen {when}").format(when=format_date(computer.last_seen, now))
        else:
            seen = self.tr("Never connected")
        self.detail.setText(
            self.tr("{system} · {presence}").format(system=computer.os, presence=seen)
            if computer.os
            else seen
        )
        colour = "#1f9d55" if computer.online else "#9aa5b1"
        self.presence.setText("●")
        self.presence.setStyleSheet(f"color: {colour}; font-size: 18px;")
        self.presence.setAccessibleName(
            self.tr("Online") if computer.online else self.tr("Offline")
        )
        self.connect_button.setEnabled(computer.online)
        if computer.online:
            self.set_waking(False)  # awake: what waking waited for
        self._show_buttons()
        self._show_picture()

    def set_waking(self, on: bool) -> None:
        """ "Waking…" on the Wake button, until the computer comes online (or a while)."""
        self._waking = on
        if on:
            self._wake_wait.start()
        else:
            self._wake_wait.stop()
        self._show_buttons()

    def _wake(self) -> None:
        self.set_waking(True)
        self.wake_requested.emit(self.computer_id)

    def set_thumbnail(self, path: Path | None) -> None:
        """The screen as last seen (None: the system's icon instead)."""
        self.thumbnail = path
        self._show_picture()

    def _show_picture(self) -> None:
        family = os_family(self.computer.os)
        if self.thumbnail is not None:
            pixmap = QtGui.QPixmap(str(self.thumbnail))
            if not pixmap.isNull():
                scaled = pixmap.scaled(
                    PICTURE_SIZE,
                    QtCore.Qt.AspectRatioMode.KeepAspectRatio,
                    QtCore.Qt.TransformationMode.SmoothTransformation,
                )
                self.picture.setPixmap(scaled)
                self.picture.setAccessibleName(
                    self.tr("The screen of {name} when last seen").format(name=self.computer.name)
                )
                return
        icon = QtGui.QIcon(str(OS_ICONS / f"os-{family}.svg"))
        self.picture.setPixmap(icon.pixmap(QtCore.QSize(36, 36)))
        names = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}
        self.picture.setAccessibleName(names.get(family, self.tr("Computer")))

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        # Enter on a focused button acts as a click (Qt's buttons take only Space).
        focused = self.focusWidget()
        enter = event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter)
        if enter and isinstance(focused, QtWidgets.QPushButton) and focused.isEnabled():
            focused.click()
            return
        super().keyPressEvent(event)

    def _rename_start(self) -> None:
        self.name_edit.setText(self.computer.name)
        self.name.setVisible(False)
        self.name_edit.setVisible(True)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _rename_done(self) -> None:
        name = self.name_edit.text().strip()
        self.name_edit.setVisible(False)
        self.name.setVisible(True)
        if name and name != self.computer.name:
            self.rename_requested.emit(self.computer_id, name)

    def _remove_start(self) -> None:
        self._confirming(True)

    def _confirming(self, on: bool) -> None:
        self._confirm_on = on
        self._show_buttons()

    def _show_buttons(self) -> None:
        asking = self._confirm_on
        waking = self._waking and not self.computer.online
        wake = not self.computer.online and (self.computer.wakeable or waking)
        self.confirm.setVisible(asking)
        self.connect_button.setVisible(not asking and not wake)
        self.wake_button.setVisible(not asking and wake)
        self.wake_button.setEnabled(not waking)
        self.wake_button.setText(self.tr("Waking…") if waking else self.tr("Wake"))
        for button in (self.rename_button, self.remove_button):
            button.setVisible(not asking and not self._narrow)
        self.more_button.setVisible(not asking and self._narrow)


class EmptyState(QtWidgets.QWidget):
    code_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        title = QtWidgets.QLabel(self.tr("No computers yet"))
        title.setObjectName("title")
        steps = QtWidgets.QLabel(
            self.tr(
                "1. On the computer you want to reach, install Porthole.\n"
                '2. Run: porthole agent enroll --cloud {cloud} --name "My PC" --code CODE\n'
                "3. Then: porthole agent run — it appears here, online."
            )
        )
        steps.setWordWrap(True)
        steps.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._steps_template = steps.text()
        self.steps = steps
        self.code = QtWidgets.QLineEdit()
        self.code.setReadOnly(True)
        self.code.setAccessibleName(self.tr("Enrolment code"))
        self.code.setPlaceholderText(self.tr("Get a code to enrol a computer"))
        self.copy_button = QtWidgets.QPushButton(self.tr("Copy"))
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self._copy)
        self.new_code = QtWidgets.QPushButton(self.tr("Get a code"))
        self.new_code.clicked.connect(self.code_requested.emit)
        self.expiry = QtWidgets.QLabel()
        code_row = QtWidgets.QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.copy_button)
        code_row.addWidget(self.new_code)
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(steps)
        box.addLayout(code_row)
        box.addWidget(self.expiry)
        box.addStretch(1)

    def set_cloud(self, cloud_url: str) -> None:
        self.steps.setText(self._steps_template.replace("{cloud}", cloud_url))

    def show_code(self, code: str, expires: str) -> None:
        self.code.setText(code)
        self.copy_button.setEnabled(True)
        self.expiry.setText(self.tr("Single use; valid until {when}.").format(when=expires))

    def _copy(self) -> None:
        QtGui.QGuiApplication.clipboard().setText(self.code.text())
        self.copy_button.setText(self.tr("Copied"))


class ComputersView(QtWidgets.QWidget):
    connect_requested = Signal(str)
    wake_requested = Signal(str)
    rename_requested = Signal(str, str)
    remove_requested = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        #: Where each computer's thumbnail is, if any (set by the app controller).
        self.thumbnail_for: Callable[[str], Path | None] = lambda computer_id: None
        self.banner = BannerWidget()
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText(self.tr("Search computers"))
        self.search.setAccessibleName(self.tr("Search computers"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.setVisible(False)
        self.rows: dict[str, ComputerRow] = {}
        self._list = QtWidgets.QWidget()
        self._list_box = QtWidgets.QVBoxLayout(self._list)
        self._list_box.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._list)
        self.empty = EmptyState()
        self.pages = QtWidgets.QStackedWidget()
        self._scroll = scroll
        self.pages.addWidget(scroll)
        self.pages.addWidget(self.empty)
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(self.banner)
        box.addWidget(self.search)
        box.addWidget(self.pages, 1)

    def show_computers(self, computers: list[Computer]) -> None:
        wanted = {computer.id for computer in computers}
        for computer_id in list(self.rows):
            if computer_id not in wanted:
                self.rows.pop(computer_id).deleteLater()
        for index, computer in enumerate(sorted(computers, key=lambda c: c.name.lower())):
            row = self.rows.get(computer.id)
            if row is None:
                row = ComputerRow(computer)
                row.set_thumbnail(self.thumbnail_for(computer.id))
                row.set_narrow(self.width() < NARROW_CARD_PX)
                row.connect_requested.connect(self.connect_requested.emit)
                row.wake_requested.connect(self.wake_requested.emit)
                row.rename_requested.connect(self.rename_requested.emit)
                row.remove_requested.connect(self.remove_requested.emit)
                self.rows[computer.id] = row
            else:
                row.update_computer(computer)
            self._list_box.insertWidget(index, row)
        self.pages.setCurrentWidget(self.empty if not computers else self._scroll)
        self.search.setVisible(len(computers) >= SEARCH_FROM)
        self._filter(self.search.text())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        # The list's width decides, not each card's: a card side by side is wider than a
        # phone, so it could never shrink enough to tell by itself.
        super().resizeEvent(event)
        for row in self.rows.values():
            row.set_narrow(event.size().width() < NARROW_CARD_PX)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in self.rows.values():
            haystack = f"{row.computer.name} {row.computer.os}".lower()
            row.setVisible(not needle or needle in haystack)
