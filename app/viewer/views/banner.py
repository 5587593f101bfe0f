"""The subscription banner at the top of the Computers list: what the subscription is
doing, in a sentence or two, and the one thing to do about it."""

from __future__ import annotations

from app.viewer.core.banner import Banner
from app.viewer.core.design import CARD_RADIUS_PX
from app.viewer.qt import QtCore, QtGui, QtWidgets, Signal

#: (background, ink, border) per tone, on a light page and on a dark one; each ink on its
#: background reads at 4.5:1 or better (tests/viewer/views/test_banner.py).
TONE_COLOURS = {
    "ok": ("#e7f5ea", "#1d6b32", "#b5dfc0"),
    "warning": ("#fff6df", "#7a5200", "#f0d9a0"),
    "error": ("#fde8e8", "#9b1c1c", "#f4b9b9"),
    "neutral": ("#eef1f6", "#27364b", "#cfd7e3"),
}
DARK_TONE_COLOURS = {
    "ok": ("#12301c", "#9fe0b0", "#285c3a"),
    "warning": ("#33270a", "#f3d28a", "#5f4a17"),
    "error": ("#3a1515", "#f6b4b4", "#6b2a2a"),
    "neutral": ("#1c2636", "#c9d4e5", "#34435a"),
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
        self._tone = "neutral"
        self._painted: tuple[str, str, str] | None = None
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
        self._tone = banner.tone
        self._paint()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._paint()  # the system went light or dark

    def _paint(self) -> None:
        # A card in the tone's colours, light or dark as the page around it.
        dark = self.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128
        tones = DARK_TONE_COLOURS if dark else TONE_COLOURS
        colours = tones.get(self._tone, tones["neutral"])
        if colours == self._painted:
            return  # setting the style sheet changes the palette too: once is enough
        self._painted = colours
        background, ink, border = colours
        self.setStyleSheet(
            f"#banner {{ background: {background}; border: 1px solid {border};"
            f" border-radius: {CARD_RADIUS_PX}px; padding: 6px; }}"
            f" #banner QLabel {{ color: {ink}; }}"
            " #bannerTitle { font-weight: bold; font-size: 17px; }"
        )
