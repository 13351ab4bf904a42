"""In Chromium: following a country by email on a phone, from the form to the confirmed
address and back out; the API's documentation working under the site's CSP; a focal
point's new API token on a phone."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.test_public_pages import assert_fits


def check(tab) -> None:
    assert_fits(tab.page)
    violations = axe_violations(tab.page)
    assert violations == [], "\n".join(violations)
    assert tab.errors == []


def test_following_a_country_on_a_phone(site, new_page):
    tab = new_page(375)
    page = tab.page
    page.goto(site("/countries/kh/"))
    page.get_by_label("Your email address").fill("not an address")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("Give an email address such as name@example.org.")).to_be_visible()
    check(tab)
    page.get_by_label("Your email address").fill("ana@example.org")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("status")).to_contain_text("Check your inbox.")
    check(tab)

    confirm = re.search(r"http://\S+(/follow/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(site(confirm))
    check(tab)
    page.get_by_role("button", name="Yes, follow it").click()
    expect(page.get_by_role("status")).to_contain_text("You follow Cambodia.")
    check(tab)

    stop = re.search(r"http://\S+(/follow/stop/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(site(stop))
    page.get_by_role("button", name="Stop and delete my address").click()
    expect(page.get_by_role("status")).to_contain_text("your address has been deleted")
    check(tab)


def test_the_api_documentation_works_under_the_csp(site, new_page):
    tab = new_page(1280)
    page = tab.page
    response = page.goto(site("/api/v1/docs/"))
    assert response.status == 200
    expect(page.get_by_text("/api/v1/commitments/", exact=True).first).to_be_visible()
    expect(page.get_by_text("CC BY 3.0 IGO").first).to_be_visible()
    assert tab.errors == []


def test_a_focal_point_makes_an_api_token_on_a_phone(site, new_page, sign_in):
    tab = new_page(375)
    page = tab.page
    sign_in(tab, "focal.kh")
    page.goto(site("/admin/tracker/apitoken/add/"))
    page.get_by_label("Name").fill("National tracking database")
    page.get_by_role("button", name="Save", exact=True).click()
    secret = page.get_by_label("API token")
    expect(secret).to_have_value(re.compile(r"^gcmt_"))
    check(tab)
    page.get_by_role("link", name="Back to your API tokens").click()
    expect(page.get_by_text("National tracking database")).to_be_visible()
    assert secret_value_absent(page.content(), "gcmt_")


def secret_value_absent(html: str, prefix: str) -> bool:
    """The list shows the token's first characters only, never a whole secret."""
    return all(len(found) < 20 for found in re.findall(rf"{prefix}[\w-]+", html))
