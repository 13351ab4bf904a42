"""A focal point writes an update through the admin's form on a phone: the commitment is
chosen from the country's own (written by tracker/admin/scoping.py rather than by Django's
templates), and the update is sent for review; the page fits the screen and runs without
console errors."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_admin_spreadsheets import scrolls_sideways, sign_in
from tracker.models import ProgressUpdate

ADD_URL = reverse("admin:tracker_progressupdate_add")
NARRATIVE = "Consular staff trained on the new referral guidelines."


def test_focal_point_chooses_the_commitment_and_sends_an_update_on_a_phone(site, new_page):
    tab = new_page(375)
    sign_in(tab, site, "focal.kh", ADD_URL)
    page = tab.page
    assert scrolls_sideways(page) == []

    commitment = page.get_by_label("Commitment:", exact=True)
    labels = commitment.locator("option").all_text_contents()
    assert "BM22-R31 · Cambodia" in labels
    assert not [label for label in labels if "Thailand" in label]
    commitment.select_option(label="BM22-R31 · Cambodia")
    page.get_by_label("Status:", exact=True).select_option("in_progress")
    page.get_by_label("What was done:", exact=True).fill(NARRATIVE)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Submitted for review.")
    update = ProgressUpdate.objects.get(narrative=NARRATIVE)
    assert (update.commitment.recommendation.code, update.commitment.country.code) == (
        "BM22-R31",
        "KH",
    )
    assert (update.review_state, update.author.username) == ("submitted", "focal.kh")
    assert tab.errors == []
