"""The whole reporting loop in Chromium, as its people would go through it: a focal point
reports "Implemented" with a public evidence file, staff return it with a comment, the
focal point resubmits, staff accept it (by keyboard), and the public pages show it.

The focal point's part, from their signed-in landing page to the confirmation, is held to
at most 8 user actions (each click, tap, option chosen, field tapped to type in, and file
picker opened) and 4 page loads (each document request, redirects included), counted from
what the test does and from Playwright's request events."""

from pathlib import Path

import pytest

from tests.browser.axe import axe_violations
from tests.browser.conftest import BrowserPage

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NARRATIVE = "The sub-decree on border health checks was signed and published."
MAX_ACTIONS, MAX_PAGE_LOADS = 8, 4


class Counted:
    """A page whose user actions and document loads are counted."""

    def __init__(self, tab: BrowserPage):
        self.tab, self.page = tab, tab.page
        self.actions = 0
        self.loads = 0
        self.page.on("request", self._on_request)

    def _on_request(self, request) -> None:
        if request.resource_type == "document" and request.frame == self.page.main_frame:
            self.loads += 1

    def reset(self) -> None:
        self.actions = self.loads = 0

    def tap(self, selector: str) -> None:
        self.actions += 1
        self.page.click(selector)

    def choose(self, selector: str) -> None:
        self.actions += 1
        self.page.check(selector)

    def type_in(self, selector: str, text: str) -> None:
        self.actions += 1  # the tap that puts the cursor in the field
        self.page.fill(selector, text)

    def pick_file(self, selector: str, path: Path) -> None:
        self.actions += 1  # opening the file picker and choosing the file
        with self.page.expect_file_chooser() as chooser:
            self.page.click(selector)
        chooser.value.set_files(str(path))

    def submit(self, selector: str) -> None:
        self.actions += 1
        with self.page.expect_navigation():
            self.page.click(selector)

    def open(self, selector: str) -> None:
        self.actions += 1
        with self.page.expect_navigation():
            self.page.click(selector)


# axe checks each page of the flow at phone width; at desktop width the same pages are
# checked for overflow and console errors (their markup is the same, only the CSS differs).
AXE_WIDTH = 375


def fits_and_passes_axe(page) -> None:
    """No horizontal overflow (without hiding it on html or body) and, at phone width, no
    axe violation."""
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
        " && getComputedStyle(document.documentElement).overflowX !== 'hidden'"
        " && getComputedStyle(document.body).overflowX !== 'hidden'"
    )
    assert fits, f"{page.url} is wider than the screen"
    if page.viewport_size["width"] == AXE_WIDTH:
        violations = axe_violations(page)
        assert violations == [], f"{page.url}\n" + "\n".join(violations)


@pytest.mark.parametrize("width", [375, 1280])
def test_the_reporting_loop(site, new_page, sign_in, width, tmp_path):
    from django.contrib.auth import get_user_model

    from tracker.models import Commitment, ProgressUpdate

    commitment = Commitment.objects.get(country__code="KH", recommendation__code="BM22-R33")
    decree = tmp_path / "sub-decree.pdf"
    decree.write_bytes(PDF)

    # The focal point, signed in, on their landing page.
    focal = new_page(width)
    sign_in(focal, "focal.kh")
    focal.page.goto(site("/start/"))
    assert focal.page.url == site("/report/")
    fits_and_passes_axe(focal.page)
    counted = Counted(focal)
    counted.open(f'a[href="/report/{commitment.pk}/"]')
    counted.choose("#id_status_3")  # Implemented
    counted.type_in("#id_narrative", NARRATIVE)
    counted.type_in("#id_evidence-0-title", "Sub-decree 42")
    counted.pick_file("#id_evidence-0-file", decree)
    counted.choose("#id_evidence-0-visibility_0")  # Public
    fits_and_passes_axe(focal.page)
    counted.submit("button[value=review]")
    assert focal.page.locator("h1").inner_text() == "Submitted for review"
    assert counted.actions <= MAX_ACTIONS, counted.actions
    assert counted.loads <= MAX_PAGE_LOADS, counted.loads
    update = ProgressUpdate.objects.get(commitment=commitment)
    assert update.review_state == "submitted"
    assert update.evidence.get().visibility == "public"
    fits_and_passes_axe(focal.page)

    # Staff return it with a comment.
    staff = new_page(width)
    sign_in(staff, "staff")
    staff.page.goto(site(f"/review/{update.pk}/"))
    assert NARRATIVE in staff.page.inner_text("main")
    assert "Sub-decree 42" in staff.page.inner_text("main")
    fits_and_passes_axe(staff.page)
    staff.page.fill("#id_comment", "Please give the sub-decree's date of publication.")
    with staff.page.expect_navigation():
        staff.page.click("button[value=return]")
    update.refresh_from_db()
    assert update.review_state == "returned"

    # The focal point finds it first on their landing page, with the comment on top.
    focal.page.goto(site("/report/"))
    first = focal.page.locator(".work-item").first
    assert "Returned to you" in first.inner_text()
    with focal.page.expect_navigation():
        first.locator("a").click()
    fits_and_passes_axe(focal.page)
    main = focal.page.inner_text("main")
    assert main.index("Returned to you for changes") < main.index("Where does it stand now?")
    assert "Please give the sub-decree's date of publication." in main
    focal.page.fill("#id_narrative", NARRATIVE + " Published on 2 March 2026.")
    with focal.page.expect_navigation():
        focal.page.click("text=Resubmit for review")
    assert focal.page.locator("h1").inner_text() == "Submitted for review"

    # Staff accept it with the keyboard alone: Tab reaches Accept, Enter presses it.
    staff.page.goto(site("/review/"))
    fits_and_passes_axe(staff.page)
    staff.page.goto(site(f"/review/{update.pk}/"))
    for _ in range(60):
        staff.page.keyboard.press("Tab")
        if staff.page.evaluate("document.activeElement.value") == "accept":
            break
    else:
        pytest.fail("Tab never reached the Accept button")
    with staff.page.expect_navigation():
        staff.page.keyboard.press("Enter")
    update.refresh_from_db()
    assert update.review_state == "accepted"
    assert update.author == get_user_model().objects.get(username="focal.kh")

    # The public sees it: recommendation, country, dashboard, feed.
    public = new_page(width).page
    for path in ("/recommendations/BM22-R33/", "/countries/kh/", "/"):
        public.goto(site(path))
        text = public.inner_text("main")
        assert "Published on 2 March 2026." in text or "Implemented" in text, path
    public.goto(site("/recommendations/BM22-R33/"))
    assert "Sub-decree 42" in public.inner_text("main")
    feed = public.request.get(site("/updates/feed/")).text()
    assert "Published on 2 March 2026." in feed
    for tab in (focal, staff):
        assert tab.errors == []


def test_the_reviewer_reaches_accept_and_return_by_keyboard(site, new_page, sign_in):
    from django.contrib.auth import get_user_model

    from tests.factories import make_update
    from tracker.models import Commitment

    focal = get_user_model().objects.get(username="focal.kh")
    commitment = Commitment.objects.get(country__code="KH", recommendation__code="BM22-R34")
    update = make_update(commitment, focal, narrative="Checks at every post.")
    staff = new_page(1280)
    sign_in(staff, "staff")
    staff.page.goto(site(f"/review/{update.pk}/"))
    reached = set()
    for _ in range(80):
        staff.page.keyboard.press("Tab")
        reached.add(
            staff.page.evaluate("document.activeElement.value || document.activeElement.id")
        )
        if {"accept", "return", "id_comment"} <= reached:
            break
    assert {"accept", "return", "id_comment"} <= reached


@pytest.mark.parametrize("width", [375, 1280])
def test_a_refused_report_explains_itself_and_keeps_what_was_typed(site, new_page, sign_in, width):
    from tracker.models import Commitment, ProgressUpdate

    commitment = Commitment.objects.get(country__code="KH", recommendation__code="BM22-R35")
    focal = new_page(width)
    sign_in(focal, "focal.kh")
    focal.page.goto(site(f"/report/{commitment.pk}/"))
    focal.page.check("#id_status_3")  # Implemented
    focal.page.fill("#id_narrative", NARRATIVE)
    focal.page.fill("#id_evidence-0-title", "Only a title")
    focal.page.fill("#id_evidence-0-url", "ftp://example.org/decree")
    with focal.page.expect_navigation():
        focal.page.click("button[value=review]")
    summary = focal.page.locator("#error-summary")
    assert focal.page.evaluate("document.activeElement.id") == "error-summary"
    assert "There is a problem" in summary.inner_text()
    assert "http:// or https://" in summary.inner_text()
    assert "Choose who may see it." in summary.inner_text()
    assert focal.page.input_value("#id_narrative") == NARRATIVE
    assert focal.page.input_value("#id_evidence-0-title") == "Only a title"
    assert focal.page.is_checked("#id_status_3")
    fits_and_passes_axe(focal.page)
    # The summary's links lead to the fields.
    summary.locator("a", has_text="http:// or https://").click()
    assert focal.page.evaluate("document.activeElement.id") == "id_evidence-0-url"
    assert not ProgressUpdate.objects.filter(commitment=commitment).exists()
    assert focal.errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_enrolling_an_authenticator_on_a_phone(site, new_page, sign_in, settings, width):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_2FA = True
    tab = new_page(width)
    sign_in(tab, "focal.kh")
    tab.page.goto(site("/report/"))
    assert tab.page.url == site("/account/two-factor/")
    fits_and_passes_axe(tab.page)
    device = TOTPDevice.objects.get(user__username="focal.kh", confirmed=False)
    tab.page.fill("#id_token", f"{totp(device.bin_key):06d}")
    with tab.page.expect_navigation():
        tab.page.click("#confirm-form button")
    assert tab.page.locator("h1").inner_text() == "Two-step sign-in is set up"
    assert tab.page.locator(".codes li").count() == 10
    fits_and_passes_axe(tab.page)
    assert tab.errors == []
