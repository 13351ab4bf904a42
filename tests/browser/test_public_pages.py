"""The public pages in Chromium: they load cleanly, fit a phone, and their main paths work."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consultations.models import Recommendation
from tests.browser.axe import axe_violations
from tests.browser.conftest import build_site_data
from tracker.models import Commitment

WIDTHS = [375, 1280]
AXE_WIDTH = 375


# Each public page, as a path built from the site's consultation.
PAGES = {
    "dashboard": lambda consultation: reverse("tracker:dashboard"),
    "progress-table": lambda consultation: reverse("tracker:progress_table"),
    "progress-table-filtered": lambda consultation: (
        reverse("tracker:progress_table") + "?country=KH&status=partially_implemented"
    ),
    "recommendation-list": lambda consultation: reverse("tracker:recommendation_list"),
    "recommendation-detail": lambda consultation: reverse(
        "tracker:recommendation_detail", args=["BM22-R31"]
    ),
    "country-list": lambda consultation: reverse("tracker:country_list"),
    "country-detail": lambda consultation: reverse("tracker:country_detail", args=["kh"]),
    "consultation-list": lambda consultation: reverse("tracker:consultation_list"),
    "consultation-detail": lambda consultation: consultation.get_absolute_url(),
    "how-it-works": lambda consultation: reverse("tracker:how_it_works"),
    "progress-table-as-of": lambda consultation: (
        reverse("tracker:progress_table") + "?as_of=2024-06-30&status=with_progress"
    ),
    "follow-country": lambda consultation: "/countries/kh/follow/",
    "follow-privacy": lambda consultation: reverse("tracker:follow_privacy"),
}


# Known layout bugs, as (page, width): reason. Each case must still fail (strict xfail).
KNOWN_BUGS: dict[tuple[str, int], str] = {}


def page_params():
    for name in PAGES:
        for width in WIDTHS:
            reason = KNOWN_BUGS.get((name, width))
            marks = [pytest.mark.xfail(reason=reason, raises=AssertionError, strict=True)]
            yield pytest.param(name, width, id=f"{name}-{width}", marks=marks if reason else [])


# What sticks out to the right of the viewport, outside any scrolling container:
# elements and lines of text (a long word overflows its box without widening it).
OVERFLOWING = """() => {
  const limit = window.innerWidth + 1;
  const clipped = (element) => {
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== "visible") return true;
    }
    return false;
  };
  const describe = (e, right) => {
    const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
      + (e.classList.length ? "." + [...e.classList].join(".") : "");
    return `${name} reaches ${Math.round(right)}px: ${e.textContent.trim().slice(0, 60)}`;
  };
  const found = [];
  for (const e of document.body.querySelectorAll("*")) {
    const right = e.getBoundingClientRect().right;
    if (right > limit && !clipped(e)) found.push(describe(e, right));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = Math.max(0, ...[...range.getClientRects()].map((r) => r.right));
    if (right > limit && !clipped(node)) {
      found.push("text in " + describe(node.parentElement, right));
    }
  }
  return found.slice(0, 10);
}"""


# The page's own width, and its body's; with what sticks out, to say why.
PAGE_WIDTHS = """() => ({
  html: document.documentElement.scrollWidth,
  body: document.body.scrollWidth,
  viewport: window.innerWidth,
  overflow: [getComputedStyle(document.documentElement).overflowX,
             getComputedStyle(document.body).overflowX],
})"""


def assert_fits(page) -> None:
    """Nothing scrolls sideways, and not because html or body hides what sticks out."""
    widths = page.evaluate(PAGE_WIDTHS)
    assert widths["overflow"] == ["visible", "visible"], "html or body hides its overflow"
    why = page.evaluate(OVERFLOWING)
    assert widths["html"] <= widths["viewport"], (widths, why)
    assert widths["body"] <= widths["viewport"], (widths, why)


@pytest.mark.parametrize(("name", "width"), list(page_params()))
def test_every_public_page_loads_fits_and_passes_axe(site, new_page, name, width):
    """One visit per page and width: no console error, one h1 and one main, nothing wider
    than the screen (not hidden on html or body), and, at phone width, no axe violation."""
    tab = new_page(width)
    page = tab.page

    response = page.goto(site(PAGES[name](site.consultation)))

    assert response.status == 200
    assert tab.errors == []
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    assert_fits(page)
    if width == AXE_WIDTH:  # the markup is the same at every width; axe reads the phone's
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)
    assert tab.errors == []


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("dashboard", "Commitments of each country, by status"),
        ("consultation-detail", "Agenda, times in"),
    ],
    ids=["dashboard-chart-table", "report-agenda"],
)
def test_wide_tables_scroll_from_the_keyboard_on_a_phone(site, new_page, name, region):
    page = new_page(375).page
    page.goto(site(PAGES[name](site.consultation)))
    chart = page.get_by_role("figure", name=region)
    if chart.count():  # a chart's table opens under it
        chart.locator("summary").click()
    scroller = page.get_by_role("region", name=region)
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), (
        "the table fits: nothing to test"
    )

    scroller.focus()
    expect(scroller).to_be_focused()
    page.keyboard.press("ArrowRight")

    expect(scroller).not_to_have_js_property("scrollLeft", 0)
    assert_fits(page)


def history_url(commitment) -> str:
    return reverse("admin:tracker_commitment_history", args=[commitment.pk])


def test_staff_history_page_of_a_commitment_fits_a_phone_and_passes_axe(site, new_page, sign_in):
    tab = new_page(AXE_WIDTH)
    sign_in(tab, "staff")
    page = tab.page
    response = page.goto(site(history_url(site.extra_update.commitment)))
    assert response.status == 200
    expect(page.locator("#change-history tbody tr").first).to_be_visible()

    assert_fits(page)
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)
    assert tab.errors == []


def test_filter_progress_table_by_country_and_status(site, new_page):
    tab = new_page(1280)
    page = tab.page
    page.goto(site(reverse("tracker:progress_table")))

    page.get_by_role("combobox", name="Country").select_option(label="Cambodia")
    page.get_by_role("combobox", name="Status").select_option(label="Partially implemented")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/progress/\?"))

    query = parse_qs(urlsplit(page.url).query)
    assert query["country"] == ["KH"]
    assert query["status"] == ["partially_implemented"]
    rows = page.locator("table.progress tbody tr")
    expected = Commitment.objects.filter(country__code="KH", status="partially_implemented")
    assert expected.count() >= 1
    expect(rows).to_have_count(expected.count())
    for row in rows.all():
        expect(row.locator("td").nth(1)).to_have_text("Cambodia")
        expect(row.locator("td").nth(2)).to_contain_text("Partially implemented")
    # The accepted update that is not demo data is among them.
    code = site.extra_update.commitment.recommendation.code
    expect(rows.filter(has=page.get_by_role("link", name=code, exact=True))).to_have_count(1)
    assert tab.errors == []


def normalized(text: str) -> str:
    return " ".join(text.split())


def test_recommendation_links_to_its_paragraph_in_the_report(site, new_page):
    tab = new_page(1280)
    page = tab.page
    page.goto(site(reverse("tracker:recommendation_list")))

    first = page.locator("ol.recommendations li h2 a").first
    code = first.inner_text()
    recommendation = Recommendation.objects.select_related("paragraph").get(code=code)
    number = recommendation.paragraph.number
    first.click()
    page.wait_for_url(f"**{reverse('tracker:recommendation_detail', args=[code])}")
    quoted = page.locator("blockquote.recommendation-text > :not(footer)").all_inner_texts()
    assert normalized(" ".join(quoted))

    page.get_by_role("link", name=f"Paragraph {number} of the report").click()
    page.wait_for_url(f"**#p{number}")

    assert page.url.endswith(f"#p{number}")
    paragraph = page.locator(f"#p{number}")
    expect(paragraph).to_be_visible()
    expect(paragraph).to_be_in_viewport()
    assert normalized(" ".join(quoted)) in normalized(paragraph.inner_text())
    expect(paragraph).to_contain_text(code)
    assert tab.errors == []


def test_keyboard_user_can_skip_to_content(site, new_page):
    page = new_page(1280).page
    page.goto(site(reverse("tracker:dashboard")))
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).not_to_be_in_viewport()

    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_be_visible()
    expect(focused).to_be_in_viewport(ratio=1)


class InlineCode(HTMLParser):
    """Collects inline scripts, inline styles and event handler attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        inline_script = (
            tag == "script"
            and "src" not in attributes
            and attributes.get("type") != "application/json"
        )
        if inline_script or tag == "style":
            self.found.append(self.get_starttag_text())
        for attribute in attributes:
            if attribute == "style" or attribute.startswith("on"):
                self.found.append(self.get_starttag_text())


def test_pages_send_no_inline_script_or_style(client, db):
    consultation, _ = build_site_data()
    for name, path in PAGES.items():
        response = client.get(path(consultation))
        assert response.status_code == 200, name
        parser = InlineCode()
        parser.feed(response.text)
        assert parser.found == [], name
