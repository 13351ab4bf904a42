"""The headline figures, status over time and the page that says how the tracker works:
what a visitor reads on the dashboard, a country's page, /how-it-works/ and /progress/."""

import contextlib
import datetime as dt
import json
from unittest import mock

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import GcmObjective, Recommendation
from tests.factories import (
    grow_commitments,
    make_commitment,
    make_country,
    make_deadline,
    make_evidence,
    make_update,
)
from tests.pages import public_urls
from tracker import review, trends
from tracker.models import (
    WITH_PROGRESS,
    Commitment,
    Figures,
    SiteText,
    Status,
    StatusCount,
    quarter_start,
)

pytestmark = pytest.mark.django_db

# The columns of a chart's table: one per status, in order, then the total and the share.
COLUMNS = [*Status.values, "total", "share"]


# --- helpers --------------------------------------------------------------------------


def at(day: dt.date) -> dt.datetime:
    """Noon of `day`, in UTC."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@contextlib.contextmanager
def on(day: dt.date):
    """Everything done inside happens at noon of `day` (saves, history, quarters)."""
    with mock.patch("django.utils.timezone.now", return_value=at(day)):
        yield


def tree(response):
    return lxml.html.fromstring(response.content.decode())


def words(element) -> str:
    return " ".join(element.text_content().split())


def chart_table(response, chart_id: str) -> dict[str, dict[str, str]]:
    """A chart's table as the page prints it: {row label: {status or total/share: cell}}."""
    figure = tree(response).xpath(f'//figure[@aria-labelledby="{chart_id}-caption"]')
    assert figure, f"no chart {chart_id} on the page"
    rows = {}
    for row in figure[0].xpath(".//table/tbody/tr"):
        cells = [words(cell) for cell in row.xpath("./td")]
        names = [*COLUMNS, "overdue"] if len(cells) > len(COLUMNS) else COLUMNS
        rows[words(row.xpath("./th")[0])] = dict(zip(names, cells, strict=True))
    return rows


def chart_bars(response, chart_id: str) -> dict[str, tuple[str, str]]:
    """A chart's bars as the page prints them: {label: (the figure under it, its link)}."""
    figure = tree(response).xpath(f'//figure[@aria-labelledby="{chart_id}-caption"]')[0]
    bars = {}
    for bar in figure.xpath('.//ul[@class="bars"]/li'):
        label = bar.xpath('.//span[@class="bar-label"]')[0]
        link = label.xpath("./a/@href")
        name = words(label.xpath("./a")[0]) if link else label.text.strip()
        figure_text = words(label.xpath('./span[@class="bar-figure"]')[0])
        bars[name] = (figure_text, link[0] if link else "")
    return bars


def headline(response) -> list[tuple[str, str]]:
    """The headline figures: (what they say, where they lead)."""
    return [
        (words(item), item.xpath("./a/@href")[0])
        for item in tree(response).xpath('//ul[@class="headline"]/li')
    ]


def table_rows(response) -> set[tuple[str, str, str]]:
    """The progress table's rows: (recommendation code, country, status shown)."""
    rows = set()
    for row in tree(response).xpath('//table[contains(@class, "progress")]/tbody/tr'):
        cells = row.xpath("./td")
        code = words(cells[0].xpath("./a")[0])
        status = words(cells[2].xpath('.//span[contains(@class, "status ")]')[0])
        rows.add((code, words(cells[1]), status))
    return rows


def field_errors(response, name: str) -> list[str]:
    """The messages printed by the filter field `name`."""
    return [
        words(item)
        for item in tree(response).xpath(
            f'//div[contains(@class, "field")][.//*[@name="{name}"]]//ul[@class="errorlist"]/li'
        )
    ]


# --- the headline figures, counted by hand ----------------------------------------------


@pytest.fixture
def counted(world):
    """Six commitments, one in each status.

    Cambodia: R31 implemented (with a deadline past due), R32 in progress, R33 partially
    implemented, R34 planned. Thailand: R31 not applicable, R32 not started (with a deadline
    past due that waits for review, so nobody sees it yet). R31 is not under objective 5.
    """
    r33 = Recommendation.objects.get(code="BM22-R33")
    r34 = Recommendation.objects.get(code="BM22-R34")
    kh_33 = make_commitment(r33, world.cambodia)
    kh_34 = make_commitment(r34, world.cambodia)
    for commitment in (world.kh_31, kh_33):
        make_evidence(commitment, world.staff, title="Decree", visibility="public")
    for commitment, status in [
        (world.kh_31, "implemented"),
        (world.kh_32, "in_progress"),
        (kh_33, "partially_implemented"),
        (kh_34, "planned"),
    ]:
        make_update(commitment, world.focal_kh, status=status, accepted_by=world.staff)
    make_update(world.th_31, world.focal_th, status="not_applicable", accepted_by=world.staff)
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2020, 1, 1), description="Late")
    waiting = make_update(world.th_32, world.focal_th, narrative="Waiting for review.")
    make_deadline(world.th_32, world.focal_th, due_date=dt.date(2020, 6, 1), update=waiting)
    Recommendation.objects.get(code="BM22-R31").gcm_objectives.remove(
        GcmObjective.objects.get(number=5)
    )
    return world


def test_figures_add_up_and_leave_out_what_does_not_apply():
    figures = Figures({"implemented": 1, "planned": 2, "not_applicable": 3, "not_started": 1})
    assert (figures.total, figures.applicable, figures.with_progress) == (7, 4, 3)
    assert figures.share == 75
    assert Figures({"not_applicable": 2}).share is None  # nothing applies: no share at all
    assert Figures.empty().share is None
    both = figures + Figures({"implemented": 1, "not_started": 1}, overdue=2)
    assert (both.total, both.implemented, both.overdue, both.share) == (9, 2, 2, 67)
    assert Status.showing_progress() == [
        "planned",
        "in_progress",
        "partially_implemented",
        "implemented",
    ]


def test_dashboard_headline_counts_what_applies(client, counted):
    response = client.get(reverse("tracker:dashboard"))
    assert headline(response) == [
        (
            "80% of commitments show progress: 4 of 5 that apply",
            f"/progress/?status={WITH_PROGRESS}",
        ),
        ("1 commitment implemented", "/progress/?status=implemented"),
        ("1 commitment with an overdue deadline", "/progress/?overdue=on"),
    ]
    assert "6 commitments, by status" in response.text
    region = response.context["region"]
    assert (region.total, region.applicable, region.with_progress, region.share) == (6, 5, 4, 80)


def test_dashboard_bars_per_country_and_per_objective(client, counted):
    response = client.get(reverse("tracker:dashboard"))
    assert chart_bars(response, "country-chart") == {
        "Cambodia": (
            "100% with progress, of 4 commitments · 1 implemented · 1 overdue",
            "/progress/?country=kh",
        ),
        "Thailand": ("0% with progress, of 2 commitments", "/progress/?country=th"),
    }
    assert chart_table(response, "country-chart") == {
        "Cambodia": row(
            planned=1, in_progress=1, partially_implemented=1, implemented=1, overdue=1
        ),
        "Thailand": row(not_started=1, not_applicable=1, overdue=0),
    }
    assert chart_bars(response, "objective-chart") == {
        "5. Regular pathways": ("75% with progress, of 4 commitments", "/progress/?objective=5"),
        "11. Manage borders": (
            "80% with progress, of 6 commitments · 1 implemented · 1 overdue",
            "/progress/?objective=11",
        ),
    }
    assert chart_table(response, "objective-chart") == {
        "5. Regular pathways": row(
            not_started=1, planned=1, in_progress=1, partially_implemented=1, overdue=0
        ),
        "11. Manage borders": row(
            not_started=1,
            planned=1,
            in_progress=1,
            partially_implemented=1,
            implemented=1,
            not_applicable=1,
            overdue=1,
        ),
    }
    overdue = {
        bar.label: bar.figures.overdue
        for chart in ("country_chart", "objective_chart")
        for bar in response.context[chart].bars
    }
    assert overdue == {
        "Cambodia": 1,
        "Thailand": 0,
        "5. Regular pathways": 0,
        "11. Manage borders": 1,
    }


def row(overdue=None, **counts) -> dict[str, str]:
    """A chart table's row for these counts, with its total and share as the page shows,
    and its commitments with an overdue deadline where the chart counts them."""
    figures = Figures({**dict.fromkeys(Status.values, 0), **counts})
    cells = {status: str(figures.counts[status]) for status in Status.values}
    share = "—" if figures.share is None else f"{figures.share}%"
    late = {} if overdue is None else {"overdue": str(overdue)}
    return {**cells, "total": str(figures.total), "share": share, **late}


def test_country_page_share_and_comparison_with_all_countries(client, counted):
    cambodia = client.get(reverse("tracker:country_detail", args=["kh"]))
    assert headline(cambodia)[0] == (
        "100% with progress: 4 of 4 commitments that apply All countries: 80%",
        f"/progress/?country=kh&status={WITH_PROGRESS}",
    )
    assert headline(cambodia)[1:] == [
        ("1 commitment implemented", "/progress/?country=kh&status=implemented"),
        ("1 commitment with an overdue deadline", "/progress/?country=kh&overdue=on"),
    ]
    assert chart_table(cambodia, "comparison-chart") == {
        "Cambodia": row(
            planned=1, in_progress=1, partially_implemented=1, implemented=1, overdue=1
        ),
        "All countries": row(
            not_started=1,
            planned=1,
            in_progress=1,
            partially_implemented=1,
            implemented=1,
            not_applicable=1,
            overdue="—",  # the comparison is of shares
        ),
    }
    thailand = client.get(reverse("tracker:country_detail", args=["th"]))
    assert [text for text, _link in headline(thailand)] == [
        "0% with progress: 0 of 1 commitment that applies All countries: 80%",
        "0 commitments implemented",
        "0 commitments with an overdue deadline",  # the one past due waits for review
    ]


def test_a_country_where_nothing_applies_shows_no_share(client, world):
    for commitment in (world.th_31, world.th_32):
        make_update(commitment, world.focal_th, status="not_applicable", accepted_by=world.staff)
    thailand = client.get(reverse("tracker:country_detail", args=["th"]))
    assert headline(thailand)[0][0] == (
        "— with progress: 0 of 0 commitments that apply All countries: 0%"
    )
    assert chart_table(thailand, "comparison-chart")["Thailand"]["share"] == "—"


def test_with_progress_lists_exactly_the_commitments_counted(client, counted):
    progress = reverse("tracker:progress_table")
    response = client.get(progress, {"status": WITH_PROGRESS})
    assert table_rows(response) == {
        ("BM22-R31", "Cambodia", "Implemented"),
        ("BM22-R32", "Cambodia", "In progress"),
        ("BM22-R33", "Cambodia", "Partially implemented"),
        ("BM22-R34", "Cambodia", "Planned"),
    }
    assert "4 commitments" in response.text
    assert "With progress (planned to implemented)" in response.text  # the facet's option
    # The links of the bars and headlines lead to as many rows as they count.
    assert len(table_rows(client.get(progress, {"country": "kh"}))) == 4
    assert table_rows(client.get(progress, {"country": "th", "status": WITH_PROGRESS})) == set()
    assert table_rows(client.get(progress, {"overdue": "on"})) == {
        ("BM22-R31", "Cambodia", "Implemented")
    }
    assert len(table_rows(client.get(progress, {"objective": "5"}))) == 4


# --- status over time -------------------------------------------------------------------


@pytest.fixture
def over_time(world):
    """Statuses changed in 2025, on the days they were accepted; read in January 2026.

    Q1: Cambodia's R31 in progress. Q2: no change. Q3: Cambodia's R32 planned in July, then
    in progress in September; Thailand's R31 not applicable in August.
    """
    # The commitments' creation recorded their countries' figures today: as if they had
    # been created at the start of 2025 instead.
    StatusCount.objects.all().delete()
    with on(dt.date(2025, 1, 5)):
        StatusCount.objects.record()
    for day, commitment, status in [
        (dt.date(2025, 2, 10), world.kh_31, "in_progress"),
        (dt.date(2025, 7, 15), world.kh_32, "planned"),
        (dt.date(2025, 8, 1), world.th_31, "not_applicable"),
        (dt.date(2025, 9, 20), world.kh_32, "in_progress"),
    ]:
        with on(day):
            make_update(commitment, world.staff, status=status, created_at=at(day))
    return world


JANUARY_2026 = dt.date(2026, 1, 20)


def test_each_quarter_keeps_its_last_figures_and_carries_them_forward(over_time):
    with on(JANUARY_2026):
        region = dict(trends.quarterly())
        cambodia = dict(trends.quarterly(over_time.cambodia.pk))
    first = {"not_started": 3, "in_progress": 1}
    third = {"not_started": 1, "in_progress": 2, "not_applicable": 1}  # planned: gone
    assert {label: counts_of(figures) for label, figures in region.items()} == {
        "2025 Q1": first,
        "2025 Q2": first,  # nothing changed: as the quarter before
        "2025 Q3": third,  # R32 counted once, with its last status
        "2025 Q4": third,
        "2026 Q1": third,
    }
    assert [region[q].share for q in region] == [25, 25, 67, 67, 67]
    assert {label: counts_of(figures) for label, figures in cambodia.items()} == {
        "2025 Q1": {"not_started": 1, "in_progress": 1},
        "2025 Q2": {"not_started": 1, "in_progress": 1},
        "2025 Q3": {"in_progress": 2},
        "2025 Q4": {"in_progress": 2},
        "2026 Q1": {"in_progress": 2},
    }


def counts_of(figures: Figures) -> dict[str, int]:
    return {status: n for status, n in figures.counts.items() if n}


def test_dashboard_and_country_page_show_status_over_time(client, over_time):
    with on(JANUARY_2026):
        dashboard = client.get(reverse("tracker:dashboard"))
        cambodia = client.get(reverse("tracker:country_detail", args=["kh"]))
    assert '<h2 id="over-time">Over time</h2>' in dashboard.text
    first = row(not_started=3, in_progress=1)
    third = row(not_started=1, in_progress=2, not_applicable=1)
    assert chart_table(dashboard, "trend-chart") == {
        "2025 Q1": first,
        "2025 Q2": first,
        "2025 Q3": third,
        "2025 Q4": third,
        "2026 Q1": third,
    }
    assert chart_bars(dashboard, "trend-chart")["2025 Q3"] == (
        "67% with progress, of 4 commitments",
        "",
    )
    assert chart_table(cambodia, "trend-chart") == {
        "2025 Q1": row(not_started=1, in_progress=1),
        "2025 Q2": row(not_started=1, in_progress=1),
        "2025 Q3": row(in_progress=2),
        "2025 Q4": row(in_progress=2),
        "2026 Q1": row(in_progress=2),
    }


def test_an_explicit_record_rewrites_only_its_own_quarter(over_time):
    with on(JANUARY_2026):
        StatusCount.objects.record(day=dt.date(2025, 5, 5))  # Q2, from today's statuses
        region = dict(trends.quarterly())
    assert counts_of(region["2025 Q1"]) == {"not_started": 3, "in_progress": 1}
    assert counts_of(region["2025 Q2"]) == {"not_started": 1, "in_progress": 2, "not_applicable": 1}


def test_an_accepted_update_and_a_deleted_commitment_count_at_once(world):
    quarter = quarter_start(timezone.localdate())

    def cambodia_now() -> dict[str, int]:
        counts = StatusCount.objects.get(quarter=quarter, country=world.cambodia).counts
        return {status: n for status, n in counts.items() if n}

    assert cambodia_now() == {"not_started": 2}
    update = make_update(world.kh_31, world.focal_kh, status="planned")
    assert cambodia_now() == {"not_started": 2}  # waiting for review: not public
    review.accept(update, by=world.staff, seen_version=update.version)
    assert cambodia_now() == {"not_started": 1, "planned": 1}
    world.kh_32.delete()
    assert cambodia_now() == {"planned": 1}
    assert counts_of(dict(trends.quarterly())[label_of(quarter)]) == {
        "planned": 1,
        "not_started": 2,
    }
    # Written in bulk (a spreadsheet upload by staff): counted once, at the end.
    grow_commitments(8, by=world.staff, countries=["KH"])
    assert cambodia_now() == {"planned": 6}


def label_of(quarter: dt.date) -> str:
    return f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"


def test_no_recorded_quarter_means_no_series(db):
    assert StatusCount.objects.series() == []
    assert trends.quarterly() == []


# --- how this tracker works ---------------------------------------------------------------


HOW = "/how-it-works/"


def test_how_it_works_shows_the_text_staff_wrote(client, world):
    text = SiteText.for_page(SiteText.Page.HOW_IT_WORKS, "en")
    text.title = "About these figures"
    text.body = (
        "Countries report,\nstaff review.\n\n"
        "## Who checks\n"
        "Staff check <script>alert('x')</script> every report.\n\n"
        "Help: https://example.org/help"
    )
    text.save()
    response = client.get(HOW)
    assert response.status_code == 200
    page = tree(response)
    assert words(page.xpath("//h1")[0]) == "About these figures"
    assert "<title>About these figures" in response.text
    assert "<p>Countries report, staff review.</p>" in response.text
    assert '<h2 id="who-checks">Who checks</h2>' in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in response.text
    assert "<script>" not in response.text
    assert page.xpath('//article//a[@href="https://example.org/help"]')


def test_how_it_works_shows_the_shipped_text(client, db):
    response = client.get(HOW)
    assert words(tree(response).xpath("//h1")[0]) == "How this tracker works"
    assert '<h2 id="who-reports">Who reports</h2>' in response.text
    assert '<h2 id="what-needs-evidence">What needs evidence</h2>' in response.text


def test_an_edit_of_the_text_shows_at_once(client, world):
    assert "Who reports" in client.get(HOW).text
    text = SiteText.for_page(SiteText.Page.HOW_IT_WORKS, "en")
    text.title = "Edited title"
    text.body = "## Edited heading\nEdited text."
    text.save()
    response = client.get(HOW)
    assert "Edited title" in response.text
    assert '<h2 id="edited-heading">Edited heading</h2>' in response.text
    assert "Who reports" not in response.text


def test_how_it_works_lists_every_status_with_its_definition(client, db):
    page = tree(client.get(HOW))
    legend = [
        (words(item.xpath("./dt")[0]), words(item.xpath("./dd")[0]))
        for item in page.xpath('//article//dl[@class="legend"]/div')
    ]
    definitions = Status.definitions()
    assert legend == [(str(label), str(definitions[status])) for status, label in Status.choices]


def test_how_it_works_names_the_licence_from_the_settings(client, db, settings):
    settings.DATA_LICENCE_NAME = "Open Data Licence 2.0"
    settings.DATA_LICENCE_URL = "https://example.org/licence"
    response = client.get(HOW)
    licence = '<a href="https://example.org/licence" rel="license">Open Data Licence 2.0</a>'
    assert response.text.count(licence) == 2  # in the text and in the footer
    assert "CC BY 3.0 IGO" not in response.text


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (
            "tracker@example.org",
            'Questions about this tracker or its data: <a href="mailto:tracker@example.org">'
            "tracker@example.org</a>.",
        ),
        ("", "No contact address has been published yet."),
    ],
)
def test_how_it_works_gives_the_contact_address_when_there_is_one(
    client, db, settings, email, expected
):
    settings.PUBLIC_CONTACT_EMAIL = email
    text = client.get(HOW).text
    assert expected in text
    assert ("mailto:" in text) == bool(email)


def test_every_public_page_links_to_how_it_works_in_its_footer(client, published):
    for url in [*public_urls(published)[:-1], HOW]:  # the feed is not a page
        footer = tree(client.get(url)).xpath('//footer[@class="site-footer"]')
        assert footer and footer[0].xpath(f'.//a[@href="{HOW}"]'), url


# --- the progress table as it stood on a day ----------------------------------------------


@pytest.fixture
def nepal(world):
    """Nepal's R31 and R32, made on 1 March 2025: R31 in progress from June 2025 and
    implemented today; R32 planned from October 2025."""
    r31 = Recommendation.objects.get(code="BM22-R31")
    r32 = Recommendation.objects.get(code="BM22-R32")
    with on(dt.date(2025, 3, 1)):
        country = make_country("NP")
        np_31, np_32 = make_commitment(r31, country), make_commitment(r32, country)
    for day, commitment, status, note in [
        (dt.date(2025, 6, 10), np_31, "in_progress", "June: rule drafted."),
        (dt.date(2025, 10, 1), np_32, "planned", "October: plan agreed."),
    ]:
        with on(day):
            make_update(commitment, world.staff, status=status, narrative=note, created_at=at(day))
    make_evidence(np_31, world.staff, title="Decree in force", visibility="public")
    make_update(np_31, world.staff, status="implemented", narrative="Today: rule in force.")
    return world


def test_progress_page_as_of_a_day_shows_the_statuses_of_that_day(client, nepal):
    progress = reverse("tracker:progress_table")
    july = client.get(progress, {"as_of": "2025-07-01"})
    assert july.status_code == 200
    # Cambodia's and Thailand's commitments were made later: not there yet.
    assert table_rows(july) == {
        ("BM22-R31", "Nepal", "In progress"),
        ("BM22-R32", "Nepal", "Not started"),
    }
    assert "June: rule drafted." in july.text
    assert "Today: rule in force." not in july.text
    assert "Each commitment as it stood at the end of 1 Jul 2025" in july.text
    assert table_rows(client.get(progress, {"as_of": "2025-04-01"})) == {
        ("BM22-R31", "Nepal", "Not started"),
        ("BM22-R32", "Nepal", "Not started"),
    }
    # The status facet applies to the status of that day.
    in_progress = client.get(progress, {"as_of": "2025-07-01", "status": "in_progress"})
    assert table_rows(in_progress) == {("BM22-R31", "Nepal", "In progress")}
    today = client.get(progress, {"country": "np"})
    assert table_rows(today) == {
        ("BM22-R31", "Nepal", "Implemented"),
        ("BM22-R32", "Nepal", "Planned"),
    }


@pytest.mark.parametrize(
    "query",
    ["as_of=2025-07-01", "as_of=2025-11-01", "as_of=2025-11-01&status=with_progress"],
)
def test_progress_page_as_of_a_day_has_the_rows_of_its_download(client, nepal, query):
    page = client.get(f"{reverse('tracker:progress_table')}?{query}")
    download = client.get(f"{reverse('tracker:progress_export', args=['json'])}?{query}")
    assert download.status_code == 200
    rows = json.loads(b"".join(download.streaming_content))
    names = {"NP": "Nepal", "KH": "Cambodia", "TH": "Thailand"}
    assert table_rows(page) == {
        (r["Recommendation code"], names[r["Country code"]], r["Status"]) for r in rows
    }
    assert table_rows(page)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2999-01-01", "2999-01-01 is in the future: choose today or an earlier day."),
        ("1 July 2025", "Enter a day like 2026-06-30 (year-month-day)."),
        ("2025-02-30", "Enter a day like 2026-06-30 (year-month-day)."),
    ],
)
@pytest.mark.parametrize("view", ["tracker:progress_table", "tracker:progress_export"])
def test_a_day_that_cannot_be_is_said_by_the_as_of_field(client, nepal, day, message, view):
    url = reverse(view, args=["json"] if view == "tracker:progress_export" else [])
    response = client.get(url, {"as_of": day})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert field_errors(response, "as_of") == [message]
    for fmt in ("csv", "xlsx", "json"):  # no download offered
        assert f'href="{reverse("tracker:progress_export", args=[fmt])}' not in response.text
    assert f'href="{reverse("tracker:progress_matrix")}' not in response.text
    assert table_rows(response) == set()


# --- query counts do not grow with rows ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("tracker:dashboard"),
        reverse("tracker:country_detail", args=["kh"]),
        HOW,
    ],
)
def test_query_count_holds_with_5_and_with_50_commitments(
    client, world, django_assert_max_num_queries, url
):
    Commitment.objects.exclude(pk=world.kh_31.pk).delete()
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    counts = []
    for total in (5, 50):
        # Cambodia first: its page grows too (to 14, every recommendation of the report).
        grow_commitments(total, by=world.staff, countries=["KH", "TH", "ID", "NP"])
        assert Commitment.objects.count() == total
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries with 5, {counts[1]} with 50"
