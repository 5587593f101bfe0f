"""The session window's Files panel: the computer's home folder to browse (double-click a
folder to open it, a file to fetch it into this device's downloads folder), Send files…
to pick files for the computer's Downloads folder (or drop them on the window), and each
transfer with its progress bar and Cancel."""

from __future__ import annotations

from pathlib import Path

from app.protocol.files import DirListing
from app.viewer.controllers.session import SessionController
from app.viewer.core.transfers import Transfer
from app.viewer.qt import QtCore, QtWidgets

ENTRY_ROLE = QtCore.Qt.ItemDataRole.UserRole


class TransferRow(QtWidgets.QWidget):
    def __init__(self, controller: SessionController, transfer: Transfer) -> None:
        super().__init__()
        self.number = transfer.number
        arrow = "↑" if transfer.direction == "send" else "↓"
        self.name = QtWidgets.QLabel(f"{arrow} {transfer.name}")
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName(self.tr("Progress of {name}").format(name=transfer.name))
        self.state = QtWidgets.QLabel()
        self.cancel = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel.setAccessibleName(self.tr("Cancel {name}").format(name=transfer.name))
        self.cancel.clicked.connect(lambda: controller.cancel_transfer(self.number))
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.cancel, 0, 1)
        grid.addWidget(self.progress, 1, 0, 1, 2)
        grid.addWidget(self.state, 2, 0, 1, 2)
        self.show_transfer(transfer)

    def show_transfer(self, transfer: Transfer) -> None:
        self.progress.setValue(round(transfer.fraction * 1000))
        locale = QtCore.QLocale()
        done = locale.formattedDataSize(transfer.done, 1)
        size = locale.formattedDataSize(transfer.size, 1)
        texts = {
            "waiting": self.tr("Waiting for the connection…"),
            "running": self.tr("{done} of {size}").format(done=done, size=size),
            "done": self.tr("Done: {where}").format(
                where=transfer.remote if transfer.direction == "send" else str(transfer.local)
            ),
            "failed": self.tr("Failed: {reason}").format(reason=transfer.error),
            "cancelled": self.tr("Cancelled"),
        }
        self.state.setText(texts[transfer.state])
        self.cancel.setVisible(not transfer.finished)


class FilesPanel(QtWidgets.QFrame):
    def __init__(self, controller: SessionController, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("filesPanel")
        self.controller = controller
        self.path = ""
        self.title = QtWidgets.QLabel(self.tr("Files on the computer"))
        self.title.setObjectName("panelTitle")
        self.up_button = QtWidgets.QPushButton(self.tr("Up"))
        self.up_button.clicked.connect(self._up)
        self.where = QtWidgets.QLabel()
        self.entries = QtWidgets.QListWidget()
        self.entries.setAccessibleName(self.tr("Files in this folder of the computer"))
        self.entries.itemActivated.connect(self._open)
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.fetch_button = QtWidgets.QPushButton(self.tr("Download"))
        self.fetch_button.clicked.connect(self._open_selected)
        self.send_button = QtWidgets.QPushButton(self.tr("Send files…"))
        self.send_button.setProperty("primary", True)
        self.send_button.setToolTip(self.tr("Or drop files on the window"))
        self.send_button.clicked.connect(self._pick)
        self.rows: dict[int, TransferRow] = {}
        self._rows_box = QtWidgets.QVBoxLayout()

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.title)
        path_row = QtWidgets.QHBoxLayout()
        path_row.addWidget(self.up_button)
        path_row.addWidget(self.where, 1)
        layout.addLayout(path_row)
        layout.addWidget(self.entries, 1)
        layout.addWidget(self.message)
        actions = QtWidgets.QHBoxLayout()
        actions.addWidget(self.fetch_button)
        actions.addWidget(self.send_button)
        layout.addLayout(actions)
        layout.addLayout(self._rows_box)
        controller.folder_listed.connect(self._listed)
        controller.transfer_changed.connect(self._transfer_changed)

    def browse(self, path: str) -> None:
        self.message.setText(self.tr("Reading the folder…"))
        self.controller.list_folder(path)

    def _listed(self, listing: DirListing) -> None:
        if listing.error:
            self.message.setText(listing.error)
            return
        self.path = listing.path
        self.where.setText("~/" + listing.path if listing.path else "~")
        self.up_button.setEnabled(bool(listing.path))
        self.entries.clear()
        locale = QtCore.QLocale()
        for entry in listing.entries:
            if entry.folder:
                text = f"📁 {entry.name}"
            else:
                text = f"{entry.name}  ·  {locale.formattedDataSize(entry.size, 1)}"
            item = QtWidgets.QListWidgetItem(text)
            item.setData(ENTRY_ROLE, (entry.name, entry.folder, entry.size))
            self.entries.addItem(item)
        if listing.truncated:
            self.message.setText(
                self.tr("Only the first {count} are shown.").format(count=len(listing.entries))
            )
        elif not listing.entries:
            self.message.setText(self.tr("This folder is empty."))
        else:
            self.message.setText("")

    def _open(self, item: QtWidgets.QListWidgetItem) -> None:
        name, folder, size = item.data(ENTRY_ROLE)
        path = f"{self.path}/{name}" if self.path else name
        if folder:
            self.browse(path)
        else:
            self.controller.fetch_file(path, size)

    def _open_selected(self) -> None:
        item = self.entries.currentItem()
        if item is not None:
            self._open(item)

    def _up(self) -> None:
        self.browse(self.path.rpartition("/")[0])

    def _pick(self) -> None:
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(self, self.tr("Send files"))
        self.controller.send_files(Path(path) for path in paths)

    def _transfer_changed(self, number: int) -> None:
        transfer = self.controller.transfer(number)
        if transfer is None:
            return
        row = self.rows.get(number)
        if row is None:
            row = self.rows[number] = TransferRow(self.controller, transfer)
            self._rows_box.addWidget(row)
        row.show_transfer(transfer)
