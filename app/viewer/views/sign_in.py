"""Sign in or create an account: email, password, "remember me", and what went wrong in
words (with the wait when throttled, and Retry when the cloud did not answer)."""

from __future__ import annotations

from app.viewer.core.design import PORTAL_CSS
from app.viewer.qt import QtCore, QtGui, QtWidgets, Signal

#: The portal's logo, the same file.
LOGO = PORTAL_CSS.parent / "icon.svg"


class SignInView(QtWidgets.QWidget):
    sign_in_requested = Signal(str, str, bool)  # email, password, remember me
    sign_up_requested = Signal(str, str, bool)
    retry_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._creating = False
        self._asking_code = False
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("title")
        self.email = QtWidgets.QLineEdit()
        self.email.setPlaceholderText(self.tr("you@example.com"))
        self.email.setAccessibleName(self.tr("Email"))
        self.password = QtWidgets.QLineEdit()
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        # Two-factor: shown once the cloud asks for the code.
        self.code = QtWidgets.QLineEdit()
        self.code.setAccessibleName(self.tr("Code"))
        self.code.setPlaceholderText(self.tr("6-digit code"))
        self.code.returnPressed.connect(self._submitted)
        self.remember = QtWidgets.QCheckBox(self.tr("Remember me on this device"))
        self.remember.setChecked(True)
        self.submit = QtWidgets.QPushButton()
        self.submit.setDefault(True)
        self.submit.clicked.connect(self._submitted)
        self.password.returnPressed.connect(self._submitted)
        self.error = QtWidgets.QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.retry = QtWidgets.QPushButton(self.tr("Retry"))
        self.retry.setVisible(False)
        self.retry.clicked.connect(self.retry_requested.emit)
        self.switch = QtWidgets.QPushButton()
        self.switch.setFlat(True)
        self.switch.clicked.connect(lambda: self._set_creating(not self._creating))
        self._countdown = QtCore.QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._wait_s = 0

        # One compact card in the middle of the window, as the portal's sign-in: the logo,
        # a title, each label above its field, the main action full width.
        self.logo = QtWidgets.QLabel()
        self.logo.setObjectName("logo")
        self.logo.setPixmap(QtGui.QIcon(str(LOGO)).pixmap(QtCore.QSize(56, 56)))
        self.logo.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
        self.logo.setAccessibleName("Porthole")
        self.title.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
        self.code_label = QtWidgets.QLabel(self.tr("Code"))
        card = QtWidgets.QFrame()
        card.setObjectName("card")
        card.setMaximumWidth(420)
        card.setMinimumWidth(300)
        box = QtWidgets.QVBoxLayout(card)
        box.setContentsMargins(24, 24, 24, 24)
        box.setSpacing(8)
        box.addWidget(self.logo)
        box.addWidget(self.title)
        box.addSpacing(8)
        for label, field in (
            (QtWidgets.QLabel(self.tr("Email")), self.email),
            (QtWidgets.QLabel(self.tr("Password")), self.password),
            (self.code_label, self.code),
        ):
            label.setBuddy(field)
            box.addWidget(label)
            box.addWidget(field)
        box.addWidget(self.remember)
        box.addSpacing(4)
        box.addWidget(self.submit)
        box.addWidget(self.error)
        box.addWidget(self.retry)
        box.addWidget(self.switch)
        self.card = card
        self._show_code(False)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self._set_creating(False)

    def _set_creating(self, creating: bool) -> None:
        self._creating = creating
        self.title.setText(self.tr("Create your account") if creating else self.tr("Sign in"))
        self.submit.setText(self.tr("Create account") if creating else self.tr("Sign in"))
        self.switch.setText(
            self.tr("I already have an account") if creating else self.tr("Create an account")
        )
        self.show_error("")

    def _show_code(self, shown: bool) -> None:
        self.code_label.setVisible(shown)
        self.code.setVisible(shown)

    def _submitted(self) -> None:
        if not self.submit.isEnabled():
            return
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.show_error(self.tr("Enter your email and password."))
            return
        signal = self.sign_up_requested if self._creating else self.sign_in_requested
        signal.emit(email, password, self.remember.isChecked())

    def ask_code(self, message: str) -> None:
        """Two-factor is on: the code field, focused, with why."""
        self._show_code(True)
        self._asking_code = True
        self.code.clear()
        self.code.setFocus()
        self.show_error(message)

    def entered_code(self) -> str | None:
        return (self.code.text().strip() or None) if self._asking_code else None

    def set_busy(self, busy: bool) -> None:
        for widget in (self.submit, self.email, self.password, self.switch):
            widget.setEnabled(not busy and self._wait_s == 0)
        if busy:
            self.submit.setText(self.tr("Signing in…"))
        else:
            self._set_labels()

    def _set_labels(self) -> None:
        self.submit.setText(self.tr("Create account") if self._creating else self.tr("Sign in"))

    def show_error(self, message: str, *, retry: bool = False, wait_s: float = 0) -> None:
        self._message = message
        self.error.setVisible(bool(message))
        self.retry.setVisible(retry)
        self._wait_s = int(wait_s + 0.999)
        if self._wait_s:
            self._countdown.start()
            self.submit.setEnabled(False)
        self._render_error()

    def _render_error(self) -> None:
        text = self._message
        if self._wait_s:
            text = self.tr("{message} Try again in {seconds} s.").format(
                message=self._message, seconds=self._wait_s
            )
        self.error.setText(text.strip())

    def _tick(self) -> None:
        self._wait_s = max(0, self._wait_s - 1)
        if self._wait_s == 0:
            self._countdown.stop()
            self.submit.setEnabled(True)
        self._render_error()

    def reset(self, email: str = "") -> None:
        """Back to an empty form (signed out), keeping the email if known."""
        self.email.setText(email)
        self.password.clear()
        self.code.clear()
        self._asking_code = False
        self._show_code(False)
        self._set_creating(False)
