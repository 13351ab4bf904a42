"""`manage.py import_report PATH [--dry-run]`."""

import pytest
from django.core.management import CommandError, call_command

from consultations.models import Consultation, Paragraph, Recommendation
from tests.factories import SHIPPED_REPORT

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_report", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_command_imports_the_report():
    output = run(str(SHIPPED_REPORT))
    assert "74 paragraphs, 14 recommendations" in output
    assert Recommendation.objects.count() == 14


def test_dry_run_prints_what_would_change_and_saves_nothing():
    output = run(str(SHIPPED_REPORT), "--dry-run")
    assert "Dry run: nothing was saved." in output
    assert "create recommendation BM22-R64" in output
    assert Consultation.objects.count() == 0


def test_second_import_says_nothing_changed():
    run(str(SHIPPED_REPORT))
    assert "no change" in run(str(SHIPPED_REPORT))
    assert Paragraph.objects.count() == 74


def test_broken_file_names_the_line_and_writes_nothing(tmp_path):
    path = tmp_path / "broken.txt"
    text = SHIPPED_REPORT.read_text().replace("\n12. H.E Chou", "\n11. H.E Chou")
    path.write_text(text)
    with pytest.raises(
        CommandError,
        match=r"broken\.txt, line 42: paragraph 11 is numbered twice \(first at line 38\)",
    ):
        run(str(path))
    assert Consultation.objects.count() == 0


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "nope.txt"))


def test_consultation_option_updates_that_consultation(tmp_path):
    run(str(SHIPPED_REPORT))
    retitled = tmp_path / "retitled.txt"
    retitled.write_text(
        SHIPPED_REPORT.read_text().replace("Recovery Phase\u201d", "Recovery\u201d", 1)
    )
    output = run(str(retitled), "--consultation", "BM22")
    assert "update consultation BM22: title" in output
    assert Consultation.objects.get().title.endswith("COVID-19 Recovery")


def test_unknown_consultation_code_is_refused():
    with pytest.raises(CommandError, match="No consultation has the code XX99"):
        run(str(SHIPPED_REPORT), "--consultation", "XX99")
