"""Sign in and out, errors, French, phone and tablet widths, keyboard use, and the page's
security headers."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import expect

from app.cloud.portal import PORTAL_DIR
from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.support.api import PASSWORD
from tests.support.browser import screenshot
from tests.support.mail import link_in, mails_to

# One worker runs the browser tests, one after another: a single Chromium at a time.
pytestmark = pytest.mark.xdist_group("portal")


def test_sign_in_wrong_password_and_throttling(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    page = open_page("#/computers")
    expect(page).to_have_url(f"{cloud_api.url}/#/signin")
    screenshot(page, "sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is incorrect.")
    screenshot(page, "sign-in-wrong-password")
    button = page.get_by_role("button", name="Sign in")
    for _ in range(6):  # the cloud lets 5 failures through, then makes people wait
        if "Too many" in page.get_by_role("alert").inner_text():
            break
        button.click()
        expect(page.locator("#signin-submit")).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_role("alert")).to_contain_text("Too many attempts. Try again in")
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
    screenshot(page, "sign-in-throttled")


def test_sign_in_survives_a_reload_and_sign_out_ends_it(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    assert page.evaluate("document.cookie") == ""  # HttpOnly: scripts never see it
    page.reload()
    expect(page.locator("#subscription-banner")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{cloud_api.url}/#/signin")
    page.goto(f"{cloud_api.url}/#/computers")
    expect(page).to_have_url(f"{cloud_api.url}/#/signin")


def test_create_an_account(open_page: OpenPage, cloud_api: CloudApi) -> None:
    page = open_page()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your Porthole account")
    page.get_by_label("Email").fill("new.person@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "create-account")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#subscription-banner")).to_have_attribute("data-state", "none")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Create an account").click()
    # The hash router draws the new page after the click: wait for it before typing.
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your Porthole account")
    page.get_by_label("Email").fill("new.person@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text("An account with this email already exists.")


def test_keyboard_only(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#subscription-banner")).to_be_visible()
    # A new page moves the focus to its content (screen readers read it out); from there
    # the first Tab reaches the banner's button, and Enter follows it.
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Buy subscription")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Buy a subscription")


def test_french_follows_the_browser_and_the_switch(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    page = open_page(locale="fr-FR")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à Porthole")
    assert page.evaluate("document.documentElement.lang") == "fr"
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text(
        "L’adresse e-mail ou le mot de passe est incorrect."  # noqa: RUF001
    )
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    banner = page.locator("#subscription-banner")
    expect(banner).to_contain_text("Aucun abonnement")
    expect(page.get_by_role("link", name="Acheter un abonnement")).to_be_visible()
    screenshot(page, "computers-fr")
    page.get_by_role("link", name="Acheter un abonnement").click()
    expect(page.get_by_text("49,99 €").first).to_be_visible()
    screenshot(page, "buy-fr")
    page.get_by_label("Langue").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Buy a subscription")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buy a subscription")


def test_every_string_has_its_french(open_page: OpenPage) -> None:
    page = open_page()
    missing = page.evaluate(
        """async () => {
            const i18n = await import('/portal/js/i18n.js');
            const en = i18n.keys('en'), fr = new Set(i18n.keys('fr'));
            return en.filter((key) => !fr.has(key))
              .concat(i18n.keys('fr').filter((key) => !en.includes(key)));
        }"""
    )
    assert missing == []


def test_phone_and_tablet_widths(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    for width, height, name in ((390, 844, "phone"), (768, 1024, "tablet")):
        page: Any = open_page(width=width, height=height)
        sign_in(page, email)
        page.get_by_role("link", name="Buy subscription").click()
        expect(page.get_by_role("button", name="Pay €49.99")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        screenshot(page, f"buy-{name}")
        page.get_by_role("link", name="Computers").click()
        expect(page.locator("#subscription-banner")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"computers-{name}")


def test_the_page_is_locked_down(cloud_api: CloudApi) -> None:
    page = httpx.get(f"{cloud_api.url}/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text  # no inline script: only <script src=...>
    # Nothing of the portal names another host: fonts, scripts and images are all ours.
    for path in PORTAL_DIR.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(?<!xmlns=\")https?://", text), path


def test_two_factor_sign_in_asks_for_the_code(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    headers = cloud_api.token(email)
    setup = cloud_api.http.post("/api/v1/me/two-factor", headers=headers).json()
    confirmed = cloud_api.http.post(
        "/api/v1/me/two-factor/confirm",
        headers=headers,
        json={"code": pyotp.TOTP(setup["secret"]).now()},
    )
    recovery = confirmed.json()["recovery_codes"]
    page = open_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_be_visible()
    expect(code).to_be_focused()
    expect(page.locator("#signin-status")).to_contain_text("6-digit code")
    code.fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-status")).to_contain_text("not right")
    code.fill(recovery[0])
    page.get_by_role("button", name="Sign in").click()
    page.locator("#subscription-banner").wait_for()


def test_the_mailed_links_reset_the_password_and_verify_the_email(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    mail_dir = Path(os.environ["PORTHOLE_MAIL_DIR"])  # the test clouds' file mailer
    page = open_page()
    page.goto(f"{cloud_api.url}/#/verify/{link_in(mails_to(mail_dir, email)[0], 'verify')}")
    expect(page.locator("#verify-status")).to_contain_text("your email is confirmed")
    asked = cloud_api.http.post("/api/v1/auth/password-reset", json={"email": email})
    assert asked.status_code == 202
    token = link_in(mails_to(mail_dir, email)[-1], "reset")
    page.goto(f"{cloud_api.url}/#/reset/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill("a brand new password")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("main")).to_contain_text("Every device was signed out")
    screenshot(page, "password-reset-done")
    page.get_by_role("link", name="Sign in", exact=True).click()
    sign_in(page, email, "a brand new password")
    # The link worked once.
    page.goto(f"{cloud_api.url}/#/reset/{token}")
    page.get_by_label("New password").fill("yet another password")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#reset-status")).to_contain_text("already used")
