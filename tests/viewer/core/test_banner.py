"""The banner above the Computers list, for every state the cloud reports: the words
people read, its tone and the one action offered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.viewer.core import i18n
from app.viewer.core.banner import Banner, banner_for, plan_name
from app.viewer.core.records import PendingPayment, Subscription

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def status(state: str, **fields: Any) -> Subscription:
    """A status as the cloud reports it for an account with two of five computers."""
    return Subscription(state, **{"computers_used": 2, "computers_limit": 5, **fields})


def test_no_subscription_offers_to_buy_one() -> None:
    assert banner_for(status("none"), NOW) == Banner(
        "No subscription",
        ("Buy a subscription to reach your computers.", "2 of 5 computers"),
        "neutral",
        "buy",
    )
    assert banner_for(status("none"), NOW).action_label == "Buy subscription"


def test_active_with_auto_renewal_says_when_it_renews_and_what_is_charged() -> None:
    banner = banner_for(
        status(
            "active",
            plan="year-1",
            current_period_end=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
            auto_renew=True,
            payment_method="Visa •••• 4242",
        ),
        NOW,
    )
    assert banner == Banner(
        "Subscription active · 1 year",
        ("Renews on 10 March 2026.", "Renewals are charged to Visa •••• 4242.", "2 of 5 computers"),
        "ok",
        "manage",
    )
    assert banner.action_label == "Manage"


def test_active_without_auto_renewal_says_when_it_ends() -> None:
    banner = banner_for(
        status(
            "active",
            plan="month-1",
            current_period_end=datetime(2025, 4, 10, 9, 0, tzinfo=UTC),
            auto_renew=False,
            payment_method="PayPal (payer@example.com)",
        ),
        NOW,
    )
    assert banner.title == "Subscription active · 1 month"
    assert banner.lines == ("Ends on 10 April 2025; auto-renewal is off.", "2 of 5 computers")
    assert (banner.tone, banner.action) == ("ok", "manage")


def test_active_past_the_period_end_while_the_renewal_is_charged() -> None:
    banner = banner_for(
        status(
            "active",
            plan="month-1",
            current_period_end=NOW - timedelta(hours=1),
            auto_renew=True,
        ),
        NOW,
    )
    assert banner.lines[0] == (
        "The renewal payment is being processed; access continues meanwhile."
    )


@pytest.mark.parametrize(
    ("method", "reference", "started", "next_step"),
    [
        (
            "card",
            None,
            "Card payment started today at 09:12.",
            "Card payments are usually confirmed within a few minutes; "
            "the subscription starts by itself then.",
        ),
        (
            "paypal",
            None,
            "PayPal payment started today at 09:12.",
            "The subscription starts by itself as soon as PayPal tells us the money was received.",
        ),
        (
            "bank_transfer",
            "PH-ABCD-EFGH",
            "Bank transfer payment started today at 09:12.",
            "Transfer the amount with the reference PH-ABCD-EFGH. "
            "The subscription starts by itself as soon as the money arrives.",
        ),
    ],
)
def test_pending_payment_says_since_when_and_what_happens_next_with_no_buy_button(
    method: str, reference: str | None, started: str, next_step: str
) -> None:
    pending = PendingPayment(
        purchase_id="p-1",
        method=method,
        since=datetime(2025, 3, 10, 9, 12, tzinfo=UTC),
        plan="month-1",
        reference=reference,
    )
    banner = banner_for(status("pending_payment", pending=pending), NOW)
    assert banner == Banner(
        "Payment pending", (started, next_step, "2 of 5 computers"), "neutral", None
    )
    assert banner.action_label is None


def test_pending_since_an_earlier_day_names_the_date() -> None:
    pending = PendingPayment("p-1", "bank_transfer", datetime(2025, 3, 3, 16, 5, tzinfo=UTC))
    banner = banner_for(status("pending_payment", pending=pending), NOW)
    assert banner.lines[:2] == (
        "Bank transfer payment started on 3 March 2025 at 16:05.",
        "The subscription starts by itself as soon as the money arrives.",
    )


def test_grace_after_a_failed_renewal_asks_for_another_payment_method() -> None:
    banner = banner_for(
        status(
            "grace",
            plan="month-1",
            current_period_end=datetime(2025, 3, 8, tzinfo=UTC),
            grace_until=datetime(2025, 3, 15, tzinfo=UTC),
            auto_renew=True,
        ),
        NOW,
    )
    assert banner == Banner(
        "Payment failed",
        (
            "The renewal payment did not go through.",
            "Access continues until 15 March 2025 (5 days left).",
            "Update your payment method to keep your subscription.",
            "2 of 5 computers",
        ),
        "error",
        "retry_payment",
    )
    assert banner.action_label == "Update payment method"


def test_grace_ending_today_and_tomorrow() -> None:
    def left(until: datetime) -> str:
        return banner_for(status("grace", grace_until=until), NOW).lines[1]

    assert left(datetime(2025, 3, 10, 23, tzinfo=UTC)) == (
        "Access continues until 10 March 2025 (ends today)."
    )
    assert left(datetime(2025, 3, 11, 8, tzinfo=UTC)) == (
        "Access continues until 11 March 2025 (1 day left)."
    )


def test_expired_offers_to_buy_again() -> None:
    banner = banner_for(
        status(
            "expired",
            current_period_end=datetime(2025, 3, 1, tzinfo=UTC),
            ended_reason="period_ended",
        ),
        NOW,
    )
    assert banner == Banner(
        "Subscription ended",
        (
            "It ended on 1 March 2025.",
            "Buy a subscription to reach your computers again.",
            "2 of 5 computers",
        ),
        "warning",
        "buy",
    )


def test_expired_by_a_refund_says_so() -> None:
    banner = banner_for(status("expired", ended_reason="refunded"), NOW)
    assert banner.lines[0] == "The payment was refunded."
    assert banner.action == "buy"


def test_bundled_says_until_when_and_offers_nothing_to_buy() -> None:
    banner = banner_for(
        status("bundled", current_period_end=datetime(2026, 1, 31, tzinfo=UTC)), NOW
    )
    assert banner == Banner(
        "Subscription included",
        (
            "Included with your purchase until 31 January 2026.",
            "Nothing to pay: it came with another product.",
            "2 of 5 computers",
        ),
        "ok",
        None,
    )


def test_a_state_from_a_newer_cloud_shows_the_clouds_own_words() -> None:
    banner = banner_for(Subscription(state="paused", message="Paused until you come back."), NOW)
    assert banner == Banner("Subscription", ("Paused until you come back.",), "neutral", None)


def test_dates_are_shown_in_the_persons_time_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    end = datetime(2025, 4, 30, 20, 0, tzinfo=UTC)  # already 1 May in Tokyo
    banner = banner_for(
        Subscription(state="active", current_period_end=end, auto_renew=True), NOW.astimezone(tokyo)
    )
    assert banner.lines == ("Renews on 1 May 2025.",)  # no limit in the status: no count


def test_plan_names() -> None:
    assert [plan_name(p) for p in ("month-1", "year-1", "year-2", "month-3", "lifetime", None)] == [
        "1 month",
        "1 year",
        "2 years",
        "3 months",
        "lifetime",
        "",
    ]


@pytest.fixture
def marked() -> Iterator[None]:
    # Marks every translated piece, so a word that bypassed the hook shows up unmarked.
    i18n.install(lambda text: f"[{text}]")
    yield
    i18n.install(None)


def test_every_word_goes_through_the_translation_hook(marked: None) -> None:
    banner = banner_for(
        status("active", plan="year-1", current_period_end=datetime(2026, 3, 10, tzinfo=UTC)),
        NOW,
    )
    assert banner.title == "[Subscription active · [1 year]]"
    assert banner.lines == (
        "[Ends on [10 [March] 2026]; auto-renewal is off.]",
        "[2 of 5 computers]",
    )
    assert banner.action_label == "[Manage]"
