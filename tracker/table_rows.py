"""What the public pages' tables show of each commitment (CommitmentQuerySet.table_rows),
read as values rather than as objects of four models a row.

A table of fifty commitments showed, for each, a commitment, its recommendation, its
country and its latest accepted update: two hundred model objects, built by Django and
modeltranslation for the dozen values the rows show (2.6 ms in process, against 0.9 for
the same columns read as values). The objects here answer what tracker.tables asks of
those models (a recommendation's code, short title, its language and its page; a country's
name and page; an update's texts), by the models' own rules.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django_countries.fields import Country as CountryCode

from consultations.models import Recommendation
from tracker import links
from tracker.models import Country, Evidence, country_name

UPDATE_FIELDS = ("narrative", "narrative_en", "language", "is_demo", "created_at")
COMMITMENT_FIELDS = ("response", "status", "status_date", "lead_agency")
# The short title's column in each language (Indonesian's is short_title_ind).
TITLE_COLUMNS = {
    code: Recommendation.title_fields(code)[0] for code in settings.MODELTRANSLATION_LANGUAGES
}


@dataclass(slots=True)
class ShownRecommendation:
    code: str
    titles: dict[str, str]  # the short title by language, as staff translated it
    at: links.Here  # the language and prefix the table is read in, looked up once

    @property
    def short_title(self) -> str:
        return Recommendation.title_of(self.titles, self.at.language)[0]

    def title_language(self) -> str:
        return Recommendation.title_of(self.titles, self.at.language)[1]

    def get_absolute_url(self) -> str:
        return links.recommendation_path(self.code, self.at)


@dataclass(slots=True)
class ShownCountry:
    code: CountryCode  # as the model's field gives it
    at: links.Here

    @property
    def name(self) -> str:
        return country_name(self.code.code, self.at.language)

    def get_absolute_url(self) -> str:
        return Country.path_of(self.code.code, self.at)


@dataclass(slots=True)
class ShownUpdate:
    narrative: str
    narrative_en: str
    language: str
    is_demo: bool
    created_at: object


@dataclass(slots=True)
class TableRow:
    """A commitment as a table shows it. `extra` holds what else the query annotated
    (as_of_status...), read as attributes."""

    pk: int
    recommendation: ShownRecommendation
    country: ShownCountry
    latest_accepted_update: object  # ShownUpdate, a ProgressUpdate (as of a day) or None
    response: str
    status: str
    status_date: object
    lead_agency: str
    next_deadline: object = None
    has_overdue: bool = False
    public_evidence: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        if name != "extra" and name in self.extra:
            return self.extra[name]
        raise AttributeError(name)


def columns(annotations) -> list[str]:
    """The columns a row is read from: the commitment's, its recommendation's code and
    titles, its country's code, its latest accepted update's texts, and `annotations`."""
    return [
        "pk",
        *COMMITMENT_FIELDS,
        "recommendation__code",
        *(f"recommendation__{column}" for column in TITLE_COLUMNS.values()),
        "country__code",
        "latest_accepted_update_id",
        *(f"latest_accepted_update__{name}" for name in UPDATE_FIELDS),
        *annotations,
    ]


def row(values: dict, annotations, at: links.Here) -> TableRow:
    update = None
    if values["latest_accepted_update_id"] is not None:
        update = ShownUpdate(*(values[f"latest_accepted_update__{n}"] for n in UPDATE_FIELDS))
    extra = {name: values[name] for name in annotations}
    return TableRow(
        pk=values["pk"],
        recommendation=ShownRecommendation(
            values["recommendation__code"],
            {
                language: values[f"recommendation__{column}"]
                for language, column in TITLE_COLUMNS.items()
            },
            at,
        ),
        country=ShownCountry(CountryCode(values["country__code"]), at),
        latest_accepted_update=update,
        next_deadline=extra.pop("next_deadline", None),
        has_overdue=bool(extra.pop("has_overdue", False)),
        extra=extra,
        **{name: values[name] for name in COMMITMENT_FIELDS},
    )


# What the tables show of an evidence item (tracker.tables._evidence).
EVIDENCE_FIELDS = (
    "pk",
    "commitment_id",
    "date",
    "title",
    "title_en",
    "language",
    "url",
    "file",
    "is_demo",
)


def with_public_evidence(rows: list[TableRow]) -> list[TableRow]:
    """Each row with its public evidence, in the evidence's order (one query), as values:
    fifty items made objects took twice as long."""
    by_commitment = {r.pk: r for r in rows}
    evidence = Evidence.objects.public().filter(commitment__in=list(by_commitment))
    for item in evidence.values_list(*EVIDENCE_FIELDS, named=True):
        by_commitment[item.commitment_id].public_evidence.append(item)
    return rows
