"""The subscription banner at the top of the Computers list: what the subscription is
doing, in a sentence or two, and the one thing to do about it."""

from __future__ import annotations

from app.viewer.core.banner import Banner
from app.viewer.qt import QtWidgets, Signal

TONE_COLOURS = {
    "ok": ("#e7f5ea", "#1d6b32"),
    "warning": ("#fff6df", "#7a5200"),
    "error": ("#fde8e8", "#9b1c1c"),
    "neutral": ("#eef1f6", "#27364b"),
}


class BannerWidget(QtWidgets.QFrame):
    action_requested = Signal(str)  # "buy", "manage", "retry_payment"

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("bannerTitle")
        self.details = QtWidgets.QLabel()
        self.details.setWordWrap(True)
        self.action = QtWidgets.QPushButton()
        self.action.setVisible(False)
        self.action.clicked.connect(lambda: self.action_requested.emit(self._action or ""))
        self._action: str | None = None
        text = QtWidgets.QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.details)
        row = QtWidgets.QHBoxLayout(self)
        row.addLayout(text, 1)
        row.addWidget(self.action)

    def show_banner(self, banner: Banner) -> None:
        self.title.setText(banner.title)
        self.details.setText("\n".join(banner.lines))
        self.details.setVisible(bool(banner.lines))
        self._action = banner.action
        self.action.setVisible(banner.action is not None)
        self.action.setText(banner.action_label or "")
        background, ink = TONE_COLOURS.get(banner.tone, TONE_COLOURS["neutral"])
        self.setStyleSheet(
            f"#banner {{ background: {background}; border-radius: 6px; }}"
            f" #banner QLabel {{ color: {ink}; }}"
            " #bannerTitle { font-weight: bold; }"
        )
