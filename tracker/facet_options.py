"""The options of the facets that name what the reports hold (consultations, sections, GCM
objectives, SDGs, themes, countries), read in one query.

The six as the ORM's queries took 1.8 ms a page to build and read on PostgreSQL (0.1 ms of
it in the database), a ninth of a fresh progress table; as one statement they take 0.2 ms.
Each list keeps the order its model gives.
"""

import datetime as dt
import functools

from django.db import connection
from django.utils.translation import get_language

from consultations.models import Consultation, GcmObjective, Sdg, Section, Theme
from tracker.models import Country, country_name

FACETS = ("consultation", "section", "objective", "sdg", "theme", "country")

# Each row: the facet, the option's value, its label (or what it is made of), and what
# orders the options within the facet (a day, latest first; a text; a number).
_SQL = """
SELECT 'consultation', code, title, date, title, 0 FROM {consultation}
UNION ALL
SELECT 'section', CAST(s.id AS VARCHAR(20)),
       c.code || ' ' || s.key || ' ' || COALESCE(p.title, s.title), c.date, c.title, s."order"
FROM {section} s
JOIN {consultation} c ON c.id = s.consultation_id
LEFT JOIN {section} p ON p.id = s.parent_id
WHERE s.kind = %s
UNION ALL
SELECT 'objective', CAST(number AS VARCHAR(20)), short_name, NULL, NULL, number FROM {objective}
UNION ALL
SELECT 'sdg', CAST(number AS VARCHAR(20)), short_name, NULL, NULL, number FROM {sdg}
UNION ALL
SELECT 'theme', slug, name, NULL, name, 0 FROM {theme}
UNION ALL
SELECT 'country', code, NULL, NULL, code, 0 FROM {country}
ORDER BY 1, 4 DESC, 5, 6
"""


def option_lists() -> dict[str, list[tuple[str, str]]]:
    """Each facet's options as (value, label) pairs, labelled in the active language."""
    sql = _SQL.format(
        consultation=Consultation._meta.db_table,
        section=Section._meta.db_table,
        objective=GcmObjective._meta.db_table,
        sdg=Sdg._meta.db_table,
        theme=Theme._meta.db_table,
        country=Country._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Section.Kind.RECOMMENDATIONS.value])
        rows = cursor.fetchall()
    lists: dict[str, list[tuple[str, str]]] = {facet: [] for facet in FACETS}
    language = get_language()
    for facet, value, label, day, _text, _number in rows:
        lists[facet].append((value, _label(facet, value, label, day, language)))
    lists["country"].sort(key=lambda option: option[1])
    return lists


@functools.lru_cache(maxsize=10_000)
def _label(facet: str, value: str, label: str, day, language: str | None) -> str:
    """The label the model's own text gives (an unsaved instance: nothing is read), in
    the active language (`language`): made once for each option's values and each
    language, not once a page (ninety options made forty model instances a page: 0.3 ms)."""
    if facet == "consultation":
        return str(Consultation(title=label, date=_day(day)))
    if facet == "objective":
        return str(GcmObjective(number=value, short_name=label))
    if facet == "sdg":
        return str(Sdg(number=value, short_name=label))
    if facet == "country":
        return country_name(value, language)
    return label


def _day(value) -> dt.date:
    """A day as the database gives it to a plain query: a date, or ISO text (SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
