"""What the person at the computer sees of remote sessions, as small Qt programs the agent
starts on the computer's own display (the agent itself has no GUI loop):

- ``ask``: "anna@example.com on Anna's iPad wants to connect to this computer." with Allow
  and Deny, counting down to Deny. Prints ``allow`` or ``deny`` and exits.
- ``indicator``: an always-on-top bar while a session runs, "… is connected", with
  Disconnect. Prints ``disconnect`` if pressed; the agent ends it when the session ends.

Each first prints ``shown X Y W H``: where its main button is on the screen (the agent
keeps it, tests click there as a person would). Deny is the default button, so Enter
or Escape never lets anyone in by accident; Alt+A allows.

    python -m app.agent.host_ui ask --who EMAIL --device NAME [--address IP] [--timeout 30]
    python -m app.agent.host_ui indicator --who EMAIL --device NAME
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.viewer.qt import QtCore, QtGui, QtWidgets

Qt = QtCore.Qt


def _describe(who: str, device: str) -> str:
    who = who or "Someone"
    return f"{who} on {device}" if device else who


class _Window(QtWidgets.QWidget):
    def __init__(self, title: str) -> None:
        super().__init__(
            None, Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.FramelessWindowHint
        )
        self.setWindowTitle(title)
        self.setObjectName("porthole-host")
        self.setStyleSheet(
            "#porthole-host { background: #1f2937; border: 2px solid #f59e0b; }"
            "QLabel { color: white; font-size: 15px; }"
            "QPushButton { min-height: 36px; padding: 4px 18px; font-size: 15px; }"
        )

    def announce(self, button: QtWidgets.QPushButton) -> None:
        """``shown X Y W H``: the main button's place on the screen."""
        corner = button.mapToGlobal(QtCore.QPoint(0, 0))
        print(f"shown {corner.x()} {corner.y()} {button.width()} {button.height()}", flush=True)


class ApprovalPrompt(_Window):
    def __init__(self, who: str, device: str, address: str, timeout_s: int) -> None:
        super().__init__("Porthole: allow remote access?")
        self.answer = "deny"
        self._left = timeout_s
        where = f" (from {address})" if address else ""
        text = QtWidgets.QLabel(
            f"<b>{_describe(who, device)}</b>{where} wants to connect to this computer.<br>"
            "They will see the screen and control the mouse and keyboard."
        )
        text.setWordWrap(True)
        self.countdown = QtWidgets.QLabel()
        self.deny = QtWidgets.QPushButton("Deny")
        self.allow = QtWidgets.QPushButton("&Allow")
        self.deny.setDefault(True)
        self.deny.setAutoDefault(True)
        self.deny.clicked.connect(lambda: self._finish("deny"))
        self.allow.clicked.connect(lambda: self._finish("allow"))
        QtGui.QShortcut(QtGui.QKeySequence("Escape"), self, lambda: self._finish("deny"))
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.countdown, 1)
        buttons.addWidget(self.deny)
        buttons.addWidget(self.allow)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(buttons)
        self.setFixedWidth(520)
        self._timer = QtCore.QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._tick()
        self._timer.start()

    def _tick(self) -> None:
        if self._left <= 0:
            self._finish("deny")
            return
        self.countdown.setText(f"Denied in {self._left} s")
        self._left -= 1

    def _finish(self, answer: str) -> None:
        self.answer = answer
        self._timer.stop()
        print(answer, flush=True)
        QtWidgets.QApplication.quit()


class SessionIndicator(_Window):
    def __init__(self, who: str, device: str) -> None:
        super().__init__("Porthole: session in progress")
        dot = QtWidgets.QLabel("●")
        dot.setStyleSheet("color: #f59e0b;")
        label = QtWidgets.QLabel(f"{_describe(who, device)} is connected to this computer")
        self.disconnect_button = QtWidgets.QPushButton("Disconnect")
        self.disconnect_button.clicked.connect(self._disconnect)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(dot)
        layout.addWidget(label, 1)
        layout.addWidget(self.disconnect_button)
        # Never takes the keyboard from what the person is doing.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus)

    def _disconnect(self) -> None:
        print("disconnect", flush=True)
        QtWidgets.QApplication.quit()


def _place_top_centre(window: QtWidgets.QWidget) -> None:
    window.adjustSize()
    screen = QtGui.QGuiApplication.primaryScreen().availableGeometry()
    window.move(screen.x() + (screen.width() - window.width()) // 2, screen.y() + 8)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.agent.host_ui")
    parser.add_argument("kind", choices=["ask", "indicator"])
    parser.add_argument("--who", default="")
    parser.add_argument("--device", default="")
    parser.add_argument("--address", default="")
    parser.add_argument("--timeout", type=int, default=30)
    args = parser.parse_args(argv)
    app = QtWidgets.QApplication(sys.argv[:1])
    window: ApprovalPrompt | SessionIndicator
    if args.kind == "ask":
        window = ApprovalPrompt(args.who, args.device, args.address, max(1, args.timeout))
        button = window.allow
    else:
        window = SessionIndicator(args.who, args.device)
        button = window.disconnect_button
    _place_top_centre(window)
    window.show()
    if isinstance(window, ApprovalPrompt):
        # No window manager (a kiosk host) gives a new window the keyboard: take it, so
        # Escape denies at once.
        window.raise_()
        window.activateWindow()
        window.deny.setFocus()
    app.processEvents()
    window.announce(button)
    app.exec()
    if isinstance(window, ApprovalPrompt) and window.answer != "allow":
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
