"""The viewer's look: the portal's colours, light and dark, controls a finger can hit
(44 px) on every screen, in screenshots saved for review; and every control named for a
screen reader (Qt's accessibility tree) and reached by Tab in reading order."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.viewer.controllers.session import SessionController
from app.viewer.core import design
from app.viewer.core.design import PORTAL_CSS, TOUCH_TARGET_PX, Scheme, palette, portal_tokens
from app.viewer.core.records import Computer, Plan
from app.viewer.qt import QtCore, QtGui, QtWidgets
from app.viewer.views.main_window import MainWindow
from app.viewer.views.purchase import PurchasePanel
from app.viewer.views.session_window import SessionWindow
from app.viewer.views.theme import apply_theme
from tests.support.colours import contrast
from tests.support.qt import screenshot

CONTROLS = (QtWidgets.QAbstractButton, QtWidgets.QLineEdit, QtWidgets.QComboBox)


def test_light_is_the_portals_own_palette_and_both_schemes_are_readable() -> None:
    tokens = portal_tokens(PORTAL_CSS.read_text(encoding="utf-8"))
    light = palette("light")
    assert (light.brand, light.ink, light.page) == (tokens["brand"], tokens["ink"], tokens["page"])
    for colours in (light, palette("dark")):
        for text, back in (
            (colours.ink, colours.paper),
            (colours.ink, colours.page),
            (colours.muted, colours.paper),
            (colours.brand_ink, colours.brand),
        ):
            assert contrast(text, back) >= 4.5, (colours, text, back)
    with pytest.raises(ValueError, match="--muted"):
        palette("light", ":root { --ink: #000; }")


@pytest.fixture
def themed(qapp: QtWidgets.QApplication) -> Iterator[Callable[[Scheme], Scheme]]:
    yield lambda scheme: apply_theme(qapp, scheme)
    qapp.setStyleSheet("")
    qapp.setPalette(qapp.style().standardPalette())


def small_controls(window: QtWidgets.QWidget) -> list[str]:
    return [
        f"{type(w).__name__} {w.accessibleName() or getattr(w, 'text', lambda: '')()!r}: "
        f"{w.height()} px"
        for w in window.findChildren(QtWidgets.QWidget)
        if isinstance(w, CONTROLS) and w.isVisible() and w.height() < TOUCH_TARGET_PX
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_has_touch_sized_controls_in_the_schemes_colours(
    qtbot: QtBot, themed: Callable[[Scheme], Scheme], scheme: Scheme
) -> None:
    themed(scheme)
    colours = design.palette(scheme)
    main = MainWindow()
    qtbot.addWidget(main)
    main.resize(900, 640)
    main.show()
    qtbot.waitExposed(main)
    assert small_controls(main) == []
    # Sign-in is one compact card in the middle, with the logo.
    sign_in = main.sign_in
    card, middle = sign_in.card.geometry(), sign_in.rect().center()
    assert abs(card.center().x() - middle.x()) <= 2 and abs(card.center().y() - middle.y()) <= 2
    assert card.height() <= 520 and not sign_in.logo.pixmap().isNull()
    page = main.grab().toImage().pixelColor(main.width() // 2, main.height() - 4)
    assert page.name() == colours.page
    screenshot(main, f"theme-sign-in-{scheme}")

    main.pages.setCurrentWidget(main.computers)
    main.computers.show_computers([Computer("c1", "Studio", "Ubuntu 24.04", True, None)])
    assert small_controls(main) == []
    # Each computer is a card whose main action, Connect, has the portal's primary colour.
    connect = main.computers.rows["c1"].connect_button
    shot = main.grab().toImage()
    centre = connect.mapTo(main, connect.rect().center())
    assert shot.pixelColor(centre.x(), centre.y() - 8).name() == colours.brand
    screenshot(main, f"theme-computers-{scheme}")

    session = SessionWindow(SessionController(), "Studio")
    qtbot.addWidget(session)
    session.resize(1000, 700)
    session.show()
    session.keyboard_button.setChecked(True)  # the on-screen keys too
    assert small_controls(session) == []
    screenshot(session, f"theme-session-{scheme}")

    # Buying: each plan a card to pick, the chosen one outlined in the primary colour.
    purchase = PurchasePanel()
    qtbot.addWidget(purchase)
    purchase.set_plans([Plan("month-1", 1, 999, "eur"), Plan("year-1", 12, 9900, "eur")])
    purchase.resize(520, 560)
    purchase.show()
    qtbot.waitExposed(purchase)
    assert small_controls(purchase) == []
    yearly = purchase.plan_buttons["year-1"]
    yearly.setChecked(True)
    shot = purchase.grab().toImage()
    edge = yearly.mapTo(purchase, QtCore.QPoint(yearly.width() // 2, 0))
    assert shot.pixelColor(edge.x(), edge.y()).name() == colours.brand
    screenshot(purchase, f"theme-purchase-{scheme}")
    assert QtGui.QGuiApplication.palette().color(QtGui.QPalette.ColorRole.Window).name() == (
        colours.page
    )


def unnamed_controls(window: QtWidgets.QWidget) -> list[str]:
    """Visible controls a screen reader would announce without a name."""
    missing = []
    for widget in window.findChildren(QtWidgets.QWidget):
        if not (isinstance(widget, CONTROLS) and widget.isVisible()):
            continue
        interface = QtGui.QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QtGui.QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def next_tab_stop(widget: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """Where Tab goes from ``widget``: the next visible, enabled widget taking Tab focus."""
    candidate = widget.nextInFocusChain()
    for _ in range(500):
        assert candidate is not None, "the focus chain ends"
        takes_tab = bool(candidate.focusPolicy() & QtCore.Qt.FocusPolicy.TabFocus)
        if takes_tab and candidate.isVisible() and candidate.isEnabled():
            return candidate
        candidate = candidate.nextInFocusChain()
    raise AssertionError("no widget takes Tab")


def test_every_control_has_an_accessible_name_and_takes_the_keyboard_in_order(
    qtbot: QtBot,
) -> None:
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert unnamed_controls(main) == []
    # Tab goes from the email to the password and on to the main action.
    sign_in = main.sign_in
    order: list[QtWidgets.QWidget] = [sign_in.email]
    for _ in range(3):
        order.append(next_tab_stop(order[-1]))
    assert order[1] is sign_in.password and sign_in.submit in order[2:]
    main.pages.setCurrentWidget(main.computers)
    main.computers.show_computers([Computer("c1", "Studio", "Ubuntu 24.04", True, None)])
    assert unnamed_controls(main) == []
    session = SessionWindow(SessionController(), "Studio")
    qtbot.addWidget(session)
    session.show()
    session.keyboard_button.setChecked(True)
    session.files_button.setChecked(True)  # the Files panel too
    assert unnamed_controls(session) == []
    purchase = PurchasePanel()
    qtbot.addWidget(purchase)
    purchase.set_plans([Plan("month-1", 1, 999, "eur")])
    purchase.show()
    assert unnamed_controls(purchase) == []


SIZES = {"phone": (390, 800), "tablet": (820, 1100), "desktop": (1440, 900)}


def cut_off(window: QtWidgets.QWidget) -> list[str]:
    """Shown controls that run past the window's right edge, or are squeezed below the
    width their label needs."""
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in window.findChildren(QtWidgets.QWidget)
        if isinstance(w, CONTROLS)
        and w.isVisible()
        and (
            w.mapTo(window, w.rect().topRight()).x() > window.width()
            or (isinstance(w, QtWidgets.QAbstractButton) and w.width() < w.sizeHint().width())
        )
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_fits_a_phone_a_tablet_and_a_desktop(
    qtbot: QtBot, themed: Callable[[Scheme], Scheme], scheme: Scheme
) -> None:
    themed(scheme)
    main = MainWindow()
    qtbot.addWidget(main)
    session = SessionWindow(SessionController(), "Studio")
    qtbot.addWidget(session)
    main.computers.show_computers(
        [
            Computer("c1", "Studio", "Ubuntu 24.04", True, None),
            Computer("c2", "Den PC", "Windows 11", False, None),
        ]
    )
    purchase = PurchasePanel()
    qtbot.addWidget(purchase)
    purchase.set_plans([Plan("month-1", 1, 999, "eur"), Plan("year-1", 12, 9900, "eur")])
    for size, (width, height) in SIZES.items():
        for screen in ("sign-in", "computers", "session", "purchase"):
            window: QtWidgets.QWidget = {"session": session, "purchase": purchase}.get(screen, main)
            if window is main:
                main.pages.setCurrentWidget(main.sign_in if screen == "sign-in" else main.computers)
            window.resize(width, height)
            window.show()
            qtbot.waitExposed(window)
            screenshot(window, f"size-{screen}-{size}-{scheme}")
            assert (window.width(), screen) == (width, screen)  # nothing made it wider
            assert cut_off(window) == [], (screen, size)
            assert small_controls(window) == [], (screen, size)
