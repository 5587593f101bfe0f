"""The banner widget in every state the cloud reports: what it says, its action button,
and a screenshot of each for review (build/screenshots/banner-*.png)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from app.viewer.core.banner import Banner, banner_for
from app.viewer.core.design import Scheme
from app.viewer.core.records import PendingPayment, Subscription
from app.viewer.qt import QtWidgets
from app.viewer.views.banner import DARK_TONE_COLOURS, TONE_COLOURS, BannerWidget
from app.viewer.views.theme import apply_theme
from tests.support.colours import contrast
from tests.support.qt import screenshot

NOW = datetime.now(UTC)
STATES: dict[str, tuple[Subscription, str, str | None]] = {
    "active": (
        Subscription(
            "active",
            plan="year-1",
            current_period_end=NOW + timedelta(days=200),
            auto_renew=True,
            payment_method="Visa •••• 4242",
            computers_used=2,
            computers_limit=5,
        ),
        "Subscription active · 1 year",
        "Manage",
    ),
    "active-ending": (
        Subscription(
            "active",
            plan="month-1",
            current_period_end=NOW + timedelta(days=12),
            auto_renew=False,
            computers_used=1,
            computers_limit=5,
        ),
        "Subscription active · 1 month",
        "Manage",
    ),
    "pending-card": (
        Subscription("pending_payment", pending=PendingPayment("p1", "card", NOW)),
        "Payment pending",
        None,
    ),
    "pending-transfer": (
        Subscription(
            "pending_payment",
            pending=PendingPayment(
                "p2",
                "bank_transfer",
                NOW - timedelta(days=2),
                reference="PH-ABCD-EFGH",
                amount_due_cents=4999,
            ),
        ),
        "Payment pending",
        None,
    ),
    "grace": (
        Subscription(
            "grace",
            plan="month-1",
            current_period_end=NOW - timedelta(days=1),
            grace_until=NOW + timedelta(days=6),
            auto_renew=True,
        ),
        "",
        "Update payment method",
    ),
    "expired": (Subscription("expired", plan="month-1"), "", "Buy subscription"),
    "bundled": (
        Subscription("bundled", plan="bundle", current_period_end=NOW + timedelta(days=90)),
        "",
        None,
    ),
    "none": (Subscription("none"), "", "Buy subscription"),
}


@pytest.mark.parametrize("name", list(STATES))
def test_every_state_has_its_words_and_action(qtbot: QtBot, name: str) -> None:
    status, title, action = STATES[name]
    widget = BannerWidget()
    qtbot.addWidget(widget)
    widget.resize(760, 120)
    banner = banner_for(status, NOW)
    widget.show_banner(banner)
    widget.show()
    assert widget.title.text() == banner.title and banner.title
    if title:
        assert widget.title.text() == title
    assert widget.details.text() == "\n".join(banner.lines)
    assert widget.action.isVisibleTo(widget) == (action is not None)
    if action is not None:
        assert widget.action.text() == action
        with qtbot.waitSignal(widget.action_requested) as clicked:
            widget.action.click()
        assert clicked.args == [banner.action]
    screenshot(widget, f"banner-{name}")


@pytest.mark.parametrize("tones", [TONE_COLOURS, DARK_TONE_COLOURS], ids=["light", "dark"])
def test_every_tone_reads_well(tones: dict[str, tuple[str, str, str]]) -> None:
    for background, ink, _border in tones.values():
        assert contrast(ink, background) >= 4.5, (ink, background)


def test_the_banner_is_a_card_in_the_pages_scheme(
    qtbot: QtBot, qapp: QtWidgets.QApplication
) -> None:
    try:
        schemes: tuple[tuple[Scheme, dict[str, tuple[str, str, str]]], ...] = (
            ("dark", DARK_TONE_COLOURS),
            ("light", TONE_COLOURS),
        )
        for scheme, tones in schemes:
            apply_theme(qapp, scheme)
            banner = BannerWidget()
            qtbot.addWidget(banner)
            banner.resize(600, 90)
            banner.show_banner(Banner("Active", ("Renews on 1 March.",), "ok"))
            banner.show()
            qtbot.waitExposed(banner)
            middle = banner.grab().toImage().pixelColor(300, 80)
            assert middle.name() == tones["ok"][0], scheme
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())
