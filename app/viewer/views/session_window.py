"""A remote computer's window: the screen, a slim bar (status, monitor, keyboard, zoom,
statistics, disconnect) and, on demand, a bar of keys a touch screen lacks (Ctrl, Alt,
Win/Cmd, Esc, Tab, arrows, F-keys) with a text field that brings up the on-screen
keyboard. Kiosk mode shows the screen alone, full screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.protocol.input import Modifier
from app.viewer.controllers.session import SessionController
from app.viewer.qt import QtCore, QtGui, QtWidgets, Signal
from app.viewer.views.files import FilesPanel
from app.viewer.views.video import VideoWidget

#: Chords the viewer keeps for itself; every other key goes to the remote computer.
STATS_CHORD = "Ctrl+Alt+Shift+S"
FULL_SCREEN_CHORD = "Ctrl+Alt+Shift+F"
KIOSK_EXIT_CHORD = "Ctrl+Alt+Shift+Q"
#: Into the bar with the keyboard (Tab between its buttons, Esc back to the screen).
BAR_FOCUS_CHORD = "Ctrl+Alt+Shift+B"
BAR_KEYS = ("Escape", "Tab", "Left", "Up", "Down", "Right", *(f"F{n}" for n in range(1, 13)))


def tool_button(text: str, *, checkable: bool = False) -> QtWidgets.QToolButton:
    button = QtWidgets.QToolButton()
    button.setText(text)
    button.setCheckable(checkable)
    return button


#: On touch, the bar hides this long after the last touch (milliseconds).
BAR_HIDE_MS = 3000
#: The status line's least width in the bar (the rest of its text is cut).
STATUS_MIN_PX = 90
#: The Files panel's width beside the remote screen.
FILES_PANEL_PX = 340
#: How long a notice (a copy too large to share) stays in the status line.
NOTICE_MS = 6000
#: Key names stay as printed on keycaps in every language (not translated).
BAR_LABELS = {"Escape": "Esc", "Left": "←", "Up": "↑", "Down": "↓", "Right": "→"}


class SessionWindow(QtWidgets.QWidget):
    #: The kiosk's exit chord was pressed (kiosk windows do not close otherwise).
    exit_requested = Signal()

    def __init__(
        self,
        controller: SessionController,
        title: str,
        *,
        kiosk: bool = False,
        exit_chord: str = KIOSK_EXIT_CHORD,
    ):
        super().__init__()
        self.controller = controller
        self.kiosk = kiosk
        self._leaving = False
        self.setWindowTitle(self.tr("{computer} — Porthole").format(computer=title))
        self.video = VideoWidget(controller, self)
        self.status = QtWidgets.QLabel(self.tr("Connecting…"))
        self.status.setObjectName("sessionStatus")
        # The status never widens the bar: long reasons are cut, the bar's buttons stay.
        self.status.setMinimumWidth(STATUS_MIN_PX)
        self.status.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.stats_label = QtWidgets.QLabel()
        self.stats_label.setVisible(False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.bar = self._build_bar()
        self.keys_bar = self._build_keys_bar()
        self.keys_bar.setVisible(False)
        layout.addWidget(self.bar)
        middle = QtWidgets.QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.video, 1)
        self.files_panel = FilesPanel(controller, self)
        self.files_panel.setVisible(False)
        self.files_panel.setFixedWidth(FILES_PANEL_PX)
        middle.addWidget(self.files_panel)
        layout.addLayout(middle, 1)
        layout.addWidget(self.keys_bar)
        self.setAcceptDrops(not kiosk)  # files dropped here go to the computer
        # On touch the bar gets out of the way: hidden a while after the last touch (only
        # touches start the wait), back with a swipe down from the top edge.
        self.bar_hide_ms = BAR_HIDE_MS
        self._bar_timer = QtCore.QTimer(self)
        self._bar_timer.setSingleShot(True)
        self._bar_timer.timeout.connect(self._hide_bar)
        if not kiosk:
            controller.set_edge_swipe(True)
            controller.touched.connect(self._touched)
            controller.edge_swiped.connect(self._show_bar)
        else:
            self.bar.setVisible(False)  # no chrome: the remote screen and nothing else
            self.video.veil_at_bottom = True  # and nothing over the middle of it
            self._shortcut(exit_chord, self.exit_requested.emit)
        self._shortcut(STATS_CHORD, self.stats_button.toggle)
        if not kiosk:
            self._shortcut(BAR_FOCUS_CHORD, self.focus_bar)
            leave_bar = QtGui.QShortcut(QtGui.QKeySequence("Escape"), self.bar)
            leave_bar.setContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
            leave_bar.activated.connect(self.leave_bar)
        self._shortcut(FULL_SCREEN_CHORD, self.toggle_full_screen)
        self._stats_timer = QtCore.QTimer(self)
        self._stats_timer.setInterval(1000)
        self._stats_timer.timeout.connect(self._show_stats)
        controller.state_changed.connect(self._state_changed)
        controller.screens_changed.connect(self._screens_changed)
        controller.notice.connect(self._notice)
        self._status_text = self.status.text()
        self._notice_timer = QtCore.QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(lambda: self.status.setText(self._status_text))
        self.resize(1280, 760)

    def _shortcut(self, chord: str, action: Callable[[], object]) -> None:
        shortcut = QtGui.QShortcut(QtGui.QKeySequence(chord), self)
        shortcut.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(action)

    def show_kiosk(self) -> None:
        """Full screen without window chrome, also where no window manager runs (which
        would otherwise leave a plain window at its default size)."""
        self.setWindowFlag(QtCore.Qt.WindowType.FramelessWindowHint, True)
        screen = self.screen() or QtGui.QGuiApplication.primaryScreen()
        self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.present()

    def present(self) -> None:
        """Bring the window forward with the keyboard: without a window manager (kiosks)
        nobody else gives a new window the X input focus."""
        self.raise_()
        self.activateWindow()
        self.video.setFocus()

    def _bar_shown(self) -> list[QtWidgets.QWidget]:
        """What the bar shows now, left to right."""
        layout = self.bar.layout()
        assert layout is not None
        items = (layout.itemAt(i) for i in range(layout.count()))
        widgets = (item.widget() for item in items if item is not None)
        return [w for w in widgets if w is not None and not w.isHidden()]

    def _bar_controls(self) -> list[QtWidgets.QWidget]:
        controls = (QtWidgets.QAbstractButton, QtWidgets.QComboBox)
        return [w for w in self._bar_shown() if isinstance(w, controls)]

    def focus_bar(self) -> None:
        """The bar's controls take the keyboard (they never do otherwise: keys are for the
        remote computer), from the first; Esc gives the keyboard back to the screen."""
        self.bar.setVisible(True)
        controls = self._bar_controls()
        for control in controls:
            control.setFocusPolicy(QtCore.Qt.FocusPolicy.TabFocus)
        if controls:
            controls[0].setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)

    def leave_bar(self) -> None:
        for control in self._bar_controls():
            control.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.video.setFocus()

    def _touched(self) -> None:
        if self.bar.isVisible():
            self._bar_timer.start(self.bar_hide_ms)

    def _hide_bar(self) -> None:
        self.bar.setVisible(False)

    def _show_bar(self) -> None:
        self.bar.setVisible(True)
        self._bar_timer.start(self.bar_hide_ms)

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _build_bar(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget(self)
        # The bar never sets the window's least width: what does not fit goes into More.
        bar.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.status, 1)
        row.addWidget(self.stats_label)
        self.keyboard_button = tool_button(self.tr("Keyboard"), checkable=True)
        self.keyboard_button.toggled.connect(self._toggle_keyboard)
        self.trackpad_button = tool_button(self.tr("Trackpad"), checkable=True)
        self.trackpad_button.setToolTip(
            self.tr("Point as on a laptop's trackpad: the pointer follows your finger's moves")
        )
        self.trackpad_button.setChecked(self.controller.trackpad)  # as last chosen
        self.trackpad_button.toggled.connect(self.controller.set_trackpad)
        self.lens_button = tool_button(self.tr("Magnifier"), checkable=True)
        self.lens_button.setToolTip(
            self.tr("A long press shows a magnifier: move to point precisely, lift to click")
        )
        self.lens_button.setChecked(self.controller.lens_enabled)  # as last chosen
        self.lens_button.toggled.connect(self.controller.set_lens)
        self.fit_button = tool_button(self.tr("Match device"), checkable=True)
        self.fit_button.setToolTip(
            self.tr(
                "Give the computer's screen this window's shape and size; its own "
                "resolution comes back when you leave"
            )
        )
        self.fit_button.setChecked(self.controller.fits_screen)  # as last chosen
        self.fit_button.setEnabled(False)  # until the computer says it can
        self.fit_button.toggled.connect(self.controller.set_fit_screen)
        self.controller.fit_available.connect(self._fit_available)
        self.clipboard_button = tool_button(self.tr("Clipboard"), checkable=True)
        self.clipboard_button.setToolTip(
            self.tr("Share the clipboard: copy on one side, paste on the other")
        )
        self.clipboard_button.setChecked(self.controller.clipboard_shared)
        self.clipboard_button.toggled.connect(self.controller.set_clipboard_sharing)
        self.sound_button = tool_button(self.tr("Sound"), checkable=True)
        self.sound_button.setToolTip(self.tr("Play the computer's sound here"))
        self.sound_button.setChecked(self.controller.sound_on)
        self.sound_button.toggled.connect(self.controller.set_sound)
        self.files_button = tool_button(self.tr("Files"), checkable=True)
        self.files_button.setToolTip(
            self.tr("Send files to the computer, or browse its files and download them")
        )
        self.files_button.toggled.connect(self._toggle_files)
        self.zoom_button = tool_button(self.tr("Fit"))
        self.zoom_button.setToolTip(self.tr("Show the whole screen again"))
        self.zoom_button.clicked.connect(self.controller.zoom_reset)
        self.stats_button = tool_button(self.tr("Statistics"), checkable=True)
        self.stats_button.toggled.connect(self._toggle_stats)
        self.disconnect_button = tool_button(self.tr("Disconnect"))
        self.disconnect_button.clicked.connect(self.close)
        self.full_screen_button = tool_button(self.tr("Full screen"))
        self.full_screen_button.clicked.connect(self.toggle_full_screen)
        self.monitor_box = QtWidgets.QComboBox()
        self.monitor_box.setAccessibleName(self.tr("Monitor"))
        self.monitor_box.setVisible(False)  # until the computer says it has several
        self.monitor_box.activated.connect(
            lambda index: self.controller.select_monitor(self.monitor_box.itemData(index))
        )
        self.quality_box = QtWidgets.QComboBox()
        self.quality_box.setAccessibleName(self.tr("Picture quality"))
        for key, label in (
            ("auto", self.tr("Auto")),
            ("fast", self.tr("Fast")),
            ("best", self.tr("Best")),
        ):
            self.quality_box.addItem(label, key)
        self.quality_box.activated.connect(
            lambda index: self.controller.set_quality(self.quality_box.itemData(index))
        )
        for box in (self.monitor_box, self.quality_box):
            box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            row.addWidget(box)
        self.more_button = tool_button(self.tr("More"))
        self.more_button.setAccessibleName(self.tr("More session controls"))
        self.more_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_menu = QtWidgets.QMenu(self.more_button)
        self.more_button.setMenu(self.more_menu)
        for button in (
            self.full_screen_button,
            self.keyboard_button,
            self.trackpad_button,
            self.lens_button,
            self.fit_button,
            self.clipboard_button,
            self.sound_button,
            self.files_button,
            self.zoom_button,
            self.stats_button,
            self.more_button,
            self.disconnect_button,
        ):
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # keys stay with the screen
            row.addWidget(button)
        # On a narrow window (a phone, a tablet upright) these go into More, the least
        # needed first; Keyboard and Disconnect always stay in sight.
        self._overflow: list[QtWidgets.QWidget] = [
            self.stats_button,
            self.zoom_button,
            self.full_screen_button,
            self.quality_box,
            self.fit_button,
            self.sound_button,
            self.clipboard_button,
            self.lens_button,
            self.trackpad_button,
            self.files_button,
        ]
        self._overflow_actions = {
            widget: self._mirror(widget)
            if isinstance(widget, QtWidgets.QAbstractButton)
            else self._quality_menu()
            for widget in self._overflow
        }
        # Last of all the status line goes (the picture's veil says what is wrong).
        self._overflow.append(self.status)
        return bar

    def _quality_menu(self) -> QtGui.QAction:
        """The quality choice as a submenu of More, in step with the box."""
        menu = self.more_menu.addMenu(self.quality_box.accessibleName())
        group = QtGui.QActionGroup(menu)
        for index in range(self.quality_box.count()):
            action = menu.addAction(self.quality_box.itemText(index))
            action.setCheckable(True)
            action.setChecked(index == self.quality_box.currentIndex())
            group.addAction(action)
            action.triggered.connect(lambda _=False, i=index: self._choose_quality(i))
        self.quality_box.currentIndexChanged.connect(
            lambda index: group.actions()[index].setChecked(True)
        )
        return menu.menuAction()

    def _choose_quality(self, index: int) -> None:
        self.quality_box.setCurrentIndex(index)
        self.controller.set_quality(self.quality_box.itemData(index))

    def _mirror(self, button: QtWidgets.QAbstractButton) -> QtGui.QAction:
        """The button as an entry of the More menu, checked as it is."""
        action = self.more_menu.addAction(button.text())
        action.setToolTip(button.toolTip())
        if button.isCheckable():
            action.setCheckable(True)
            action.setChecked(button.isChecked())
            action.toggled.connect(button.setChecked)
            button.toggled.connect(action.setChecked)
        else:
            action.triggered.connect(button.click)
        return action

    def _fit_bar(self) -> None:
        """Every button that fits in the window's width; the others in More."""
        layout = self.bar.layout()
        assert layout is not None

        def too_wide() -> bool:
            # Each control at its full size (a squeezed "Disc…nect" is not a fit), the
            # status at its least.
            widths = [
                STATUS_MIN_PX if widget is self.status else widget.sizeHint().width()
                for widget in self._bar_shown()
            ]
            margins = layout.contentsMargins()
            needed = sum(widths) + layout.spacing() * (len(widths) - 1)
            return needed + margins.left() + margins.right() > self.width()

        for widget in self._overflow:
            widget.setVisible(True)
        self.more_button.setVisible(False)
        if too_wide():
            self.more_button.setVisible(True)
            for widget in self._overflow:
                widget.setVisible(False)
                if not too_wide():
                    break
        for widget, action in self._overflow_actions.items():
            action.setVisible(widget.isHidden())
        layout.activate()  # laid out now, not at the next turn: no frame with a squeezed bar

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.kiosk:
            self._fit_bar()

    def _build_keys_bar(self) -> QtWidgets.QWidget:
        """The on-screen keys, in a strip a finger scrolls sideways where the window is
        narrower than they are (a phone, a tablet upright)."""
        bar = QtWidgets.QWidget()
        strip = QtWidgets.QScrollArea(self)
        strip.setObjectName("keysBar")
        strip.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        strip.setWidgetResizable(True)
        strip.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QtWidgets.QScroller.grabGesture(
            strip.viewport(), QtWidgets.QScroller.ScrollerGestureType.TouchGesture
        )
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        self.modifier_buttons: dict[str, QtWidgets.QToolButton] = {}
        # Key names, like BAR_LABELS: as on the keycaps, in every language.
        modifiers: tuple[tuple[Modifier, str], ...] = (
            ("ctrl", "Ctrl"),
            ("alt", "Alt"),
            ("meta", "Win/Cmd"),
            ("shift", "Shift"),
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
        bar.setMinimumWidth(bar.sizeHint().width())  # scrolled, never squeezed to "W…d"
        strip.setWidget(bar)
        strip.setMinimumHeight(bar.sizeHint().height())
        return strip

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

    def _toggle_files(self, on: bool) -> None:
        self.files_panel.setVisible(on)
        if on and not self.files_panel.entries.count():
            self.files_panel.browse("")

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        paths = _local_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.controller.send_files(paths)
            self.files_button.setChecked(True)  # where their progress shows

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

        locale = QtCore.QLocale()  # the language's decimal separator (12.5 ms, 12,5 ms)

        def ms(value: float | None) -> str:
            return "-" if value is None else locale.toString(value, "f", 1)

        self.stats_label.setText(
            self.tr(
                "{fps:.0f} fps · {kbps:.0f} kbit/s · round trip {rtt} ms · grab {grab} · "
                "encode {encode} · network {network} · decode {decode} · render {render} ms"
            ).format(
                fps=s.fps,
                kbps=s.bitrate_kbps,
                rtt=ms(s.round_trip_ms),
                grab=ms(s.grab_ms),
                encode=ms(s.encode_ms),
                network=ms(s.network_ms),
                decode=ms(s.decode_ms),
                render=ms(s.render_ms),
            )
        )

    def _fit_available(self, available: bool) -> None:
        self.fit_button.setEnabled(available)
        self._overflow_actions[self.fit_button].setEnabled(available)
        if not available:
            self.fit_button.setToolTip(self.tr("This computer's screen keeps its resolution"))

    def _screens_changed(self, ids: list[str], names: list[str], current: str) -> None:
        self.monitor_box.clear()
        for monitor_id, name in zip(ids, names, strict=True):
            self.monitor_box.addItem(name, monitor_id)
        self.monitor_box.setCurrentIndex(max(0, ids.index(current) if current in ids else 0))
        self.monitor_box.setVisible(len(ids) > 1)

    def _state_changed(self, state: str, detail: str) -> None:
        texts = {
            "connecting": self.tr("Connecting…"),
            "live": self.tr("Connected"),
            "reconnecting": self.tr("Connection lost: reconnecting…"),
            "closed": self.tr("Session ended."),
        }
        text = texts.get(state, state)
        if state != "live" and detail:
            self._status_text = self.tr("{state} {reason}").format(state=text, reason=detail)
        else:
            self._status_text = text
        self.status.setText(self._status_text)
        self._notice_timer.stop()
        # Connection lost: the last picture stays, under a veil that says so.
        self.video.set_veil(None if state == "live" else text)
        if state == "live":
            self.video.setFocus()

    def _notice(self, text: str) -> None:
        """Said in the status line for a while, then the session's state again."""
        self.status.setText(text)
        self._notice_timer.start(NOTICE_MS)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if self.kiosk and not self._leaving:
            event.ignore()  # a kiosk leaves on its chord only
            return
        self.controller.stop()
        super().closeEvent(event)

    def leave(self) -> None:
        """Close, kiosk or not (the kiosk's exit chord, the app quitting)."""
        self._leaving = True
        self.close()


def _local_files(mime: QtCore.QMimeData) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
