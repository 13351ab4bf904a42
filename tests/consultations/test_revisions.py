"""A corrected version of a report never moves a recommendation's tracking onto another
text silently: the versions are aligned as wholes, a recommendation whose text would
change or move is flagged, and the import applies only once staff have chosen, for each,
to keep its code with the new text or to follow its text."""

import re

import pytest
from django.core.management import CommandError, call_command

from consultations.alignment import Match, align
from consultations.importer import import_report_file
from consultations.models import Paragraph, Recommendation
from consultations.revisions import FOLLOW, KEEP, ChoicesNeeded
from tests.factories import SHIPPED_REPORT, make_commitment, make_update
from tracker.models import Commitment

SHIPPED = SHIPPED_REPORT.read_text()
OLD_64 = "During the COVID-19 pandemic, it is important to keep the bo"
OLD_65 = "Countries of origin and destination need to strengthen coord"


def without_paragraph(text: str, removed: int) -> str:
    """The report with one paragraph deleted and those after it numbered one lower."""
    lines = []
    for line in text.split("\n"):
        match = re.match(r"(\d+)\. ", line)
        number = int(match[1]) if match else None
        if number == removed:
            continue
        if number and number > removed:
            line = f"{number - 1}. {line[match.end() :]}"
        lines.append(line)
    return "\n".join(lines)


WITHOUT_64 = without_paragraph(SHIPPED, 64).encode()
FLAGGED = ["BM22-R64", "BM22-R65", "BM22-R66", "BM22-R67", "BM22-R68", "BM22-R69"]


def state() -> list[tuple]:
    """Everything an import may change, to show a refused one changed nothing."""
    return [
        *Paragraph.objects.order_by("pk").values_list("pk", "number", "text", "in_report"),
        *Recommendation.objects.order_by("pk").values_list("code", "paragraph_id", "is_current"),
        *Commitment.objects.order_by("pk").values_list("pk", "recommendation_id"),
    ]


# --- the alignment on its own ---------------------------------------------------------


def test_alignment_follows_texts_not_numbers():
    old = {1: "Alpha beta gamma delta.", 2: "Second text here now.", 3: "Third one at the end."}
    new = {1: "Alpha beta gamma delta.", 2: "Third one at the end."}
    assert align(old, new) == {1: Match(1, 1.0), 3: Match(2, 1.0)}


def test_alignment_matches_a_text_with_small_corrections_but_not_a_rewrite():
    old = {1: "Countries of origin and destination need to strengthen coordination on labour"}
    corrected = {1: "Countries of origin and destination need to strengthen cooperation on labour"}
    rewritten = {1: "Participants welcomed the new bilateral agreements signed this year"}
    assert align(old, corrected)[1].number == 1
    assert 0.8 <= align(old, corrected)[1].likeness < 1
    assert align(old, rewritten) == {}


def test_alignment_finds_a_paragraph_moved_out_of_order():
    texts = {
        n: f"Paragraph about topic {word} with several more words"
        for n, word in enumerate(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"], start=1)
    }
    moved = {1: texts[1], 2: texts[5], 3: texts[2], 4: texts[3], 5: texts[4], 6: texts[6]}
    found = {old: match.number for old, match in align(texts, moved).items()}
    assert found == {1: 1, 5: 2, 2: 3, 3: 4, 4: 5, 6: 6}


def test_alignment_of_an_inserted_paragraph_shifts_those_after_it():
    old = {
        n: f"Text number {word} of the report body"
        for n, word in enumerate(["one", "two", "three", "four"], start=1)
    }
    new = {
        1: old[1],
        2: "A new paragraph entirely of its own kind",
        3: old[2],
        4: old[3],
        5: old[4],
    }
    assert {o: m.number for o, m in align(old, new).items()} == {1: 1, 2: 3, 3: 4, 4: 5}


# --- a renumbered revision ------------------------------------------------------------


@pytest.fixture
def tracked(world):
    """Cambodia's commitment on BM22-R64, with an accepted update: the tracking at stake."""
    commitment = make_commitment(Recommendation.objects.get(code="BM22-R64"), world.cambodia)
    make_update(
        commitment, world.focal_kh, narrative="Border posts reopened.", accepted_by=world.staff
    )
    world.r64 = commitment
    return world


def test_the_dry_run_flags_every_recommendation_whose_text_moves_or_goes(tracked):
    before = state()
    result = import_report_file(WITHOUT_64, dry_run=True)
    assert [flag.code for flag in result.flags] == FLAGGED
    r64, r65 = result.flags[0], result.flags[1]
    assert (r64.number, r64.moved_to) == (64, None)
    assert r64.kept_text.startswith(OLD_65)
    assert (r65.number, r65.moved_to) == (65, 64)
    assert r64.describe() == (
        "BM22-R64: its text, paragraph 64, is no longer in the report, and paragraph 64 now "
        "reads “Countries of origin and destination need to strengthen coordination, as "
        "migrati…”"
    )
    assert r65.describe() == "BM22-R65: its text, paragraph 65, is now paragraph 64"
    # A dry run saves nothing and, unlike before, does not say only "update paragraph 64".
    assert state() == before
    assert "BM22-R65 moves with its text to paragraph 64" in "\n".join(result.changes)


def test_an_import_without_a_choice_is_refused_and_changes_nothing(tracked):
    before = state()
    with pytest.raises(ChoicesNeeded) as refusal:
        import_report_file(WITHOUT_64)
    assert [flag.code for flag in refusal.value.flags] == FLAGGED
    assert "BM22-R64" in str(refusal.value)
    assert state() == before
    # One choice missing is still refused.
    with pytest.raises(ChoicesNeeded):
        import_report_file(WITHOUT_64, choices=dict.fromkeys(FLAGGED[:-1], FOLLOW))
    assert state() == before


def test_follow_moves_the_tracking_with_the_text(tracked, client):
    import_report_file(WITHOUT_64, choices=dict.fromkeys(FLAGGED, FOLLOW))
    r64 = Recommendation.objects.get(code="BM22-R64")
    assert not r64.is_current
    assert r64.paragraph.text.startswith(OLD_64) and not r64.paragraph.in_report
    # Cambodia's commitment and its history stay with BM22-R64 and its own text.
    assert Commitment.objects.get(pk=tracked.r64.pk).recommendation == r64
    r65 = Recommendation.objects.get(code="BM22-R65")
    assert r65.is_current and r65.paragraph.number == 64
    assert r65.paragraph.text.startswith(OLD_65)
    in_report = Paragraph.objects.in_report().filter(consultation=r64.consultation)
    assert in_report.count() == 73
    assert in_report.get(number=64).recommendation == r65
    assert not Recommendation.objects.filter(code__startswith="BM22-R64-").exists()
    # The paragraph's history followed it: its earlier version was paragraph 65.
    assert r65.paragraph.history.earliest().number == 65
    # The report shows paragraph 64 once, as BM22-R65; BM22-R64's page says it left.
    report = client.get(r64.consultation.get_absolute_url()).text
    assert report.count('id="p64"') == 1
    assert "/recommendations/BM22-R65/" in report
    page = client.get("/recommendations/BM22-R64/").text
    assert "no longer a recommendation in the latest version of the report" in page
    assert (
        "Formerly paragraph 64 of the report; the latest version no longer has this text." in page
    )


def test_keep_leaves_the_code_at_its_number_with_the_new_text(tracked):
    import_report_file(WITHOUT_64, choices=dict.fromkeys(FLAGGED, KEEP))
    r64 = Recommendation.objects.get(code="BM22-R64")
    assert r64.is_current and r64.paragraph.number == 64
    assert r64.paragraph.text.startswith(OLD_65)
    assert Commitment.objects.get(pk=tracked.r64.pk).recommendation == r64
    # Paragraph 69 is now the summary's first paragraph: BM22-R69 is no longer current.
    assert not Recommendation.objects.get(code="BM22-R69").is_current


def test_choices_that_give_one_paragraph_to_two_recommendations_are_refused(tracked):
    before = state()
    choices = {**dict.fromkeys(FLAGGED, FOLLOW), "BM22-R64": KEEP}
    with pytest.raises(ChoicesNeeded) as refusal:
        import_report_file(WITHOUT_64, choices=choices)
    assert str(refusal.value) == (
        "BM22-R64 / BM22-R65 would all be paragraph 64: choose “follow” for all but one"
    )
    assert state() == before


def test_the_text_coming_back_restores_the_recommendation(tracked):
    import_report_file(WITHOUT_64, choices=dict.fromkeys(FLAGGED, FOLLOW))
    result = import_report_file(SHIPPED.encode(), choices=dict.fromkeys(FLAGGED, FOLLOW))
    r64 = Recommendation.objects.get(code="BM22-R64")
    assert r64.is_current and r64.paragraph.in_report and r64.paragraph.number == 64
    assert Recommendation.objects.get(code="BM22-R65").paragraph.number == 65
    assert any("restore paragraph 64 of recommendation BM22-R64" in c for c in result.changes)


def test_a_small_correction_is_not_flagged(tracked):
    corrected = SHIPPED.replace("need to strengthen coordination", "need to strengthen cooperation")
    result = import_report_file(corrected.encode())
    assert result.flags == []
    assert "update paragraph 65: text" in result.changes


def test_a_new_recommendation_at_a_number_an_old_one_still_holds_gets_its_own_code(tracked):
    rewritten = SHIPPED.replace(
        "64. During the COVID-19 pandemic",
        "64. Governments should publish their border health rules in every language, "
        "as a different recommendation entirely. During the COVID-19 pandemic",
        1,
    )
    rewritten = re.sub(
        r"\n64\. .*",
        "\n64. Governments should publish their border health "
        "rules in every language migrants speak.",
        rewritten,
    )
    import_report_file(rewritten.encode(), choices={"BM22-R64": FOLLOW})
    fresh = Paragraph.objects.in_report().get(number=64).recommendation
    assert fresh.code == "BM22-R64-2"
    assert not Recommendation.objects.get(code="BM22-R64").is_current


# --- the command ------------------------------------------------------------------------


def test_the_command_refuses_without_choices_and_names_both_options(tracked, tmp_path, capsys):
    path = tmp_path / "revised.txt"
    path.write_bytes(WITHOUT_64)
    before = state()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_report", str(path))
    err = capsys.readouterr().err
    assert "--keep BM22-R64: keep: BM22-R64 stays paragraph 64" in err
    assert "--follow BM22-R65: follow: BM22-R65 moves with its text to paragraph 64" in err
    assert state() == before


def test_the_command_applies_the_choices_given(tracked, tmp_path):
    path = tmp_path / "revised.txt"
    path.write_bytes(WITHOUT_64)
    call_command(
        "import_report",
        str(path),
        "--follow",
        ",".join(FLAGGED[:3]),
        *[arg for code in FLAGGED[3:] for arg in ("--follow", code)],
    )
    assert Recommendation.objects.get(code="BM22-R65").paragraph.number == 64


# --- the admin ------------------------------------------------------------------------

IMPORT_URL = "/admin/consultations/consultation/import/"


def upload(client, data: bytes | None, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if data is not None:
        fields["file"] = SimpleUploadedFile("revised.txt", data, content_type="text/plain")
    return client.post(IMPORT_URL, fields)


def test_the_admin_offers_the_choice_after_a_dry_run_and_applies_it(tracked, client):
    client.force_login(tracked.staff)
    before = state()
    page = upload(client, WITHOUT_64, dry_run="on")
    assert "Recommendations whose text this version changes or moves" in page.text
    assert "<legend>BM22-R65: its text, paragraph 65, is now paragraph 64</legend>" in page.text
    assert 'name="choice:BM22-R64" value="keep"' in page.text
    token = re.search(r'name="pending" value="([^"]+)"', page.text)[1]
    assert "Leave empty to import revised.txt, the file of the dry run, again." in page.text
    assert state() == before

    # Importing without choosing is refused, keeps the file, and changes nothing.
    page = upload(client, None, pending=token)
    assert "The report was not imported. Nothing was changed." in page.text
    assert "choose, for each, to keep its code with the new text or to follow its text" in (
        page.text
    )
    assert state() == before

    # The file of the dry run is imported with the choices, without uploading it again.
    choices = {f"choice:{code}": FOLLOW for code in FLAGGED}
    page = upload(client, None, pending=token, **choices)
    assert page.status_code == 200
    assert "BM22-R65 moves with its text to paragraph 64" in page.text
    assert Recommendation.objects.get(code="BM22-R65").paragraph.number == 64
    assert Commitment.objects.get(pk=tracked.r64.pk).recommendation.code == "BM22-R64"


def test_a_kept_file_is_only_for_whoever_uploaded_it(tracked, client):
    from tests.factories import make_staff

    client.force_login(tracked.staff)
    page = upload(client, WITHOUT_64, dry_run="on")
    token = re.search(r'name="pending" value="([^"]+)"', page.text)[1]
    client.force_login(make_staff("other.staff"))
    before = state()
    page = upload(client, None, pending=token, **{f"choice:{c}": FOLLOW for c in FLAGGED})
    assert "Choose the report file." in page.text
    assert state() == before
