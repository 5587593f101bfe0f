"""The portal's Account page: email confirmation, password change, two-factor set-up with
its QR code and recovery codes, the signed-in devices, sign out everywhere, and deleting
the account — each with its mistakes (a wrong password keeps the person signed in)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.support.api import PASSWORD
from tests.support.browser import screenshot
from tests.support.mail import mails_to

pytestmark = pytest.mark.xdist_group("portal")


def open_account(page: Any) -> None:
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def test_two_factor_is_set_up_and_turned_off_on_the_page(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    open_account(page)
    expect(page.locator("#two-factor-state")).to_have_attribute("data-on", "false")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code to add Porthole to your authenticator app")
    expect(qr).to_be_visible()
    # Drawn (the page's policy lets the data: image in), not a broken-image box.
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("#two-factor-secret").inner_text()
    screenshot(page, "account-two-factor-set-up")
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#two-factor-confirm-status")).to_contain_text("not right")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.all_inner_texts()
    screenshot(page, "account-recovery-codes")
    page.get_by_role("button", name="I have saved them").click()
    expect(page.locator("#two-factor-state")).to_have_attribute("data-on", "true")

    # Turning it off takes the password and a code; a wrong password is refused and the
    # person stays signed in on this page.
    form = page.locator("#two-factor-off")
    form.get_by_label("Your password").fill("not my password")
    form.get_by_label("Code from your authenticator app").fill(recovery[0])
    form.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.locator("#two-factor-off-status")).to_contain_text("incorrect")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.locator("#two-factor-state")).to_have_attribute("data-on", "false")
    signed_in = cloud_api.http.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert signed_in.status_code == 200  # no code asked any more


def test_devices_password_and_sign_out_everywhere(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    phone = cloud_api.http.post(
        "/api/v1/auth/token",
        json={"email": email, "password": PASSWORD, "device_name": "Anna's phone"},
    ).json()
    tablet = cloud_api.http.post(
        "/api/v1/auth/token",
        json={"email": email, "password": PASSWORD, "device_name": "Anna's tablet"},
    ).json()
    page = open_page()
    sign_in(page, email)
    open_account(page)
    rows = page.locator("#device-table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#this-device")).to_have_text("This browser")
    screenshot(page, "account-devices")
    page.get_by_role("button", name="Sign out Anna's phone").click()
    expect(page.locator("#devices-status")).to_contain_text("Anna's phone is signed out.")
    expect(rows).to_have_count(2)
    refused = cloud_api.http.post(
        "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    assert refused.status_code == 401

    form = page.locator("#password-form")
    form.get_by_label("Current password").fill("not my password")
    form.get_by_label("New password").fill("a brand new password")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-form-status")).to_contain_text("incorrect")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_label("New password").fill("a brand new password")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-form-status")).to_contain_text("Other devices signed out: 1.")
    expect(rows).to_have_count(1)  # the tablet was signed out with the change
    assert (
        cloud_api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": tablet["refresh_token"]}
        ).status_code
        == 401
    )

    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    expect(page.locator("main")).to_contain_text("Every device was signed out, this one too.")
    sign_in(page, email, "a brand new password")


def test_the_email_link_is_sent_again_and_the_account_deleted(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    mail_dir = Path(os.environ["PORTHOLE_MAIL_DIR"])  # the test clouds' file mailer
    page = open_page()
    sign_in(page, email)
    open_account(page)
    expect(page.locator("#email-state")).to_have_attribute("data-verified", "false")
    mailed = len(mails_to(mail_dir, email))
    page.get_by_role("button", name="Send the link again").click()
    expect(page.locator("#email-status")).to_contain_text(f"A new link is on its way to {email}")
    assert len(mails_to(mail_dir, email)) == mailed + 1

    form = page.locator("#delete-form")
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account").click()
    # The box must be ticked: the browser says so and nothing is deleted.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    form.get_by_label("I understand that this cannot be undone").check()
    screenshot(page, "account-delete")
    form.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    expect(page.locator("main")).to_contain_text("Your account is deleted.")
    gone = cloud_api.http.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert gone.status_code == 401


def test_the_account_page_in_french(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    page.locator("#language").select_option("fr")
    page.get_by_role("link", name="Compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte")
    expect(page.get_by_role("heading", name="Appareils connectés")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter partout")).to_be_visible()
    screenshot(page, "account-fr")
