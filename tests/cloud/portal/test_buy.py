"""Buying on the portal: card, bank transfer, a double click, a declined card."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.support.browser import screenshot

# One worker runs the browser tests, one after another: a single Chromium at a time.
pytestmark = pytest.mark.xdist_group("portal")


def mark_page(page: Any) -> None:
    # Survives only as long as the document: gone if anything reloads the page.
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Any) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def fill_card(page: Any, number: str = "4242 4242 4242 4242") -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code").fill("123")


def on_the_buy_page(open_page: OpenPage, cloud_api: CloudApi) -> tuple[Any, str]:
    """A new account, signed in, following the banner's Buy subscription."""
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    page.get_by_role("link", name="Buy subscription").click()
    return page, email


def test_one_year_by_card_goes_pending_then_active_without_reload(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    expect(page.locator("#subscription-banner")).to_have_attribute("data-state", "none")
    screenshot(page, "computers-no-subscription")
    page.get_by_role("link", name="Buy subscription").click()
    # channel=web: one and two years, never the app's month.
    expect(page.get_by_role("radio")).to_have_count(5)
    expect(page.get_by_label("1 year")).to_be_checked()
    expect(page.get_by_text("2 years")).to_be_visible()
    expect(page.get_by_text("1 month")).to_have_count(0)
    fill_card(page)
    screenshot(page, "buy")
    mark_page(page)
    page.get_by_role("button", name="Pay €49.99").click()

    pending = page.locator("#purchase-pending")
    expect(pending).to_contain_text("usually takes a few minutes")
    screenshot(page, "buy-pending-card")
    expect(page.locator("#purchase-active")).to_contain_text("Your subscription is active")
    assert still_same_document(page)
    page.get_by_role("link", name="Go to your computers").click()
    banner = page.locator("#subscription-banner")
    expect(banner).to_have_attribute("data-state", "active")
    expect(banner).to_contain_text("Renews on")
    expect(banner).to_contain_text("0 of 5")
    screenshot(page, "computers-active")
    [purchase] = cloud_api.purchases(email)
    assert purchase["plan"] == "year-1" and purchase["channel"] == "web"
    assert purchase["state"] == "confirmed"


def test_a_double_click_on_pay_charges_once(
    open_page: OpenPage, cloud_api: CloudApi, portal_cloud: Any, tmp_path: Path
) -> None:
    email = cloud_api.sign_up()
    page = open_page()
    sign_in(page, email)
    page.goto(f"{portal_cloud.url}/#/subscription/buy")
    page.get_by_label("2 years").check()
    fill_card(page)
    pay = page.get_by_role("button", name="Pay €89.99")
    box = pay.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(50)  # the scenario: a second click 50 ms after the first
    page.mouse.click(x, y)
    expect(page.locator("#purchase-active")).to_be_visible()

    history = cloud_api.purchases(email)
    assert [(p["plan"], p["state"]) for p in history] == [("year-2", "confirmed")]
    page.get_by_role("link", name="Purchases").click()
    expect(page.locator("#purchase-table tbody tr")).to_have_count(1)
    with sqlite3.connect(tmp_path / "cloud.db") as db:
        charges = db.execute(
            "SELECT count(*) FROM purchases JOIN accounts ON accounts.id = purchases.account_id"
            " WHERE accounts.email = ?",
            (email,),
        ).fetchone()[0]
    assert charges == 1


def test_bank_transfer_underpaid_then_topped_up_turns_active(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    page, email = on_the_buy_page(open_page, cloud_api)
    page.get_by_label("Bank transfer").check()
    mark_page(page)
    page.get_by_role("button", name="Pay €49.99").click()
    pending = page.locator("#purchase-pending")
    expect(pending).to_contain_text("IBAN")
    expect(pending).to_contain_text("€49.99")
    reference = cloud_api.purchases(email)[0]["reference"]
    expect(pending).to_contain_text(reference)
    screenshot(page, "buy-pending-transfer")

    cloud_api.receive(reference, 2000)  # underpaid: still pending, less to pay
    expect(pending).to_contain_text("€29.99")
    expect(page.locator("#purchase-active")).to_have_count(0)
    page.get_by_role("link", name="Computers").click()
    banner = page.locator("#subscription-banner")
    expect(banner).to_have_attribute("data-state", "pending_payment")
    expect(banner).to_contain_text("Bank transfer")
    expect(banner).to_contain_text(reference)
    expect(banner).to_contain_text("€29.99")
    screenshot(page, "computers-pending-transfer")

    cloud_api.receive(reference, 2999)
    expect(banner).to_have_attribute("data-state", "active")
    assert still_same_document(page)


def test_a_declined_card_says_so_and_allows_another_try(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    email = cloud_api.sign_up()
    page = open_page("#/subscription/buy")
    sign_in_page = page.get_by_label("Email")
    expect(sign_in_page).to_be_visible()  # signed out: the buy page sends to sign-in
    sign_in(page, email)
    page.get_by_role("link", name="Buy subscription").click()
    fill_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Pay €49.99").click()
    expect(page.locator("#purchase-status")).to_contain_text("Your card was declined.")
    expect(page.get_by_role("button", name="Pay €49.99")).to_be_enabled()
    screenshot(page, "buy-declined")


def test_a_lost_answer_is_retried_with_the_same_key_and_charged_once(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    page, email = on_the_buy_page(open_page, cloud_api)
    fill_card(page)
    keys: list[str] = []
    page.on(
        "request",
        lambda request: (
            keys.append(request.headers["idempotency-key"])
            if request.url.endswith("/api/v1/purchases") and request.method == "POST"
            else None
        ),
    )

    def lose_the_answer(route: Route) -> None:
        route.fetch()  # the cloud takes the purchase...
        route.abort("connectionreset")  # ...and the answer never reaches the page

    page.route("**/api/v1/purchases", lose_the_answer, times=1)
    open_page.expect_failure("ERR_CONNECTION_RESET")
    page.get_by_role("button", name="Pay €49.99").click()
    expect(page.locator("#purchase-status")).to_contain_text("cannot be reached")
    expect(page.locator("#purchase-status")).to_contain_text("you will not be charged twice")
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_be_enabled()
    retry.click()
    expect(page.locator("#purchase-active")).to_be_visible()

    assert len(keys) == 2 and keys[0] == keys[1]
    assert len(cloud_api.purchases(email)) == 1


def test_paypal_waits_for_the_money_then_turns_active(
    open_page: OpenPage, cloud_api: CloudApi
) -> None:
    page, email = on_the_buy_page(open_page, cloud_api)
    page.get_by_label("PayPal", exact=True).check()
    page.get_by_label("PayPal email").fill(email)
    page.get_by_role("button", name="Pay €49.99").click()
    expect(page.locator("#purchase-pending")).to_contain_text("as soon as PayPal tells us")
    screenshot(page, "buy-pending-paypal")
    [purchase] = cloud_api.purchases(email)
    cloud_api.receive(purchase["reference"], purchase["amount_cents"])
    expect(page.locator("#purchase-active")).to_be_visible()
