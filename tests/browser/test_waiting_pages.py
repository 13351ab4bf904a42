"""Pages that wait for the background worker look again by themselves, and go on when it
is done: a big download starts, a PDF report shows its dry run."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.consultations.test_pdf_reports import render, report_html
from tests.consultations.test_word_reports import shipped_text
from tracker import downloads, tasks


@pytest.fixture
def held(monkeypatch) -> list:
    """Tasks enqueued, held back until the test runs them (as a worker would, later)."""
    from consultations import reading

    queue = []
    for module in (tasks, reading):
        monkeypatch.setattr(module, "later", lambda job, *args: queue.append((job, args)))
    return queue


def test_a_big_download_waits_on_its_page_then_starts_by_itself(site, new_page, settings, held):
    settings.DOWNLOAD_BACKGROUND_ROWS = 1
    tab = new_page(375)
    page = tab.page
    page.goto(site("/progress/export.xlsx?country=KH"))
    expect(page.get_by_role("heading", name="Your file is being made")).to_be_visible()
    assert axe_violations(page) == []
    [(_job, args)] = held
    with page.expect_download(timeout=20_000) as download:
        downloads.make(*args)
    assert download.value.suggested_filename.startswith("gcm-progress-KH-")
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Download gcm-progress-KH-")
    assert tab.errors == []


def test_a_pdf_report_is_read_while_its_page_waits_then_its_dry_run_shows(
    site, new_page, sign_in, held, tmp_path
):
    from consultations import reading

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(report_html(shipped_text())))
    tab = new_page(1280)
    page = tab.page
    sign_in(tab, "staff")
    page.goto(site("/admin/consultations/consultation/import/"))
    page.get_by_label("Report file").set_input_files(pdf)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Reading report.pdf")).to_be_visible()
    assert axe_violations(page) == []
    [(_job, args)] = [entry for entry in held if entry[0].name == "read_report_file"]
    reading.read(*args)
    expect(page.get_by_role("heading", name="Dry run: nothing was saved")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_text("74 paragraphs, 14 recommendations")).to_be_visible()
    assert tab.errors == []
