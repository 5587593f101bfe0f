"""The banner at the top of the Computers list: what the subscription status means to the
person and the one thing they can do about it. Pure: a ``Subscription`` and the current
time in, a ``Banner`` out; dates are shown in ``now``'s time zone.

Every state the cloud reports has its banner; a pending payment says so and what happens
next instead of showing a bare "Buy" button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.viewer.core.i18n import tr, tr_noop
from app.viewer.core.records import Subscription

Tone = Literal["ok", "warning", "error", "neutral"]
Action = Literal["buy", "manage", "retry_payment"]

# Marked here, translated when shown (format_date): the .ts file gets all twelve.
_MONTHS = (
    tr_noop("January"),
    tr_noop("February"),
    tr_noop("March"),
    tr_noop("April"),
    tr_noop("May"),
    tr_noop("June"),
    tr_noop("July"),
    tr_noop("August"),
    tr_noop("September"),
    tr_noop("October"),
    tr_noop("November"),
    tr_noop("December"),
)
_ACTION_LABELS: dict[Action, str] = {
    "buy": tr_noop("Buy subscription"),
    "manage": tr_noop("Manage"),
    "retry_payment": tr_noop("Update payment method"),
}
# One whole sentence per payment method: "{method} payment started" would leave the
# translator a noun to agree with ("Paiement par carte", "Virement bancaire").
_STARTED = {
    "card": tr_noop("Card payment started {when}."),
    "paypal": tr_noop("PayPal payment started {when}."),
    "bank_transfer": tr_noop("Bank transfer payment started {when}."),
}


@dataclass(frozen=True)
class Banner:
    title: str
    lines: tuple[str, ...]
    tone: Tone
    action: Action | None = None

    @property
    def action_label(self) -> str | None:
        return tr(_ACTION_LABELS[self.action]) if self.action else None


def _local(moment: datetime, now: datetime) -> datetime:
    return moment.astimezone(now.tzinfo) if now.tzinfo and moment.tzinfo else moment


def format_date(moment: datetime, now: datetime) -> str:
    day = _local(moment, now)
    # The first of the month has its own template: French writes it "1er mars 2026".
    template = tr("1 {month} {year}") if day.day == 1 else tr("{day} {month} {year}")
    return template.format(day=day.day, month=tr(_MONTHS[day.month - 1]), year=day.year)


def _days_left(moment: datetime, now: datetime) -> str:
    days = (_local(moment, now).date() - now.date()).days
    if days <= 0:
        return tr("ends today")
    if days == 1:
        return tr("1 day left")
    return tr("{days} days left").format(days=days)


def _since(moment: datetime, now: datetime) -> str:
    local = _local(moment, now)
    time = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == now.date():
        return tr("today at {time}").format(time=time)
    return tr("on {date} at {time}").format(date=format_date(local, now), time=time)


def plan_name(plan: str | None) -> str:
    """``month-1`` → "1 month", ``year-2`` → "2 years"; an unknown id as it is."""
    unit, _, count = (plan or "").partition("-")
    if not count.isdigit() or unit not in ("month", "year"):
        return plan or ""
    n = int(count)
    if unit == "month":
        return tr("1 month") if n == 1 else tr("{n} months").format(n=n)
    return tr("1 year") if n == 1 else tr("{n} years").format(n=n)


def what_happens_next(method: str, reference: str | None = None) -> str:
    """When a pending payment turns into an active subscription, by payment method."""
    if method == "card":
        return tr(
            "Card payments are usually confirmed within a few minutes; "
            "the subscription starts by itself then."
        )
    if method == "paypal":
        return tr(
            "The subscription starts by itself as soon as PayPal tells us the money was received."
        )
    if method == "bank_transfer" and reference:
        return tr(
            "Transfer the amount with the reference {reference}. "
            "The subscription starts by itself as soon as the money arrives."
        ).format(reference=reference)
    if method == "bank_transfer":
        return tr("The subscription starts by itself as soon as the money arrives.")
    return tr("The subscription starts by itself as soon as the payment is confirmed.")


def banner_for(status: Subscription, now: datetime) -> Banner:
    banner = _banner(status, now)
    if status.computers_limit:
        used = tr("{used} of {limit} computers").format(
            used=status.computers_used or 0, limit=status.computers_limit
        )
        banner = Banner(banner.title, (*banner.lines, used), banner.tone, banner.action)
    return banner


def _banner(status: Subscription, now: datetime) -> Banner:
    end = status.current_period_end
    if status.state == "active":
        return _active(status, now)
    if status.state == "pending_payment":
        return _pending(status, now)
    if status.state == "grace":
        until = status.grace_until or end
        lines = [tr("The renewal payment did not go through.")]
        if until is not None:
            lines.append(
                tr("Access continues until {date} ({left}).").format(
                    date=format_date(until, now), left=_days_left(until, now)
                )
            )
        lines.append(tr("Update your payment method to keep your subscription."))
        return Banner(tr("Payment failed"), tuple(lines), "error", "retry_payment")
    if status.state == "expired":
        lines = []
        if status.ended_reason == "refunded":
            lines.append(tr("The payment was refunded."))
        elif end is not None:
            lines.append(tr("It ended on {date}.").format(date=format_date(end, now)))
        lines.append(tr("Buy a subscription to reach your computers again."))
        return Banner(tr("Subscription ended"), tuple(lines), "warning", "buy")
    if status.state == "bundled":
        lines = [tr("Nothing to pay: it came with another product.")]
        if end is not None:
            lines.insert(
                0,
                tr("Included with your purchase until {date}.").format(date=format_date(end, now)),
            )
        return Banner(tr("Subscription included"), tuple(lines), "ok")
    if status.state == "none":
        lines = [tr("Buy a subscription to reach your computers.")]
        return Banner(tr("No subscription"), tuple(lines), "neutral", "buy")
    # A state this viewer does not know yet: the cloud's own sentence says what it is.
    return Banner(tr("Subscription"), (status.message,) if status.message else (), "neutral")


def _active(status: Subscription, now: datetime) -> Banner:
    plan = plan_name(status.plan)
    title = (
        tr("Subscription active · {plan}").format(plan=plan) if plan else tr("Subscription active")
    )
    end = status.current_period_end
    lines: list[str] = []
    if end is not None and status.auto_renew and end <= now:
        lines.append(tr("The renewal payment is being processed; access continues meanwhile."))
    elif end is not None and status.auto_renew:
        lines.append(tr("Renews on {date}.").format(date=format_date(end, now)))
    elif end is not None:
        lines.append(tr("Ends on {date}; auto-renewal is off.").format(date=format_date(end, now)))
    if status.auto_renew and status.payment_method:
        lines.append(tr("Renewals are charged to {method}.").format(method=status.payment_method))
    return Banner(title, tuple(lines), "ok", "manage")


def _pending(status: Subscription, now: datetime) -> Banner:
    pending = status.pending
    if pending is None:
        return Banner(tr("Payment pending"), (status.message,) if status.message else (), "neutral")
    lines: list[str] = []
    if pending.since is not None:
        started = _STARTED.get(pending.method, tr_noop("Payment started {when}."))
        lines.append(tr(started).format(when=_since(pending.since, now)))
    lines.append(what_happens_next(pending.method, pending.reference))
    # No action: the payment is on its way, and a "Buy" button here invites a second one.
    return Banner(tr("Payment pending"), tuple(lines), "neutral")
