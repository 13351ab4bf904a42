"""The admin's export and import pages in Chromium: signed in through the real sign-in
page, they load without errors (CSP violations show as console errors), the column boxes
work, a download arrives, an upload is previewed and confirmed, and axe finds nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.test_public_pages import OVERFLOWING
from tests.tracker.test_admin_export import HEADERS
from tests.tracker.test_bulk_update import export_rows, row_for, to_csv
from tracker.models import Commitment, ProgressUpdate

# The admin's export: every column of the public one, and internal evidence.
COLUMNS = len(HEADERS)

PASSWORD = "a long password for browser tests"
EXPORT_URL = reverse("admin:tracker_commitment_export")
IMPORT_URL = reverse("admin:tracker_commitment_import")
CHANGELIST_URL = reverse("admin:tracker_commitment_changelist")


def sign_in(tab, site, username: str, next_path: str) -> None:
    """Sign in through the admin's sign-in page, which then opens `next_path`."""
    user = get_user_model().objects.get(username=username)
    user.set_password(PASSWORD)
    user.save()
    page = tab.page
    page.goto(site(reverse("admin:login") + f"?next={next_path}"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def scrolls_sideways(page) -> list[str]:
    """What sticks out to the right, when the page is wider than the viewport."""
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    return page.evaluate(OVERFLOWING) if scroll_width > inner_width + 1 else []


def column_boxes(page):
    return page.locator(".export-column input[type=checkbox]")


# --- network staff, on a wide screen ---------------------------------------------------


def test_staff_export_page_loads_without_console_errors(site, new_page):
    tab = new_page(1280)
    sign_in(tab, site, "staff", EXPORT_URL)
    page = tab.page

    expect(page.get_by_role("heading", level=1)).to_have_text("Export")
    expect(page.get_by_label("Format")).to_have_value("1")  # Excel (XLSX)
    expect(column_boxes(page)).to_have_count(COLUMNS)
    expect(page.get_by_label("Internal evidence")).to_be_checked()
    assert tab.errors == []


def test_all_columns_box_clears_and_ticks_every_column(site, new_page):
    tab = new_page(1280)
    sign_in(tab, site, "staff", EXPORT_URL)
    page = tab.page
    all_columns = page.get_by_label("All columns")
    boxes = column_boxes(page)
    expect(boxes).to_have_count(COLUMNS)
    expect(all_columns).to_be_checked()

    all_columns.click()
    expect(all_columns).not_to_be_checked()
    assert [box.is_checked() for box in boxes.all()] == [False] * COLUMNS

    all_columns.click()
    expect(all_columns).to_be_checked()
    assert [box.is_checked() for box in boxes.all()] == [True] * COLUMNS
    assert tab.errors == []


def test_unticking_one_column_shows_all_columns_as_partly_ticked(site, new_page):
    tab = new_page(1280)
    sign_in(tab, site, "staff", EXPORT_URL)
    page = tab.page
    all_columns = page.get_by_label("All columns")

    page.get_by_label("Internal evidence").click()

    expect(page.get_by_label("Internal evidence")).not_to_be_checked()
    expect(all_columns).not_to_be_checked()
    assert all_columns.evaluate("box => box.indeterminate") is True
    page.get_by_label("Internal evidence").click()
    expect(all_columns).to_be_checked()
    assert all_columns.evaluate("box => box.indeterminate") is False
    assert tab.errors == []


def test_download_from_the_export_page(site, new_page, tmp_path):
    tab = new_page(1280)
    sign_in(tab, site, "staff", EXPORT_URL)
    page = tab.page

    with page.expect_download() as started:
        page.get_by_role("button", name="Download").click()
    download = started.value

    assert download.failure() is None
    assert download.suggested_filename.startswith("progress-")
    # Five countries, one report, today: what the file holds.
    code, today = site.consultation.code.lower(), timezone.localdate().isoformat()
    assert download.suggested_filename == f"progress-several-countries-{code}-{today}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    header, *rows = sheet.iter_rows(values_only=True)
    assert header[0] == "Consultation"
    assert header[-1] == "Internal evidence"
    assert len(rows) == Commitment.objects.count()
    assert tab.errors == []


# --- Cambodia's focal point, on a phone ----------------------------------------------------


@pytest.mark.parametrize("path", [IMPORT_URL, EXPORT_URL], ids=["import", "export"])
def test_focal_point_pages_fit_a_phone(site, new_page, path):
    tab = new_page(375)
    sign_in(tab, site, "focal.kh", path)
    page = tab.page

    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.locator("#content form")).to_have_count(1)
    assert tab.errors == []
    assert scrolls_sideways(page) == []


def changed_status_file() -> tuple[bytes, Commitment]:
    """Cambodia's rows of the public export, one of them set from Not started to Planned."""
    rows = export_rows(Client(), "?country=KH")
    commitment = (
        Commitment.objects.filter(country__code="KH", status="not_started", updates=None)
        .select_related("recommendation")
        .order_by("recommendation__code")
        .first()
    )
    row_for(rows, commitment.recommendation.code, "KH")["Status"] = "Planned"
    return to_csv(rows), commitment


def upload(page, data: bytes) -> None:
    page.get_by_label("File to import").set_input_files(
        {"name": "progress-kh.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Preview the changes").click()


def test_focal_point_uploads_a_changed_status_on_a_phone(site, new_page):
    data, commitment = changed_status_file()
    tab = new_page(375)
    sign_in(tab, site, "focal.kh", IMPORT_URL)
    page = tab.page

    upload(page, data)

    confirm = page.get_by_role("button", name="Confirm the changes")
    expect(confirm).to_be_visible()
    expect(page.locator("#content")).to_contain_text("Planned (new progress update)")
    expect(page.locator("#content")).to_contain_text(commitment.recommendation.code)
    confirm.click()
    page.wait_for_url(f"**{CHANGELIST_URL}")
    expect(page.locator(".messagelist")).to_have_text(
        "1 progress update sent to network staff for review."
    )
    update = ProgressUpdate.objects.get(commitment=commitment, is_demo=False)
    assert (update.status, update.review_state) == ("planned", "submitted")
    assert update.author.username == "focal.kh"
    assert tab.errors == []


# --- accessibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [IMPORT_URL, EXPORT_URL], ids=["import", "export"])
def test_axe_finds_nothing_on_the_spreadsheet_pages(site, new_page, path):
    tab = new_page(1280)
    sign_in(tab, site, "focal.kh", path)

    violations = axe_violations(tab.page)
    assert violations == [], "\n".join(violations)
    assert tab.errors == []


def test_axe_finds_nothing_on_the_preview(site, new_page):
    data, commitment = changed_status_file()
    tab = new_page(1280)
    sign_in(tab, site, "focal.kh", IMPORT_URL)
    page = tab.page
    upload(page, data)
    expect(page.get_by_role("button", name="Confirm the changes")).to_be_visible()
    expect(page.locator("#content")).to_contain_text(commitment.recommendation.code)

    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)
    assert tab.errors == []
