"""Buying a subscription in the app: one month or one year at the cloud's prices, how to
pay, and then what is happening. The Buy button is disabled from the first click until
an outcome, so no click pattern can start a second purchase."""

from __future__ import annotations

from datetime import date

from app.viewer.core.banner import plan_name
from app.viewer.core.purchase import PurchaseState
from app.viewer.core.records import BankTransfer, Card, PaymentMethod, PayPal, Plan
from app.viewer.qt import QtCore, QtWidgets, Signal


def price(cents: int, currency: str) -> str:
    """The amount in the language's number format (9.99 EUR, 9,99 EUR): the default
    QLocale, which ``install_translations`` sets to the language in use."""
    return f"{QtCore.QLocale().toString(cents / 100, 'f', 2)} {currency.upper()}"


class PurchasePanel(QtWidgets.QWidget):
    buy_requested = Signal(str, object)  # plan id, PaymentMethod
    retry_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Buy a subscription — Porthole"))
        self.plan_group = QtWidgets.QButtonGroup(self)
        self.plan_box = QtWidgets.QVBoxLayout()
        self.plan_buttons: dict[str, QtWidgets.QRadioButton] = {}
        self.methods = QtWidgets.QComboBox()
        self.methods.setAccessibleName(self.tr("Payment method"))
        for key, label in (
            ("card", self.tr("Card")),
            ("paypal", self.tr("PayPal")),
            ("bank_transfer", self.tr("Bank transfer")),
        ):
            self.methods.addItem(label, key)
        self.methods.currentIndexChanged.connect(self._method_changed)
        self.card_number = QtWidgets.QLineEdit()
        self.card_number.setPlaceholderText("4242 4242 4242 4242")
        self.card_number.setAccessibleName(self.tr("Card number"))
        self.card_expiry = QtWidgets.QLineEdit()
        self.card_expiry.setPlaceholderText(self.tr("MM/YY"))
        self.card_expiry.setAccessibleName(self.tr("Expiry date"))
        self.card_cvc = QtWidgets.QLineEdit()
        self.card_cvc.setPlaceholderText(self.tr("CVC"))
        self.card_cvc.setAccessibleName(self.tr("Security code"))
        self.card_cvc.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.paypal_email = QtWidgets.QLineEdit()
        self.paypal_email.setAccessibleName(self.tr("PayPal email"))
        self.card_form = QtWidgets.QWidget()
        card = QtWidgets.QFormLayout(self.card_form)
        card.addRow(self.tr("Card number"), self.card_number)
        card.addRow(self.tr("Expiry (MM/YY)"), self.card_expiry)
        card.addRow(self.tr("Security code"), self.card_cvc)
        self.paypal_form = QtWidgets.QWidget()
        QtWidgets.QFormLayout(self.paypal_form).addRow(self.tr("PayPal email"), self.paypal_email)
        self.bank_note = QtWidgets.QLabel(
            self.tr("You will get the bank details and a reference to use for the transfer.")
        )
        self.bank_note.setWordWrap(True)
        self.buy = QtWidgets.QPushButton(self.tr("Buy"))
        self.buy.setDefault(True)
        self.buy.clicked.connect(self._buy)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)  # busy: the time it takes is not ours to know
        self.progress.setVisible(False)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(
            self.status.textInteractionFlags()
            | self.status.textInteractionFlags().TextSelectableByMouse
        )
        self.retry = QtWidgets.QPushButton(self.tr("Try again"))
        self.retry.setVisible(False)
        self.retry.clicked.connect(self._retry)
        box = QtWidgets.QVBoxLayout(self)
        box.addWidget(QtWidgets.QLabel(self.tr("Choose a plan")))
        box.addLayout(self.plan_box)
        box.addWidget(QtWidgets.QLabel(self.tr("Pay with")))
        box.addWidget(self.methods)
        box.addWidget(self.card_form)
        box.addWidget(self.paypal_form)
        box.addWidget(self.bank_note)
        box.addWidget(self.buy)
        box.addWidget(self.progress)
        box.addWidget(self.status)
        box.addWidget(self.retry)
        box.addStretch(1)
        self._method_changed()
        self.resize(460, 520)

    def set_plans(self, plans: list[Plan]) -> None:
        for button in self.plan_buttons.values():
            self.plan_group.removeButton(button)
            button.deleteLater()
        self.plan_buttons.clear()
        for plan in sorted(plans, key=lambda p: p.months):
            button = QtWidgets.QRadioButton(
                self.tr("{plan} — {price}").format(
                    plan=plan_name(plan.id), price=price(plan.price_cents, plan.currency)
                )
            )
            self.plan_group.addButton(button)
            self.plan_box.addWidget(button)
            self.plan_buttons[plan.id] = button
        if self.plan_buttons:
            next(iter(self.plan_buttons.values())).setChecked(True)

    def _method_changed(self) -> None:
        method = self.methods.currentData()
        self.card_form.setVisible(method == "card")
        self.paypal_form.setVisible(method == "paypal")
        self.bank_note.setVisible(method == "bank_transfer")

    def chosen_plan(self) -> str | None:
        return next((p for p, b in self.plan_buttons.items() if b.isChecked()), None)

    def payment_method(self) -> PaymentMethod | None:
        method = self.methods.currentData()
        if method == "paypal":
            email = self.paypal_email.text().strip()
            return PayPal(email) if email else None
        if method == "bank_transfer":
            return BankTransfer()
        month, _, year = self.card_expiry.text().partition("/")
        try:
            exp_month, exp_year = int(month), int(year)
        except ValueError:
            return None
        if exp_year < 100:
            exp_year += date.today().year // 100 * 100
        number = self.card_number.text().strip()
        cvc = self.card_cvc.text().strip()
        return Card(number, exp_month, exp_year, cvc) if number and cvc else None

    def _buy(self) -> None:
        if not self.buy.isEnabled():
            return
        plan, method = self.chosen_plan(), self.payment_method()
        if plan is None or method is None:
            self.status.setText(self.tr("Choose a plan and fill in how you pay."))
            return
        # Disabled now, before anything else runs: the second click of a double click
        # finds the button already off.
        self.buy.setEnabled(False)
        self.buy_requested.emit(plan, method)

    def _retry(self) -> None:
        self.retry.setVisible(False)
        self.buy.setEnabled(False)
        self.retry_requested.emit()

    def show_state(self, state: PurchaseState) -> None:
        busy = state.stage in ("submitting", "pending")
        self.progress.setVisible(busy)
        self.buy.setEnabled(state.outcome and state.stage != "active")
        self.retry.setVisible(state.stage == "failed" and state.retryable)
        text = state.message
        details = state.purchase.instructions if state.purchase is not None else None
        if details is not None:
            text += "\n" + self.tr(
                "Pay {amount} to {beneficiary}, IBAN {iban}, reference {reference}."
            ).format(
                amount=price(details.amount_cents, details.currency),
                beneficiary=details.beneficiary,
                iban=details.iban,
                reference=details.reference,
            )
        if state.stage == "submitting":
            text = self.tr("Sending your payment…")
        self.status.setText(text)
