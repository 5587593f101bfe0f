"""The app against the real cloud, driven through its widgets: signing in and out, the
Computers list kept live, the banner, buying (a double or triple click charges once)
and managing auto-renewal. Screenshots of each screen land in build/screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import platform
from pathlib import Path
from typing import Any

import pyotp
import pytest

from app.agent.link import ControlLink
from app.protocol.secure import StaticKey
from app.viewer.controllers.app import AppController
from app.viewer.core.credentials import DEVICE_KEY_USER
from app.viewer.core.grants import session_request
from app.viewer.core.known_keys import ComputerKeyChanged
from app.viewer.core.preferences import Preferences
from app.viewer.qt import QtCore, QtGui, QtTest
from tests.support.api import PASSWORD, Api
from tests.support.billing import advance
from tests.support.keyrings import MemoryKeyring
from tests.support.qt import qt_until, screenshot
from tests.support.sessions import Host, entitled_online_host
from tests.support.waiting import eventually_async

on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
Qt = QtCore.Qt


async def sign_in_through_the_form(app: AppController, email: str, password: str) -> None:
    form = app.window.sign_in
    form.email.setText(email)
    form.password.setText(password)
    QtTest.QTest.mouseClick(form.submit, Qt.MouseButton.LeftButton)


@on_sqlite
async def test_sign_in_remembered_in_the_keyring_and_sign_out(
    app: AppController, api: Api, keychain: MemoryKeyring, tmp_path: Path
) -> None:
    user = await api.sign_up()
    form = app.window.sign_in
    screenshot(app.window, "sign-in")

    await sign_in_through_the_form(app, user.email, "not the password")
    await qt_until(lambda: form.error.isVisible(), 10, "the error")
    assert "incorrect" in form.error.text().lower()
    assert app.window.pages.currentWidget() is form

    await sign_in_through_the_form(app, user.email, PASSWORD)
    await qt_until(lambda: app.window.pages.currentWidget() is app.window.computers, 10, "list")
    assert app.window.account.text() == user.email
    # The refresh token, and the device's end-to-end key, are in the keyring only.
    tokens = {k: v for k, v in keychain.secrets.items() if k[1] != DEVICE_KEY_USER}
    [(service, _)] = tokens
    token = next(iter(tokens.values()))
    assert service == "Porthole" and token
    device_key = keychain.secrets.get(("Porthole", DEVICE_KEY_USER))
    assert device_key is not None and device_key.startswith("x25519-private:")
    for written in (tmp_path / "config").rglob("*"):
        assert token not in written.read_text(), f"the refresh token leaked into {written}"
        assert device_key not in written.read_text(), f"the device key leaked into {written}"
    # No computers yet: how to add one, with a one-time code to copy.
    empty = app.window.computers.empty
    await qt_until(lambda: app.window.computers.pages.currentWidget() is empty, 10, "empty")
    QtTest.QTest.mouseClick(empty.new_code, Qt.MouseButton.LeftButton)
    await qt_until(lambda: bool(empty.code.text()), 10, "an enrolment code")
    QtTest.QTest.mouseClick(empty.copy_button, Qt.MouseButton.LeftButton)
    assert QtGui.QGuiApplication.clipboard().text() == empty.code.text()
    screenshot(app.window, "computers-empty")

    app.window.sign_out_action.trigger()
    await qt_until(lambda: app.window.pages.currentWidget() is form, 10, "signed out")
    # Signed out: the token is gone; the device's key stays (it is the device's, not the
    # account's).
    assert set(keychain.secrets) == {("Porthole", DEVICE_KEY_USER)}
    assert form.email.text() == user.email and form.password.text() == ""


@on_sqlite
async def test_a_remembered_sign_in_opens_the_list_and_an_ended_one_goes_back(
    app: AppController, api: Api, keychain: MemoryKeyring
) -> None:
    user = await api.sign_up()
    await sign_in_through_the_form(app, user.email, PASSWORD)
    await qt_until(lambda: app.window.pages.currentWidget() is app.window.computers, 10, "list")
    await app.close()

    # Next start: straight to the list, from the keyring.
    window = app.window
    again = AppController(api.url, window, app.credentials)
    window.show_sign_in()
    await again.start()
    assert window.pages.currentWidget() is window.computers
    # The sign-in ends elsewhere (its refresh token used by someone else, which revokes
    # the whole family): back to sign-in, in the same window.
    token = next(v for k, v in keychain.secrets.items() if k[1] != DEVICE_KEY_USER)
    stolen = await api.http.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert stolen.status_code == 200, stolen.text
    assert again.client is not None
    again.client._access = None  # the access token would expire; do not wait 15 minutes
    again._run(again.reload())
    await qt_until(lambda: window.pages.currentWidget() is window.sign_in, 10, "sign-in")
    assert window.sign_in.error.text()
    await again.close()


async def test_an_unreachable_cloud_offers_retry(
    qtbot: object, keychain: MemoryKeyring, tmp_path: Path
) -> None:
    from app.viewer.core.credentials import CredentialStore
    from app.viewer.views.main_window import MainWindow
    from tests.support.viewer_cloud import closed_port

    window = MainWindow()
    window.show()
    app = AppController(f"http://127.0.0.1:{closed_port()}", window, CredentialStore(tmp_path))
    await sign_in_through_the_form(app, "someone@example.com", PASSWORD)
    await qt_until(lambda: window.sign_in.retry.isVisible(), 10, "the retry button")
    assert "reach" in window.sign_in.error.text().lower()
    screenshot(window, "sign-in-unreachable")
    await app.close()
    window.close()


@on_sqlite
async def test_the_list_is_live_and_computers_can_be_renamed_and_removed(
    app: AppController, api: Api
) -> None:
    user = await api.sign_up()
    enrolled = await api.enroll(user, "Studio")
    await sign_in_through_the_form(app, user.email, PASSWORD)
    rows = app.window.computers.rows
    await qt_until(lambda: enrolled["computer_id"] in rows, 10, "the computer's row")
    row = rows[enrolled["computer_id"]]
    assert not row.computer.online and not row.connect_button.isEnabled()

    # The agent links up: the row turns online by itself (the event feed, once live: a
    # presence sent before would only show after the feed's reload, in a new row).
    await qt_until(lambda: app.feed is not None and app.feed.state == "live", 10, "live feed")
    link = ControlLink(api.url, enrolled["agent_token"])
    linking = asyncio.ensure_future(link.run_forever())
    try:
        await qt_until(lambda: rows[enrolled["computer_id"]].computer.online, 15, "online")
        row = rows[enrolled["computer_id"]]
        assert row.connect_button.isEnabled() and "Online" in row.detail.text()
        screenshot(app.window, "computers")

        QtTest.QTest.mouseClick(row.rename_button, Qt.MouseButton.LeftButton)
        row.name_edit.setText("Music room")
        QtTest.QTest.keyClick(row.name_edit, Qt.Key.Key_Return)
        await qt_until(lambda: row.name.text() == "Music room", 10, "renamed")
        assert (await api.computers(user))[0]["name"] == "Music room"

        QtTest.QTest.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)
        assert row.confirm.isVisible()
        QtTest.QTest.mouseClick(row.confirm_remove, Qt.MouseButton.LeftButton)
        await qt_until(lambda: enrolled["computer_id"] not in rows, 10, "removed")
        assert await api.computers(user) == []
    finally:
        linking.cancel()


@on_sqlite
async def test_buying_with_a_triple_click_charges_once_and_the_banner_goes_active_live(
    app: AppController, api: Api
) -> None:
    user = await api.sign_up()
    await sign_in_through_the_form(app, user.email, PASSWORD)
    banner = app.window.computers.banner
    await qt_until(lambda: banner.action.isVisible(), 10, "Buy subscription")
    assert banner.action.text() == "Buy subscription"
    screenshot(app.window, "banner-none")

    QtTest.QTest.mouseClick(banner.action, Qt.MouseButton.LeftButton)
    await qt_until(
        lambda: app.purchase_panel is not None and app.purchase_panel.isVisible(), 10, "panel"
    )
    panel = app.purchase_panel
    assert panel is not None
    await qt_until(lambda: len(panel.plan_buttons) == 2, 10, "the app's plans")
    panel.card_number.setText("4242 4242 4242 4242")
    panel.card_expiry.setText("12/30")
    panel.card_cvc.setText("123")
    screenshot(panel, "purchase")
    for _ in range(3):
        QtTest.QTest.mouseClick(panel.buy, Qt.MouseButton.LeftButton)
    assert not panel.buy.isEnabled()
    await qt_until(lambda: "minutes" in panel.status.text(), 15, "pending, with what happens next")
    await qt_until(
        lambda: (
            "since" in banner.title.text().lower()
            or "pending" in banner.title.text().lower()
            or "payment" in banner.title.text().lower()
        ),
        10,
        "banner: pending",
    )
    screenshot(app.window, "banner-pending")
    purchases = (await api.http.get("/api/v1/purchases", headers=user.headers)).json()
    assert len(purchases) == 1, purchases

    await advance(api, 5)  # the sandbox card network confirms
    await qt_until(lambda: "renews" in banner.details.text().lower(), 20, "banner: active, live")
    assert panel.status.text().startswith("Paid")
    screenshot(app.window, "banner-active")

    # Manage: auto-renewal off, with a visible saving state, then the history.
    app.window.manage_action.trigger()
    await qt_until(lambda: app.manage_panel is not None, 10, "the manage panel")
    manage = app.manage_panel
    assert manage is not None
    await qt_until(lambda: manage.history.rowCount() == 1, 10, "the purchase history")
    state_cell = manage.history.item(0, 3)
    assert state_cell is not None and state_cell.text() == "Paid"
    assert manage.auto_renew.isChecked() and "renews on" in manage.summary.text()
    manage.auto_renew.click()
    assert not manage.auto_renew.isEnabled() and manage.saving.text() == "Saving…"
    await qt_until(lambda: manage.auto_renew.isEnabled(), 10, "the cloud to confirm")
    assert not manage.auto_renew.isChecked()
    assert "will not renew" in manage.summary.text()
    status = (await api.http.get("/api/v1/subscription", headers=user.headers)).json()
    assert status["auto_renew"] is False
    await qt_until(lambda: "ends on" in banner.details.text().lower(), 10, "banner: ends on")
    screenshot(manage, "manage")


async def signed_in_seeing_online(app: AppController, host: Host) -> dict[str, Any]:
    """Signed in through the form, the host's computer listed online; the list's rows."""
    await sign_in_through_the_form(app, host.user.email, PASSWORD)
    rows = app.window.computers.rows
    await qt_until(
        lambda: host.computer_id in rows and rows[host.computer_id].computer.online,
        15,
        "the online computer",
    )
    return rows


@on_sqlite
async def test_trackpad_and_magnifier_choices_are_remembered_for_the_next_session(
    app: AppController, api: Api
) -> None:
    async with entitled_online_host(api) as host:
        await signed_in_seeing_online(app, host)
        window = await app.open_session(host.computer_id)
        await qt_until(lambda: window.video.painted_frame_id >= 0, 20, "the remote screen")
        assert not window.trackpad_button.isChecked()  # touch where to act, at first
        assert window.lens_button.isChecked()  # and a long press shows the magnifier
        window.trackpad_button.setChecked(True)
        window.lens_button.setChecked(False)
        window.close()
        await qt_until(lambda: not app.sessions, 10, "the window's session to end")
        # The computer's card now shows its screen as it was when the session ended.
        row = app.window.computers.rows[host.computer_id]
        await qt_until(lambda: row.thumbnail is not None, 10, "the thumbnail")
        assert row.picture.accessibleName() == "The screen of Studio when last seen"
        assert app.thumbnails.path(host.computer_id) == row.thumbnail
        again = await app.open_session(host.computer_id)
        assert again.trackpad_button.isChecked() and again.controller.trackpad
        assert not again.lens_button.isChecked() and not again.controller.lens_enabled
        assert app.preferences.load() == Preferences(trackpad=True, lens=False)
        await qt_until(lambda: again.video.painted_frame_id >= 0, 20, "the remote screen")
        again.close()
        await qt_until(lambda: not app.sessions, 10, "the second session to end")


@on_sqlite
async def test_connect_opens_one_session_window_per_computer(app: AppController, api: Api) -> None:
    async with entitled_online_host(api) as host:
        rows = await signed_in_seeing_online(app, host)
        row = rows[host.computer_id]
        QtTest.QTest.mouseClick(row.connect_button, Qt.MouseButton.LeftButton)
        await qt_until(lambda: host.computer_id in app.sessions, 10, "a session window")
        window = app.sessions[host.computer_id]
        await qt_until(lambda: window.video.painted_frame_id >= 0, 20, "the remote screen")
        assert window.windowTitle() == "Studio — Porthole"
        assert await app.open_session(host.computer_id) is window  # brought forward
        assert list(app.sessions.values()) == [window]
        window.close()
        await qt_until(lambda: not app.sessions, 10, "the window's session to end")
        # The session log, in Manage: which computer, from this device, and how it ended.

        async def ended() -> bool:
            log = await api.http.get("/api/v1/sessions/history", headers=host.user.headers)
            return bool(log.json() and log.json()[0]["outcome"] == "ended")

        await eventually_async(ended, 20, "the session's end in the log")
        manage = await app.open_manage()
        assert manage.sessions.rowCount() == 1
        cells = [manage.sessions.item(0, column) for column in range(5)]
        assert [cell.text() if cell else "" for cell in cells][1:] == [
            "Studio",
            f"{platform.node()} (127.0.0.1)",
            cells[3].text() if cells[3] else "",
            "Ended, through the relay",
        ]
        screenshot(manage, "manage-sessions")


@on_sqlite
async def test_creating_an_account_and_being_throttled_with_the_wait_shown(
    app: AppController, api: Api
) -> None:
    form = app.window.sign_in
    QtTest.QTest.mouseClick(form.switch, Qt.MouseButton.LeftButton)  # "Create an account"
    assert form.submit.text() == "Create account"
    email = f"new-{id(app)}@example.com"
    await sign_in_through_the_form(app, email, PASSWORD)
    await qt_until(lambda: app.window.pages.currentWidget() is app.window.computers, 10, "in")
    app.window.sign_out_action.trigger()
    await qt_until(lambda: app.window.pages.currentWidget() is form, 10, "signed out")

    # Wrong passwords until the cloud makes us wait: the form says how long and the
    # button stays off meanwhile.
    for attempt in range(10):
        await app.sign_in(email, f"wrong {attempt}", remember=False)
        if "Try again in" in form.error.text():
            break
    assert "Try again in" in form.error.text(), form.error.text()
    assert not form.submit.isEnabled()
    screenshot(app.window, "sign-in-throttled")


@on_sqlite
async def test_a_declined_card_says_so_and_buying_works_again(app: AppController, api: Api) -> None:
    user = await api.sign_up()
    await sign_in_through_the_form(app, user.email, PASSWORD)
    await qt_until(lambda: app.window.computers.banner.action.isVisible(), 10, "Buy")
    panel = await app.open_purchase()
    panel.card_number.setText("4000 0000 0000 0002")  # the sandbox's declined card
    panel.card_expiry.setText("12/30")
    panel.card_cvc.setText("123")
    QtTest.QTest.mouseClick(panel.buy, Qt.MouseButton.LeftButton)
    await advance(api, 5)
    await qt_until(lambda: panel.buy.isEnabled(), 20, "an outcome")
    assert "declined" in panel.status.text().lower(), panel.status.text()
    assert app.window.computers.banner.action.text() == "Buy subscription"
    screenshot(panel, "purchase-declined")


@on_sqlite
async def test_two_factor_sign_in_asks_for_the_code(app: AppController, api: Api) -> None:
    user = await api.sign_up()
    setup = (await api.http.post("/api/v1/me/two-factor", headers=user.headers)).json()
    confirmed = await api.http.post(
        "/api/v1/me/two-factor/confirm",
        headers=user.headers,
        json={"code": pyotp.TOTP(setup["secret"]).now()},
    )
    recovery = confirmed.json()["recovery_codes"]
    form = app.window.sign_in
    await sign_in_through_the_form(app, user.email, PASSWORD)
    await qt_until(lambda: form.code.isVisible(), 10, "the code field")
    assert "6-digit code" in form.error.text()
    assert form.password.text() == PASSWORD  # right: only the code is left to type
    screenshot(app.window, "sign-in-code")
    form.code.setText("000000")
    QtTest.QTest.mouseClick(form.submit, Qt.MouseButton.LeftButton)
    await qt_until(lambda: "not right" in form.error.text(), 10, "the wrong code refused")
    form.code.setText(recovery[0])
    QtTest.QTest.mouseClick(form.submit, Qt.MouseButton.LeftButton)
    await qt_until(lambda: app.window.pages.currentWidget() is app.window.computers, 10, "list")
    devices = (await api.http.get("/api/v1/me/sign-ins", headers=user.headers)).json()
    assert platform.node()[:100] in {device["device_name"] for device in devices}


@on_sqlite
async def test_a_computer_whose_key_changed_is_not_reached_without_asking(
    app: AppController, api: Api
) -> None:
    async with entitled_online_host(api) as host:
        rows = await signed_in_seeing_online(app, host)
        window = await app.open_session(host.computer_id)  # the first session pins its key
        await qt_until(lambda: window.video.painted_frame_id >= 0, 20, "the remote screen")
        window.close()
        await qt_until(lambda: not app.sessions, 10, "the window's session to end")

        # The cloud now names another key for the computer (as after a reinstall, or a
        # cloud standing in for it): announced by a link with a new key.
        new_key = StaticKey.generate()
        link = ControlLink(api.url, host.agent_token, session_key=new_key.public_text)
        task = asyncio.create_task(link.run_forever())
        try:

            async def named() -> bool:
                grant = await api.http.post(
                    "/api/v1/sessions",
                    headers=host.user.headers,
                    json=session_request(host.computer_id, StaticKey.generate()),
                )
                return bool(grant.json().get("agent_public_key") == new_key.public_text)

            await eventually_async(named, 15, "the cloud to name the new key")
            QtTest.QTest.mouseClick(
                rows[host.computer_id].connect_button, Qt.MouseButton.LeftButton
            )
            await qt_until(lambda: app.key_question is not None, 10, "the question")
            question = app.key_question
            assert question is not None
            await qt_until(question.isVisible, 10, "the question shown")
            assert "new identity" in question.text() and "Studio" in question.text()
            assert question.defaultButton() is question.cancel
            screenshot(question, "key-changed")
            QtTest.QTest.mouseClick(question.cancel, Qt.MouseButton.LeftButton)
            assert not app.sessions  # nothing was opened
            known = app.credentials.known_keys()
            with pytest.raises(ComputerKeyChanged):
                known.check(api.url, host.computer_id, new_key.public_text)

            QtTest.QTest.mouseClick(
                rows[host.computer_id].connect_button, Qt.MouseButton.LeftButton
            )
            await qt_until(
                lambda: app.key_question is not question and app.key_question is not None,
                10,
                "the question again",
            )
            again = app.key_question
            assert again is not None
            await qt_until(again.isVisible, 10, "the question shown")
            QtTest.QTest.mouseClick(again.connect_anyway, Qt.MouseButton.LeftButton)
            await qt_until(lambda: host.computer_id in app.sessions, 10, "a session window")
            known.check(api.url, host.computer_id, new_key.public_text)  # pinned now
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
