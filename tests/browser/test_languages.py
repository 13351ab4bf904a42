"""In Chromium, the site in Khmer and Thai on a phone: nothing scrolls sideways (Khmer
words run long), no console error, axe finds nothing, and the text is drawn in the fonts
the site serves (its own family names, not the machine's Noto): the woff2 file of the
page's script is downloaded and loaded. A page in English downloads no web font."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.test_public_pages import assert_fits

PAGES = {
    "dashboard": "/",
    "progress-table": "/progress/?status=with_progress",
    "recommendation": "/recommendations/BM22-R31/",
    "country": "/countries/kh/",
    "report": "/consultations/",
}
SCRIPTS = {"km": ("GCM Khmer", "khmer"), "th": ("GCM Thai", "thai")}


@pytest.mark.parametrize("language", sorted(SCRIPTS))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_in_the_countrys_script_on_a_phone(site, new_page, language, name):
    family, script = SCRIPTS[language]
    tab = new_page(375)
    page = tab.page
    fonts = []
    page.on("request", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)

    response = page.goto(site(f"/{language}{PAGES[name]}"))

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.evaluate("document.fonts.ready")
    assert_fits(page)
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)
    assert tab.errors == []
    assert fonts and all(f"/gcm-noto-sans-{script}-" in url for url in fonts), fonts
    loaded = page.evaluate(
        f"""() => [...document.fonts].filter(f => f.family.replace(/"/g, "") === "{family}"
                 && f.status === "loaded").length"""
    )
    assert loaded >= 1


def test_a_page_in_english_downloads_no_web_font(site, new_page):
    tab = new_page(375)
    page = tab.page
    fonts = []
    page.on("request", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)
    page.goto(site("/countries/kh/"))
    page.evaluate("document.fonts.ready")
    assert fonts == []
    assert tab.errors == []


def test_a_focal_point_reports_in_khmer_on_a_phone(site, new_page, sign_in):
    tab = new_page(375)
    page = tab.page
    sign_in(tab, "focal.kh")
    page.goto(site("/km/report/"))
    expect(page.locator("html")).to_have_attribute("lang", "km")
    assert_fits(page)
    page.locator("a[href^='/km/report/']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    assert_fits(page)
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)
    assert tab.errors == []
