"""Billing periods that keep their anniversary: Jan 31 → Feb 28/29 → Mar 31 → Apr 30.

Every period end is computed from the subscription's anchor (when it first started),
never from the previous end, so a short month does not drift the day for good."""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(anchor: datetime, months: int) -> datetime:
    """``anchor`` moved by whole months, clamped to the last day of shorter months."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return anchor.replace(year=year, month=month, day=day)


def period_end(anchor: datetime, months_elapsed: int) -> datetime:
    """The end of the period that closes ``months_elapsed`` months after the anchor."""
    return add_months(anchor, months_elapsed)
