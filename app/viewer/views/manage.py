"""Manage the subscription: auto-renewal on or off (with a visible "saving" state until
the cloud confirms), the purchase history with receipts, and the session log."""

from __future__ import annotations

from datetime import UTC, datetime

from app.viewer.core.banner import format_date, plan_name
from app.viewer.core.records import Purchase, SessionRecord, Subscription
from app.viewer.qt import QtWidgets, Signal
from app.viewer.views.purchase import price


class ManagePanel(QtWidgets.QWidget):
    auto_renew_requested = Signal(bool)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Subscription — Porthole"))
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.auto_renew = QtWidgets.QCheckBox(self.tr("Renew automatically"))
        self.auto_renew.clicked.connect(self._toggled)
        self.saving = QtWidgets.QLabel()
        self.history = QtWidgets.QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Plan"), self.tr("Amount"), self.tr("Status")]
        )
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.auto_renew)
        box.addWidget(self.saving)
        box.addWidget(QtWidgets.QLabel(self.tr("Purchases")))
        box.addWidget(self.history, 1)
        # The session log: who reached which computer, from where, for how long.
        self.sessions = QtWidgets.QTableWidget(0, 5)
        self.sessions.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Computer"),
                self.tr("From"),
                self.tr("Duration"),
                self.tr("Outcome"),
            ]
        )
        self.sessions.horizontalHeader().setStretchLastSection(True)
        self.sessions.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sessions.setAccessibleName(self.tr("Recent sessions"))
        box.addWidget(QtWidgets.QLabel(self.tr("Recent sessions")))
        box.addWidget(self.sessions, 1)
        self.resize(640, 560)

    def show_subscription(self, subscription: Subscription) -> None:
        now = datetime.now(UTC)
        end = subscription.current_period_end
        when = format_date(end, now) if end else ""
        if subscription.auto_renew and end:
            text = self.tr("{plan}: renews on {date}.")
        elif end:
            text = self.tr("{plan}: access ends on {date}; it will not renew.")
        else:
            text = self.tr("{plan}.")
        self.summary.setText(text.format(plan=plan_name(subscription.plan), date=when))
        self.auto_renew.setEnabled(subscription.state in ("active", "grace"))
        self.auto_renew.setChecked(subscription.auto_renew)
        self.saving.setText("")

    def _toggled(self, on: bool) -> None:
        # Until the cloud confirms: disabled, and saying so.
        self.auto_renew.setEnabled(False)
        self.saving.setText(self.tr("Saving…"))
        self.auto_renew_requested.emit(on)

    def show_error(self, message: str, *, was_on: bool) -> None:
        self.auto_renew.setChecked(was_on)
        self.auto_renew.setEnabled(True)
        self.saving.setText(message)

    def state_label(self, state: str) -> str:
        """A purchase's state in words; built when shown so the language in use applies
        (and each label is a literal in ``self.tr`` for lupdate to find)."""
        labels = {
            "confirmed": self.tr("Paid"),
            "pending": self.tr("Waiting for payment"),
            "failed": self.tr("Declined"),
            "refunded": self.tr("Refunded"),
        }
        return labels.get(state, state)  # a state newer than this viewer: the cloud's id

    def show_purchases(self, purchases: list[Purchase]) -> None:
        now = datetime.now(UTC)
        self.history.setRowCount(len(purchases))
        for row, purchase in enumerate(purchases):
            cells = (
                format_date(purchase.created_at, now) if purchase.created_at else "",
                plan_name(purchase.plan),
                price(purchase.amount_cents, purchase.currency),
                self.state_label(purchase.state),
            )
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QtWidgets.QTableWidgetItem(text))

    def outcome_label(self, outcome: str, path: str | None) -> str:
        labels = {
            "granted": self.tr("Not joined"),
            "running": self.tr("In progress"),
            "ended": self.tr("Ended"),
            "ended_by_host": self.tr("Ended at the computer"),
            "declined": self.tr("Declined at the computer"),
        }
        label = labels.get(outcome, outcome)
        if path == "direct":
            return self.tr("{outcome}, direct").format(outcome=label)
        if path == "relay":
            return self.tr("{outcome}, through the relay").format(outcome=label)
        return label

    def show_sessions(self, sessions: list[SessionRecord]) -> None:
        now = datetime.now(UTC)
        self.sessions.setRowCount(len(sessions))
        for row, entry in enumerate(sessions):
            where = entry.device_name
            if entry.address:
                where = f"{where} ({entry.address})" if where else entry.address
            cells = (
                format_date(entry.granted_at, now) if entry.granted_at else "",
                entry.computer_name,
                where,
                _duration(entry.duration_s),
                self.outcome_label(entry.outcome, entry.path),
            )
            for column, text in enumerate(cells):
                self.sessions.setItem(row, column, QtWidgets.QTableWidgetItem(text))


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
