"""Manage (auto-renewal), bundled codes and the purchase history on the portal."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.cloud.portal.test_buy import fill_card
from tests.support.browser import screenshot

# One worker runs the browser tests, one after another: a single Chromium at a time.
pytestmark = pytest.mark.xdist_group("portal")


DAY = 24 * 3600


def buy_a_year_by_card(page: Page, number: str = "4242 4242 4242 4242") -> None:
    """From the Computers page: one year by card, until the page says it is active."""
    page.get_by_role("link", name="Buy subscription").click()
    fill_card(page, number)
    page.get_by_role("button", name="Pay €49.99").click()
    expect(page.locator("#purchase-active")).to_be_visible()


def test_disable_and_re_enable_auto_renewal(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    buy_a_year_by_card(page)

    page.get_by_role("link", name="Subscription").click()
    state = page.locator("#renewal-state")
    expect(state).to_contain_text("Auto-renewal is on")
    # Hold the server's answer back so the "in progress" state can be seen.
    release: list[Route] = []
    page.route("**/api/v1/subscription/auto-renew", lambda route: release.append(route))
    page.get_by_role("button", name="Disable auto-renewal").click()
    saving = page.get_by_role("button", name="Saving…")
    expect(saving).to_be_disabled()
    expect(saving).to_have_attribute("aria-busy", "true")
    screenshot(page, "manage-saving")
    assert len(release) == 1  # the route handler ran before the button showed "Saving…"
    release[0].continue_()
    page.unroute("**/api/v1/subscription/auto-renew")

    expect(state).to_have_attribute("data-auto-renew", "false")
    expect(state).to_contain_text("your access ends on")
    screenshot(page, "manage-auto-renew-off")
    page.get_by_role("link", name="Computers").click()
    banner = page.locator("#subscription-banner")
    expect(banner).to_contain_text("Ends on")
    expect(banner).to_contain_text("Off")

    page.get_by_role("link", name="Manage").click()
    page.get_by_role("button", name="Enable auto-renewal").click()
    expect(state).to_have_attribute("data-auto-renew", "true")
    expect(state).to_contain_text("renews on")


def test_redeem_a_bundled_code(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    code = cloud_api.bundle_code(months=12)
    page = open_page()
    sign_in(page, email)
    page.get_by_role("link", name="Buy subscription").click()
    page.get_by_label("Bundle code").fill("NOT-A-CODE")
    page.get_by_role("button", name="Redeem").click()
    expect(page.locator("#redeem-status")).to_contain_text("not valid")
    page.get_by_label("Bundle code").fill(code)
    page.get_by_role("button", name="Redeem").click()
    expect(page.locator("#redeem-status")).to_contain_text("bundled subscription is active")
    page.get_by_role("link", name="Computers").click()
    banner = page.locator("#subscription-banner")
    expect(banner).to_have_attribute("data-state", "bundled")
    expect(banner).to_contain_text("included with your product")
    screenshot(page, "computers-bundled")


def test_purchase_history_with_receipts(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    page.get_by_role("link", name="Purchases").click()
    expect(page.locator("#no-purchases")).to_be_visible()
    page.get_by_role("link", name="Computers").click()
    buy_a_year_by_card(page)

    page.get_by_role("link", name="Purchases").click()
    row = page.locator("#purchase-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("Visa •••• 4242")
    page.get_by_text("Receipt", exact=True).last.click()
    receipt = row.locator("details.receipt")
    purchase_id = cloud_api.purchases(email)[0]["id"]
    expect(receipt).to_contain_text(purchase_id)
    expect(receipt).to_contain_text("€49.99")
    screenshot(page, "purchases")


def sign_in_again(page: Page, email: str) -> None:
    """After a trip in time the week-long web session is over: the page says so."""
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    sign_in(page, email)


def test_grace_then_a_new_card_and_expiry_banners(open_page: OpenPage, cloud_api: CloudApi) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    buy_a_year_by_card(page, "4000 0000 0000 0341")  # renewals of this card are declined
    page.get_by_role("link", name="Computers", exact=True).click()
    cloud_api.advance(366 * DAY)
    assert cloud_api.run_renewals()["declined"] == 1
    # The declined renewal's event makes the page reload the subscription; the session
    # cookie lasts a week, so a year later that leads back to sign-in, with a word why.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    expect(page.get_by_text("Your session has ended. Sign in again.")).to_be_visible()
    screenshot(page, "sign-in-session-ended")
    sign_in(page, email)
    banner = page.locator("#subscription-banner")
    expect(banner).to_have_attribute("data-state", "grace")
    expect(banner).to_contain_text("Payment failed")
    expect(banner).to_contain_text("Access kept until")
    screenshot(page, "computers-grace")

    banner.get_by_role("link", name="Manage").click()
    page.get_by_role("button", name="Use another card").click()
    fill_card(page)
    page.get_by_role("button", name="Save card").click()
    expect(page.locator("#manage-status")).to_contain_text("trying the payment again")
    assert cloud_api.run_renewals()["charged"] == 1
    page.get_by_role("link", name="Computers", exact=True).click()
    expect(banner).to_have_attribute("data-state", "active")  # live, when the card confirms

    page.get_by_role("link", name="Subscription").click()
    page.get_by_role("button", name="Disable auto-renewal").click()
    expect(page.locator("#renewal-state")).to_have_attribute("data-auto-renew", "false")
    cloud_api.advance(400 * DAY)
    cloud_api.run_renewals()
    sign_in_again(page, email)
    expect(banner).to_have_attribute("data-state", "expired")
    expect(banner).to_contain_text("Your access has ended")
    expect(banner.get_by_role("link", name="Buy subscription")).to_be_visible()
    screenshot(page, "computers-expired")
