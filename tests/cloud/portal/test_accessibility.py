"""axe-core (Deque's accessibility engine, bundled by axe-playwright-python) on every
page of the portal, at desktop and phone widths: no violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.cloud.portal.conftest import CloudApi, OpenPage, sign_in
from tests.cloud.portal.test_subscription import buy_a_year_by_card

pytestmark = pytest.mark.xdist_group("portal")


def violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_axe(open_page: OpenPage, cloud_api: CloudApi, width: int) -> None:
    email = cloud_api.sign_up()
    page = open_page(width=width, height=900)
    found: dict[str, list[str]] = {}
    # The hash router draws the page after the load: axe run before then sees an empty
    # shell with no heading (the clean-clone run of c66c5e5 failed on exactly that).
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Porthole")
    found["sign-in"] = violations(page)
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your Porthole account")
    found["create account"] = violations(page)
    page.get_by_role("link", name="Sign in").click()
    sign_in(page, email)
    found["computers, no subscription"] = violations(page)
    buy_a_year_by_card(page)
    found["bought"] = violations(page)
    page.get_by_role("link", name="Computers", exact=True).click()
    expect(page.locator("#subscription-banner")).to_have_attribute("data-state", "active")
    page.get_by_role("button", name="Get an enrolment code").click()
    expect(page.locator("#enrolment-code")).to_be_visible()
    found["computers, active, enrolment code"] = violations(page)
    page.get_by_role("link", name="Subscription").click()
    expect(page.locator("#renewal-state")).to_be_visible()
    page.get_by_role("button", name="Use another card").click()
    found["manage"] = violations(page)
    page.get_by_role("link", name="Purchases").click()
    expect(page.locator("#purchase-table")).to_be_visible()
    found["purchases"] = violations(page)
    page.get_by_role("link", name="Sessions").click()
    expect(page.locator("#no-sessions")).to_be_visible()
    found["sessions"] = violations(page)
    page.get_by_role("link", name="Account").click()
    expect(page.locator("#device-table")).to_be_visible()
    found["account"] = violations(page)
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator("#two-factor-qr")).to_be_visible()
    found["account, two-factor set-up"] = violations(page)
    problems = {name: issues for name, issues in found.items() if issues}
    assert not problems, problems
