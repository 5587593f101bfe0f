"""The app's Account window against the real cloud: two-factor set up from its QR code
and turned off, a device signed out, the password changed (a wrong one keeps the person
signed in), sign out everywhere and account deletion back at the sign-in page."""

from __future__ import annotations

import pyotp
import pytest

from app.viewer.controllers.app import AppController
from app.viewer.qt import QtCore, QtTest
from app.viewer.views.account import AccountPanel
from tests.support.api import PASSWORD, Api
from tests.support.qt import qt_until, screenshot
from tests.viewer.controllers.test_app import sign_in_through_the_form

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
Qt = QtCore.Qt


def click(button: object) -> None:
    QtTest.QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


async def signed_in_account(app: AppController, api: Api) -> tuple[str, AccountPanel]:
    user = await api.sign_up()
    await sign_in_through_the_form(app, user.email, PASSWORD)
    await qt_until(lambda: app.window.pages.currentWidget() is app.window.computers, 10, "list")
    panel = await app.open_account()
    return user.email, panel


@on_sqlite
async def test_two_factor_from_the_qr_code_and_off_again(app: AppController, api: Api) -> None:
    email, panel = await signed_in_account(app, api)
    assert not panel.off.isVisible() and panel.two_factor_start.isVisible()
    click(panel.two_factor_start)
    await qt_until(lambda: panel.setup.isVisible(), 10, "the set-up")
    # The QR code is drawn from the cloud's PNG, and encodes what the key field says.
    pixmap = panel.qr.pixmap()
    assert pixmap.width() >= 100 and pixmap.height() == pixmap.width()
    secret = panel.secret.text()
    assert len(secret) >= 16
    screenshot(panel, "account-two-factor-set-up")
    panel.setup_code.setText("000000")
    click(panel.turn_on)
    await qt_until(lambda: "not right" in panel.two_factor_status.text(), 10, "refused")
    panel.setup_code.setText(pyotp.TOTP(secret).now())
    click(panel.turn_on)
    await qt_until(lambda: panel.recovery.isVisible(), 10, "the recovery codes")
    codes = panel.recovery.toPlainText().split()
    assert len(codes) == 10
    assert panel.off.isVisible() and panel.account is not None and panel.account.two_factor
    screenshot(panel, "account-recovery-codes")

    # A wrong password is refused, in words, and the app stays signed in.
    panel.off_password.setText("not my password")
    panel.off_code.setText(codes[0])
    click(panel.turn_off)
    await qt_until(lambda: "incorrect" in panel.two_factor_status.text(), 10, "refused")
    assert app.window.pages.currentWidget() is app.window.computers
    panel.off_password.setText(PASSWORD)
    click(panel.turn_off)
    await qt_until(lambda: "is off" in panel.two_factor_status.text(), 10, "turned off")
    assert panel.two_factor_start.isVisible() and not panel.off.isVisible()
    signed_in = await api.http.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert signed_in.status_code == 200  # no code asked any more


@on_sqlite
async def test_devices_password_and_sign_out_everywhere(app: AppController, api: Api) -> None:
    email, panel = await signed_in_account(app, api)
    other = await api.sign_in(email)  # another device (sign-up signed in one more)
    await app.open_account()
    assert panel.devices.rowCount() == 3
    names = [item.text() for row in range(3) if (item := panel.devices.item(row, 0))]
    this_row = next(row for row, name in enumerate(names) if "(this app)" in name)
    panel.devices.selectRow(this_row)
    assert not panel.revoke.isEnabled()  # this app signs out with Sign out, not here
    sign_ins = (await api.http.get("/api/v1/me/sign-ins", headers=other.headers)).json()
    other_row = next(
        row for row, device in enumerate(sign_ins) if device["current"]
    )  # the cloud lists them in the order the panel shows
    panel.devices.selectRow(other_row)
    click(panel.revoke)
    await qt_until(lambda: panel.devices.rowCount() == 2, 10, "the device gone")
    assert "signed out" in panel.devices_status.text()
    gone = await api.http.post("/api/v1/auth/refresh", json={"refresh_token": other.refresh_token})
    assert gone.status_code == 401

    panel.current_password.setText("not my password")
    panel.new_password.setText("a brand new password")
    click(panel.change_password)
    await qt_until(lambda: "incorrect" in panel.password_status.text(), 10, "refused")
    assert app.window.pages.currentWidget() is app.window.computers
    panel.current_password.setText(PASSWORD)
    click(panel.change_password)
    await qt_until(lambda: "is changed" in panel.password_status.text(), 10, "changed")
    assert "Other devices signed out: 1." in panel.password_status.text()
    assert panel.devices.rowCount() == 1
    assert panel.current_password.text() == ""
    screenshot(panel, "account")

    click(panel.everywhere)
    form = app.window.sign_in
    await qt_until(lambda: app.window.pages.currentWidget() is form, 10, "the sign-in page")
    assert "Every device was signed out" in form.error.text()
    remembered = app.credentials.load()
    assert remembered is None or not remembered.refresh_token


@on_sqlite
async def test_deleting_the_account(app: AppController, api: Api) -> None:
    email, panel = await signed_in_account(app, api)
    assert not panel.delete.isEnabled()  # not before the box is ticked
    panel.delete_password.setText(PASSWORD)
    panel.understood.setChecked(True)
    click(panel.delete)
    form = app.window.sign_in
    await qt_until(lambda: app.window.pages.currentWidget() is form, 10, "the sign-in page")
    assert "deleted" in form.error.text()
    gone = await api.http.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert gone.status_code == 401
