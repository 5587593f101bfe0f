"""The viewer's look: a Qt stylesheet built from the design palette the viewer shares with
the portal (``app.viewer.core.design``), light or dark as the system is, and a matching
QPalette for what stylesheets do not reach. A stylesheet rather than QML: every view is
already a QWidget tested with pytest-qt, and one stylesheet gives all of them the
portal's colours, radii and 44 px touch targets without rewriting them."""

from __future__ import annotations

from app.viewer.core.design import (
    BODY_PX,
    CARD_RADIUS_PX,
    CONTROL_RADIUS_PX,
    FOCUS_RING,
    HEADING_PX,
    PORTAL_CSS,
    TOUCH_TARGET_PX,
    Palette,
    Scheme,
    palette,
)
from app.viewer.qt import QtCore, QtGui, QtWidgets

#: The viewer's own icons (the portal's are beside it, in resources/portal).
ICONS = PORTAL_CSS.parents[1] / "viewer"


def stylesheet(colours: Palette, scheme: Scheme = "light") -> str:
    c = colours
    chevron = (ICONS / f"chevron-down-{scheme}.svg").as_posix()
    return f"""
QWidget {{ font-size: {BODY_PX}px; color: {c.ink}; }}
QMainWindow, QDialog, SessionWindow, QStackedWidget > QWidget {{ background: {c.page}; }}
QLabel {{ background: transparent; }}
QPushButton, QToolButton {{
    min-height: {TOUCH_TARGET_PX}px; min-width: {TOUCH_TARGET_PX}px; padding: 0 16px;
    border: 1px solid {c.line}; border-radius: {CONTROL_RADIUS_PX}px;
    background: {c.paper}; color: {c.ink};
}}
QPushButton:default, QPushButton[primary="true"] {{
    background: {c.brand}; color: {c.brand_ink}; border-color: {c.brand}; font-weight: 600;
}}
QPushButton:disabled, QToolButton:disabled {{ color: {c.muted}; }}
QToolButton:checked {{ background: {c.selected}; color: {c.brand}; border-color: {c.brand}; }}
QPushButton:focus, QToolButton:focus, QLineEdit:focus, QComboBox:focus {{
    border: 2px solid {FOCUS_RING};
}}
QLineEdit, QComboBox, QSpinBox {{
    min-height: {TOUCH_TARGET_PX}px; padding: 0 10px; border: 1px solid {c.line};
    border-radius: {CONTROL_RADIUS_PX}px; background: {c.paper}; color: {c.ink};
}}
QComboBox::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right; width: 28px; border: none;
}}
QComboBox::down-arrow {{ image: url("{chevron}"); width: 16px; height: 16px; }}
QComboBox QAbstractItemView {{ background: {c.paper}; color: {c.ink}; }}
QScrollArea#keysBar, QScrollArea#keysBar > QWidget > QWidget {{
    border: none; background: {c.page};
}}
SessionWindow QToolButton {{ padding: 0 10px; }}
QCheckBox, QRadioButton {{ min-height: {TOUCH_TARGET_PX}px; spacing: 10px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 22px; height: 22px; }}
QListView, QListWidget, QTableView, QTreeView, QScrollArea {{
    background: {c.paper}; border: 1px solid {c.line}; border-radius: {CARD_RADIUS_PX}px;
}}
QFrame#card {{
    background: {c.paper}; border: 1px solid {c.line}; border-radius: {CARD_RADIUS_PX}px;
}}
QFrame#computerRow {{
    background: {c.paper}; border: 1px solid {c.line}; border-radius: {CARD_RADIUS_PX}px;
}}
PurchasePanel QRadioButton {{
    background: {c.paper}; border: 1px solid {c.line}; border-radius: {CARD_RADIUS_PX}px;
    padding: 10px 14px;
}}
PurchasePanel QRadioButton:checked {{ border: 2px solid {c.brand}; }}
QLabel#computerName {{ font-size: {HEADING_PX[1]}px; font-weight: 600; }}
QPushButton[primary="true"]:disabled {{
    background: {c.paper}; color: {c.muted}; border-color: {c.line}; font-weight: 400;
}}
QLabel#title {{ font-size: {HEADING_PX[0]}px; font-weight: 700; }}
QLabel#error {{ color: {c.bad}; }}
QPushButton:flat {{ border: none; background: transparent; color: {c.brand}; }}
QToolTip {{ background: {c.paper}; color: {c.ink}; border: 1px solid {c.line}; }}
"""


#: Which palette colour each QPalette role takes.
PALETTE_ROLES = {
    "Window": "page",
    "WindowText": "ink",
    "Base": "paper",
    "AlternateBase": "page",
    "Text": "ink",
    "Button": "paper",
    "ButtonText": "ink",
    "Highlight": "brand",
    "HighlightedText": "brand_ink",
    "PlaceholderText": "muted",
    "ToolTipBase": "paper",
    "ToolTipText": "ink",
}


def qt_palette(colours: Palette) -> QtGui.QPalette:
    """The same colours for what draws from the palette (menus, scroll bars, selection)."""
    result = QtGui.QPalette()
    for role, name in PALETTE_ROLES.items():
        colour = QtGui.QColor(getattr(colours, name))
        result.setColor(getattr(QtGui.QPalette.ColorRole, role), colour)
    return result


def system_scheme(app: QtGui.QGuiApplication) -> Scheme:
    dark = app.styleHints().colorScheme() == QtCore.Qt.ColorScheme.Dark
    return "dark" if dark else "light"


def apply_theme(app: QtWidgets.QApplication, scheme: Scheme | None = None) -> Scheme:
    """Style the whole app (``scheme``, or the system's, followed when it changes)."""
    chosen = scheme or system_scheme(app)
    colours = palette(chosen)
    app.setPalette(qt_palette(colours))
    app.setStyleSheet(stylesheet(colours, chosen))
    if scheme is None and not app.property("porthole-follows-scheme"):
        app.setProperty("porthole-follows-scheme", True)
        app.styleHints().colorSchemeChanged.connect(lambda _: apply_theme(app))
    return chosen
