"""A remote computer's window: the screen, a slim bar (status, monitor, keyboard, zoom,
statistics, disconnect) and, on demand, a bar of keys a touch screen lacks (Ctrl, Alt,
Win/Cmd, Esc, Tab, arrows, F-keys) with a text field that brings up the on-screen
keyboard. Kiosk mode shows the screen alone, full screen."""

from __future__ import annotations

from app.protocol.input import Modifier
from app.viewer.controllers.session import SessionController
from app.viewer.qt import QtCore, QtGui, QtWidgets
from app.viewer.views.video import VideoWidget

BAR_KEYS = ("Escape", "Tab", "Left", "Up", "Down", "Right", *(f"F{n}" for n in range(1, 13)))


def tool_button(text: str, *, checkable: bool = False) -> QtWidgets.QToolButton:
    button = QtWidgets.QToolButton()
    button.setText(text)
    button.setCheckable(checkable)
    return button


BAR_LABELS = {"Escape": "Esc", "Left": "←", "Up": "↑", "Down": "↓", "Right": "→"}


class SessionWindow(QtWidgets.QWidget):
    def __init__(self, controller: SessionController, title: str, *, kiosk: bool = False):
        super().__init__()
        self.controller = controller
        self.setWindowTitle(self.tr("{computer} — Porthole").format(computer=title))
        self.video = VideoWidget(controller, self)
        self.status = QtWidgets.QLabel(self.tr("Connecting…"))
        self.status.setObjectName("sessionStatus")
        self.stats_label = QtWidgets.QLabel()
        self.stats_label.setVisible(False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.bar = self._build_bar()
        self.keys_bar = self._build_keys_bar()
        self.keys_bar.setVisible(False)
        layout.addWidget(self.bar)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.keys_bar)
        if kiosk:
            self.bar.setVisible(False)  # no chrome: the remote screen and nothing else
        self._stats_timer = QtCore.QTimer(self)
        self._stats_timer.setInterval(1000)
        self._stats_timer.timeout.connect(self._show_stats)
        controller.state_changed.connect(self._state_changed)
        self.resize(1280, 760)

    def _build_bar(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget(self)
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.status, 1)
        row.addWidget(self.stats_label)
        self.keyboard_button = tool_button(self.tr("Keyboard"), checkable=True)
        self.keyboard_button.toggled.connect(self._toggle_keyboard)
        self.zoom_button = tool_button(self.tr("Fit"))
        self.zoom_button.setToolTip(self.tr("Show the whole screen again"))
        self.zoom_button.clicked.connect(self.controller.zoom_reset)
        self.stats_button = tool_button(self.tr("Statistics"), checkable=True)
        self.stats_button.toggled.connect(self._toggle_stats)
        self.disconnect_button = tool_button(self.tr("Disconnect"))
        self.disconnect_button.clicked.connect(self.close)
        for button in (
            self.keyboard_button,
            self.zoom_button,
            self.stats_button,
            self.disconnect_button,
        ):
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # keys stay with the screen
            row.addWidget(button)
        return bar

    def _build_keys_bar(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget(self)
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        self.modifier_buttons: dict[str, QtWidgets.QToolButton] = {}
        modifiers: tuple[tuple[Modifier, str], ...] = (
            ("ctrl", self.tr("Ctrl")),
            ("alt", self.tr("Alt")),
            ("meta", self.tr("Win/Cmd")),
            ("shift", self.tr("Shift")),
        )
        for modifier, label in modifiers:
            button = tool_button(label, checkable=True)
            button.toggled.connect(lambda on, m=modifier: self.controller.toggle_modifier(m, on))
            self.modifier_buttons[modifier] = button
            row.addWidget(button)
        for key in BAR_KEYS:
            button = tool_button(BAR_LABELS.get(key, key))
            button.clicked.connect(lambda _=False, k=key: self._bar_key(k))
            row.addWidget(button)
        self.text_field = QtWidgets.QLineEdit()
        self.text_field.setPlaceholderText(self.tr("Type here"))
        self.text_field.setAccessibleName(self.tr("Text to type on the remote computer"))
        self.text_field.textEdited.connect(self._typed)
        self.text_field.returnPressed.connect(lambda: self.controller.press_key("Return"))
        row.addWidget(self.text_field, 1)
        return bar

    def _bar_key(self, key: str) -> None:
        self.controller.press_key(key)
        self._clear_modifiers()

    def _typed(self, text: str) -> None:
        # Each edit is sent at once, then the field empties: it only carries keystrokes.
        self.controller.type_text(text)
        self.text_field.clear()
        self._clear_modifiers()

    def _clear_modifiers(self) -> None:
        for button in self.modifier_buttons.values():
            button.setChecked(False)

    def _toggle_keyboard(self, on: bool) -> None:
        self.keys_bar.setVisible(on)
        (self.text_field if on else self.video).setFocus()

    def _toggle_stats(self, on: bool) -> None:
        self.stats_label.setVisible(on)
        if on:
            self._show_stats()
            self._stats_timer.start()
        else:
            self._stats_timer.stop()

    def _show_stats(self) -> None:
        session = self.controller.session
        if session is None:
            return
        s = session.stats.snapshot()

        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value:.1f}"

        self.stats_label.setText(
            self.tr(
                "{fps:.0f} fps · {kbps:.0f} kbit/s · round trip {rtt} ms · grab {grab} · "
                "encode {encode} · network {network} · decode {decode} ms"
            ).format(
                fps=s.fps,
                kbps=s.bitrate_kbps,
                rtt=ms(s.round_trip_ms),
                grab=ms(s.grab_ms),
                encode=ms(s.encode_ms),
                network=ms(s.network_ms),
                decode=ms(s.decode_ms),
            )
        )

    def _state_changed(self, state: str, detail: str) -> None:
        texts = {
            "connecting": self.tr("Connecting…"),
            "live": self.tr("Connected"),
            "reconnecting": self.tr("Connection lost: reconnecting…"),
            "closed": self.tr("Session ended"),
        }
        text = texts.get(state, state)
        self.status.setText(f"{text} {detail}".strip() if state != "live" else text)
        if state == "live":
            self.video.setFocus()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.controller.stop()
        super().closeEvent(event)
