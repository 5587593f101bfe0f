"""The account's security, in one window: email confirmation, password, two-factor
set-up (QR code, then the recovery codes once) and turning it off, the signed-in devices
with "sign out" for each and everywhere, and deleting the account. This view only lays
out and reports what was asked; the controller calls the cloud and tells it the outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.viewer.core.banner import format_date
from app.viewer.core.records import Account, SignInRecord, TwoFactorSetup
from app.viewer.qt import QtGui, QtWidgets, Signal


def _secret_field(name: str) -> QtWidgets.QLineEdit:
    field = QtWidgets.QLineEdit()
    field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


def _code_field(name: str) -> QtWidgets.QLineEdit:
    field = QtWidgets.QLineEdit()
    field.setAccessibleName(name)
    field.setMaxLength(40)
    field.setInputMethodHints(QtGui.Qt.InputMethodHint.ImhPreferNumbers)
    return field


def _status() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(QtGui.Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AccountPanel(QtWidgets.QWidget):
    resend_requested = Signal()
    password_requested = Signal(str, str, str)  # current, new, code ("" without two-factor)
    two_factor_start_requested = Signal()
    two_factor_confirm_requested = Signal(str)  # code
    two_factor_off_requested = Signal(str, str)  # password, code
    revoke_requested = Signal(str)  # sign-in id
    everywhere_requested = Signal()
    delete_requested = Signal(str, str)  # password, code

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Account — Porthole"))
        self.account: Account | None = None
        self._device_ids: list[str] = []
        self._current: set[str] = set()
        content = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(content)
        box.addWidget(self._email_group())
        box.addWidget(self._password_group())
        box.addWidget(self._two_factor_group())
        box.addWidget(self._devices_group())
        box.addWidget(self._delete_group())
        box.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.resize(640, 720)

    # -- layout --------------------------------------------------------------------------

    def _email_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox(self.tr("Email"))
        self.email_state = QtWidgets.QLabel()
        self.email_state.setWordWrap(True)
        self.resend = QtWidgets.QPushButton(self.tr("Send the link again"))
        self.resend.clicked.connect(self._resend)
        self.email_status = _status()
        box = QtWidgets.QVBoxLayout(group)
        for widget in (self.email_state, self.resend, self.email_status):
            box.addWidget(widget)
        return group

    def _password_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox(self.tr("Password"))
        self.current_password = _secret_field(self.tr("Current password"))
        self.new_password = _secret_field(self.tr("New password"))
        self.password_code = _code_field(self.tr("Code for changing the password"))
        self.change_password = QtWidgets.QPushButton(self.tr("Change password"))
        self.change_password.clicked.connect(self._change_password)
        self.password_status = _status()
        form = QtWidgets.QFormLayout(group)
        form.addRow(self.tr("Current password"), self.current_password)
        form.addRow(self.tr("New password"), self.new_password)
        form.addRow(self.tr("Code"), self.password_code)
        form.addRow("", self.change_password)
        form.addRow("", self.password_status)
        self._password_form = form
        return group

    def _two_factor_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox(self.tr("Two-factor sign-in"))
        self.two_factor_state = QtWidgets.QLabel()
        self.two_factor_state.setWordWrap(True)
        self.two_factor_start = QtWidgets.QPushButton(self.tr("Set up two-factor sign-in"))
        self.two_factor_start.clicked.connect(self._start_two_factor)
        # Set-up: the QR code and the key, then the code that proves the app has it.
        self.setup = QtWidgets.QWidget()
        self.scan_text = QtWidgets.QLabel(
            self.tr(
                "Scan this code with an authenticator app, then enter the 6-digit code it shows."
            )
        )
        self.scan_text.setWordWrap(True)
        self.qr = QtWidgets.QLabel()
        self.qr.setAccessibleName(self.tr("QR code to add Porthole to your authenticator app"))
        self.secret = QtWidgets.QLineEdit()
        self.secret.setReadOnly(True)
        self.secret.setAccessibleName(self.tr("Key to type if you cannot scan"))
        self.setup_code = _code_field(self.tr("6-digit code"))
        self.setup_code.returnPressed.connect(self._confirm_two_factor)
        self.turn_on = QtWidgets.QPushButton(self.tr("Turn on"))
        self.turn_on.clicked.connect(self._confirm_two_factor)
        setup_form = QtWidgets.QFormLayout(self.setup)
        setup_form.addRow(self.scan_text)
        setup_form.addRow(self.qr)
        setup_form.addRow(self.tr("Key"), self.secret)
        setup_form.addRow(self.tr("6-digit code"), self.setup_code)
        setup_form.addRow("", self.turn_on)
        # Done: the recovery codes, shown once.
        self.recovery = QtWidgets.QPlainTextEdit()
        self.recovery.setReadOnly(True)
        self.recovery.setAccessibleName(self.tr("Recovery codes"))
        self.recovery_text = QtWidgets.QLabel(
            self.tr(
                "Keep these recovery codes somewhere safe: each signs you in once if you "
                "lose your phone. They are not shown again."
            )
        )
        self.recovery_text.setWordWrap(True)
        # On: turning it off takes the password and a code.
        self.off = QtWidgets.QWidget()
        self.off_password = _secret_field(self.tr("Password for turning two-factor off"))
        self.off_code = _code_field(self.tr("Code for turning two-factor off"))
        self.turn_off = QtWidgets.QPushButton(self.tr("Turn off two-factor sign-in"))
        self.turn_off.clicked.connect(self._turn_off)
        off_form = QtWidgets.QFormLayout(self.off)
        off_form.addRow(self.tr("Password"), self.off_password)
        off_form.addRow(self.tr("Code"), self.off_code)
        off_form.addRow("", self.turn_off)
        self.two_factor_status = _status()
        box = QtWidgets.QVBoxLayout(group)
        for widget in (
            self.two_factor_state,
            self.two_factor_start,
            self.setup,
            self.recovery_text,
            self.recovery,
            self.off,
            self.two_factor_status,
        ):
            box.addWidget(widget)
        return group

    def _devices_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox(self.tr("Signed-in devices"))
        self.devices = QtWidgets.QTableWidget(0, 4)
        self.devices.setHorizontalHeaderLabels(
            [self.tr("Device"), self.tr("Address"), self.tr("Signed in"), self.tr("Last used")]
        )
        self.devices.horizontalHeader().setStretchLastSection(True)
        self.devices.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.devices.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.devices.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.devices.setAccessibleName(self.tr("Signed-in devices"))
        self.devices.itemSelectionChanged.connect(self._selection_changed)
        self.revoke = QtWidgets.QPushButton(self.tr("Sign out the selected device"))
        self.revoke.setEnabled(False)
        self.revoke.clicked.connect(self._revoke)
        self.everywhere = QtWidgets.QPushButton(self.tr("Sign out everywhere"))
        self.everywhere.clicked.connect(self._everywhere)
        self.devices_status = _status()
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.revoke)
        buttons.addWidget(self.everywhere)
        buttons.addStretch(1)
        box = QtWidgets.QVBoxLayout(group)
        box.addWidget(self.devices)
        box.addLayout(buttons)
        box.addWidget(self.devices_status)
        return group

    def _delete_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox(self.tr("Delete your account"))
        text = QtWidgets.QLabel(
            self.tr(
                "Your computers are removed and your sign-ins end; your email and password "
                "are erased. Payment records are kept, as accounting law requires, tied to "
                "no one. This cannot be undone."
            )
        )
        text.setWordWrap(True)
        self.delete_password = _secret_field(self.tr("Password for deleting the account"))
        self.delete_code = _code_field(self.tr("Code for deleting the account"))
        self.understood = QtWidgets.QCheckBox(self.tr("I understand that this cannot be undone"))
        self.delete = QtWidgets.QPushButton(self.tr("Delete my account"))
        self.delete.setEnabled(False)
        self.understood.toggled.connect(self.delete.setEnabled)
        self.delete.clicked.connect(self._delete)
        self.delete_status = _status()
        form = QtWidgets.QFormLayout(group)
        form.addRow(text)
        form.addRow(self.tr("Password"), self.delete_password)
        form.addRow(self.tr("Code"), self.delete_code)
        form.addRow("", self.understood)
        form.addRow("", self.delete)
        form.addRow("", self.delete_status)
        self._delete_form = form
        return group

    # -- what the controller tells it ------------------------------------------------------

    def show_account(self, account: Account) -> None:
        self.account = account
        if account.email_verified:
            self.email_state.setText(self.tr("{email} is confirmed.").format(email=account.email))
        else:
            self.email_state.setText(
                self.tr("{email} is not confirmed yet: open the link we mailed you.").format(
                    email=account.email
                )
            )
        self.resend.setVisible(not account.email_verified)
        # The code fields are there only when two-factor asks for a code.
        self._password_form.setRowVisible(self.password_code, account.two_factor)
        self._delete_form.setRowVisible(self.delete_code, account.two_factor)
        self.two_factor_state.setText(
            self.tr("On: signing in also asks for a code from your authenticator app.")
            if account.two_factor
            else self.tr("Off: your password alone signs you in.")
        )
        self.two_factor_start.setVisible(not account.two_factor)
        self.two_factor_start.setEnabled(True)
        self.setup.setVisible(False)
        self.off.setVisible(account.two_factor)
        if not self.recovery.toPlainText():
            self.recovery.setVisible(False)
            self.recovery_text.setVisible(False)

    def show_two_factor_setup(self, setup: TwoFactorSetup) -> None:
        pixmap = QtGui.QPixmap()
        pixmap.loadFromData(setup.qr_png, "PNG")
        self.qr.setPixmap(pixmap)
        self.secret.setText(setup.secret)
        self.setup_code.clear()
        self.two_factor_start.setVisible(False)
        self.setup.setVisible(True)
        self.turn_on.setEnabled(True)
        self.two_factor_status.setText("")
        self.setup_code.setFocus()

    def show_recovery_codes(self, codes: list[str]) -> None:
        self.setup.setVisible(False)
        self.recovery.setPlainText("\n".join(codes))
        self.recovery.setVisible(True)
        self.recovery_text.setVisible(True)
        self.two_factor_status.setText(self.tr("Two-factor sign-in is on."))

    def show_devices(self, devices: list[SignInRecord]) -> None:
        now = datetime.now(UTC)
        self.devices.setRowCount(len(devices))
        self._device_ids = [device.id for device in devices]
        for row, device in enumerate(devices):
            name = device.device_name or self.tr("Unnamed device")
            if device.current:
                name = self.tr("{name} (this app)").format(name=name)
            cells = (
                name,
                device.address,
                format_date(device.created_at, now) if device.created_at else "",
                format_date(device.last_used_at, now) if device.last_used_at else "",
            )
            for column, text in enumerate(cells):
                self.devices.setItem(row, column, QtWidgets.QTableWidgetItem(text))
        self._current = {device.id for device in devices if device.current}
        self._selection_changed()

    def show_done(self, where: QtWidgets.QLabel, text: str) -> None:
        """An outcome (done, or what went wrong) under the part it belongs to."""
        where.setText(text)
        for button in (self.change_password, self.turn_on, self.turn_off, self.delete):
            button.setEnabled(button is not self.delete or self.understood.isChecked())
        self.resend.setEnabled(True)
        self.everywhere.setEnabled(True)
        self._selection_changed()

    # -- what the person asks ----------------------------------------------------------------

    def _resend(self) -> None:
        self.resend.setEnabled(False)
        self.email_status.setText(self.tr("Sending…"))
        self.resend_requested.emit()

    def _change_password(self) -> None:
        self.change_password.setEnabled(False)
        self.password_status.setText(self.tr("Saving…"))
        self.password_requested.emit(
            self.current_password.text(),
            self.new_password.text(),
            self.password_code.text().strip(),
        )

    def _start_two_factor(self) -> None:
        self.two_factor_start.setEnabled(False)
        self.two_factor_start_requested.emit()

    def _confirm_two_factor(self) -> None:
        self.turn_on.setEnabled(False)
        self.two_factor_confirm_requested.emit(self.setup_code.text().strip())

    def _turn_off(self) -> None:
        self.turn_off.setEnabled(False)
        self.two_factor_off_requested.emit(self.off_password.text(), self.off_code.text().strip())

    def _selection_changed(self) -> None:
        rows = {index.row() for index in self.devices.selectionModel().selectedRows()}
        chosen = [self._device_ids[row] for row in rows if row < len(self._device_ids)]
        self.revoke.setEnabled(bool(chosen) and not set(chosen) & self._current)

    def _revoke(self) -> None:
        rows = [index.row() for index in self.devices.selectionModel().selectedRows()]
        if rows:
            self.revoke.setEnabled(False)
            self.revoke_requested.emit(self._device_ids[rows[0]])

    def _everywhere(self) -> None:
        self.everywhere.setEnabled(False)
        self.everywhere_requested.emit()

    def _delete(self) -> None:
        self.delete.setEnabled(False)
        self.delete_status.setText(self.tr("Deleting…"))
        self.delete_requested.emit(self.delete_password.text(), self.delete_code.text().strip())
