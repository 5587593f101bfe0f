"""Asked before connecting to a computer whose key changed since the last session:
Cancel is the default (and Escape); "Connect anyway" pins the new key."""

from __future__ import annotations

from app.viewer.qt import QtWidgets


class KeyChangedQuestion(QtWidgets.QMessageBox):
    def __init__(self, parent: QtWidgets.QWidget, computer_name: str, explanation: str) -> None:
        super().__init__(parent)
        self.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Identity changed — Porthole"))
        self.setText(self.tr("'{name}' has a new identity.").format(name=computer_name))
        self.setInformativeText(explanation)
        self.connect_anyway = self.addButton(
            self.tr("Connect anyway"), QtWidgets.QMessageBox.ButtonRole.AcceptRole
        )
        self.cancel = self.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel)
        self.setEscapeButton(self.cancel)
