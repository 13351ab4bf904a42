"""The rows of the public pages' long lists, written in Python: the progress table's, a
country's and a recommendation's commitments, a recommendation's timeline and a report's
paragraphs (the tags of tracker/templatetags/tables.py).

A page shows fifty to a hundred of them, each a dozen values with their links, dates,
badges and labels; placed one by one by the template language they cost a page 15 to
25 ms, written here 2 to 4. The HTML is the templates' as it was, cell for cell.
"""

from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from consultations.templatetags.report_text import report_markdown
from tracker import links
from tracker.charts import badge
from tracker.escaping import escape
from tracker.models import Commitment, Evidence, ProgressUpdate, Status, country_name
from tracker.templatetags import calendar_dates
from tracker.templatetags.languages import english, title_lang, written, written_short

DASH = "—"


def date(value, arg=None) -> str:
    """`{{ value|date:arg }}`: a moment in the reader's time zone, as the template does."""
    return escape(calendar_dates.date(template_localtime(value), arg))


def cell(label: str, content) -> str:
    """A table cell, named by its column (phones show the name beside the value)."""
    return f'<td data-label="{label}">{content}</td>'


def escaped(**words) -> dict[str, str]:
    """A table's words (its column names...), translated once a table, not once a row."""
    return {name: escape(word) for name, word in words.items()}


def labels(choices) -> dict[str, str]:
    """The label of each choice, translated once a table (a model's get_FOO_display
    translates every choice to look up one)."""
    return {value: str(label) for value, label in choices}


def _link(url: str, text) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def _recommendation(recommendation, anchor: str = "") -> str:
    url = recommendation.get_absolute_url() + anchor
    title = escape(recommendation.short_title)
    return f"{_link(url, recommendation.code)} <span{title_lang(recommendation)}>{title}</span>"


def _demo(record, words: dict) -> str:
    return f' <span class="demo-tag">{words["demo"]}</span>' if record.is_demo else ""


def _next_deadline(commitment, words: dict) -> str:
    if not commitment.next_deadline:
        return DASH
    late = f' <span class="overdue">{words["overdue"]}</span>' if commitment.has_overdue else ""
    return date(commitment.next_deadline) + late


def _row(cells: list[str], attributes: str = "") -> str:
    return f"<tr{attributes}>\n" + "\n".join(cells) + "\n</tr>"


def progress_rows(commitments) -> SafeString:
    """The progress table's rows: recommendation, country, status, lead agency, latest
    accepted update and next deadline of each commitment (CommitmentQuerySet.with_progress)."""
    words = escaped(
        recommendation=gettext("Recommendation"),
        country=gettext("Country"),
        status=gettext("Status"),
        agency=gettext("Lead agency"),
        update=gettext("Latest accepted update"),
        deadline=gettext("Next deadline"),
        demo=gettext("Demo"),
        overdue=gettext("overdue"),
    )
    statuses = labels(Status.choices)
    rows = []
    for commitment in commitments:
        country, update = commitment.country, commitment.latest_accepted_update
        status = badge(commitment.status, statuses[commitment.status])
        if commitment.status_date:
            status += f'<span class="meta">{date(commitment.status_date)}</span>'
        latest = written_short(update, "narrative", 30) + _demo(update, words) if update else DASH
        cells = [
            cell(words["recommendation"], _recommendation(commitment.recommendation)),
            cell(words["country"], _link(country.get_absolute_url(), country.name)),
            cell(words["status"], status),
            cell(words["agency"], escape(commitment.lead_agency or DASH)),
            cell(words["update"], latest),
            cell(words["deadline"], _next_deadline(commitment, words)),
        ]
        rows.append(_row(cells))
    return mark_safe("\n".join(rows))


def country_rows(commitments, country) -> SafeString:
    """A country's commitments: recommendation (linked to the country's row on its page),
    status, government response, lead agency and next deadline."""
    words = escaped(
        recommendation=gettext("Recommendation"),
        status=gettext("Status"),
        response=gettext("Government response"),
        agency=gettext("Lead agency"),
        deadline=gettext("Next deadline"),
        demo=gettext("Demo"),
        overdue=gettext("overdue"),
    )
    anchor = f"#{country.code.code.lower()}"
    statuses, responses = labels(Status.choices), labels(Commitment.Response.choices)
    rows = []
    for commitment in commitments:
        status = badge(commitment.status, statuses[commitment.status])
        if commitment.latest_accepted_update is not None:
            status += _demo(commitment.latest_accepted_update, words)
        cells = [
            cell(words["recommendation"], _recommendation(commitment.recommendation, anchor)),
            cell(words["status"], status),
            cell(words["response"], escape(responses[commitment.response])),
            cell(words["agency"], escape(commitment.lead_agency or DASH)),
            cell(words["deadline"], _next_deadline(commitment, words)),
        ]
        rows.append(_row(cells))
    return mark_safe("\n".join(rows))


def recommendation_rows(commitments) -> SafeString:
    """A recommendation's commitments, a country a row: status, government response, lead
    agency, latest accepted update, public evidence (prefetched as `public_evidence`) and
    next deadline."""
    words = escaped(
        status=gettext("Status"),
        response=gettext("Government response"),
        agency=gettext("Lead agency"),
        update=gettext("Latest accepted update"),
        evidence=gettext("Public evidence"),
        deadline=gettext("Next deadline"),
        demo=gettext("Demo"),
        overdue=gettext("overdue"),
        file=gettext("file"),
    )
    statuses, responses = labels(Status.choices), labels(Commitment.Response.choices)
    rows = []
    for commitment in commitments:
        country, update = commitment.country, commitment.latest_accepted_update
        latest = DASH
        if update:
            day = date(update.created_at)
            latest = f'{written(update, "narrative")} <span class="meta">{day}</span>'
            latest += _demo(update, words)
        evidence = "".join(_evidence(item, words) for item in commitment.public_evidence)
        cells = [
            f'<th scope="row">{_link(country.get_absolute_url(), country.name)}</th>',
            cell(words["status"], badge(commitment.status, statuses[commitment.status])),
            cell(words["response"], escape(responses[commitment.response])),
            cell(words["agency"], escape(commitment.lead_agency or DASH)),
            cell(words["update"], latest),
            cell(words["evidence"], evidence or DASH),
            cell(words["deadline"], _next_deadline(commitment, words)),
        ]
        rows.append(_row(cells, f' id="{escape(country.code.code.lower())}"'))
    return mark_safe("\n".join(rows))


def recommendation_items(recommendations) -> SafeString:
    """The list of recommendations: each one's code and short title, its report and
    paragraph, how many countries own it and how many have implemented it
    (`country_count`, `implemented_count`)."""
    lang = english()
    items = []
    for recommendation in recommendations:
        owners = recommendation.country_count
        countries = ngettext("%(counter)s country", "%(counter)s countries", owners)
        done = gettext("%(count)s implemented") % {"count": recommendation.implemented_count}
        paragraph = gettext("paragraph %(number)s") % {"number": recommendation.paragraph.number}
        items.append(
            f"<li>\n<h2>{_recommendation(recommendation)}</h2>\n"
            f'<p class="meta"><span{lang}>{escape(recommendation.consultation.title)}</span>'
            f" · {escape(paragraph)} · {escape(countries % {'counter': owners})}, "
            f"{escape(done)}</p>\n</li>"
        )
    return mark_safe("\n".join(items))


def scorecards(rows) -> SafeString:
    """The countries' scorecards: each country (linked), whether it is a GCM Champion, its
    commitments by status, in all and the share with progress (`rows`: country, counts in
    the order of the statuses, figures)."""
    yes, no = (escape(word) for word in gettext("yes,no").split(",")[:2])
    lines = []
    for country, counts, figures in rows:
        share = DASH if figures.share is None else f"{figures.share}%"
        cells = "".join(f"<td>{count}</td>" for count in counts)
        lines.append(
            f'<tr><th scope="row">{_link(country.get_absolute_url(), country.name)}</th>'
            f"<td>{yes if country.is_champion else no}</td>{cells}"
            f"<td>{figures.total}</td><td>{share}</td></tr>"
        )
    return mark_safe("\n".join(lines))


def _evidence(item, words: dict) -> str:
    title = _evidence_title(item, written(item, "title", False), words)
    return f'<div>{title} <span class="meta">{date(item.date)}</span>{_demo(item, words)}</div>'


def _evidence_title(item, title: str, words: dict) -> str:
    """An evidence item's title (HTML), linked to its address and followed by its file."""
    if item.url:
        title = f'<a href="{escape(item.url)}" rel="nofollow">{title}</a>'
    if item.file:
        title += (
            f' (<a href="{escape(Evidence.file_url_of(item.pk, item.file))}">{words["file"]}</a>)'
        )
    return title


def deadline_items(deadlines, today=None, countries: bool = False) -> SafeString:
    """Deadlines: each one's day (marked overdue when before `today`, if given), its country
    (if `countries`), its recommendation (linked) and what is due (`recommendation_code` and
    `country_code` beside each): a country's open ones, the dashboard's overdue ones."""
    words = escaped(overdue=gettext("overdue"), demo=gettext("Demo"))
    late = f' <span class="overdue">{words["overdue"]}</span>'
    items = []
    for deadline in deadlines:
        code = deadline.recommendation_code
        link = _link(links.recommendation_path(code), code)
        marked = late if today and deadline.due_date < today else ""
        country = f" · {escape(country_name(deadline.country_code))}" if countries else ""
        items.append(
            f"<li><strong>{date(deadline.due_date)}</strong>{marked}{country} · {link}: "
            f"{escape(deadline.description)}{_demo(deadline, words)}</li>"
        )
    return mark_safe("\n    ".join(items))


def evidence_items(evidence) -> SafeString:
    """A country's latest public evidence: each item's day, title (linked to its address),
    file, recommendation (`recommendation_code` beside each) and whether it is a demo."""
    words = escaped(file=gettext("file"), demo=gettext("Demo"))
    items = []
    for item in evidence:
        title = _evidence_title(item, escape(item.title), words)
        items.append(
            f'<li><span class="meta">{date(item.date)}</span> {title} · '
            f"{escape(item.recommendation_code)}{_demo(item, words)}</li>"
        )
    return mark_safe("\n    ".join(items))


def update_items(updates) -> SafeString:
    """The dashboard's latest accepted updates: each one's country and recommendation
    (linked to the update on its page), status, whether it is a demo, and its day."""
    words = escaped(demo=gettext("Demo"))
    statuses = labels(Status.choices)
    items = []
    for update in updates:
        code = update.recommendation_code
        url = f"{links.recommendation_path(code)}#update-{update.pk}"
        demo = f'\n      <span class="demo-tag">{words["demo"]}</span>' if update.is_demo else ""
        items.append(
            f"<li>\n      {_link(url, f'{country_name(update.country_code)} · {code}')}"
            f"\n      {badge(update.status, statuses[update.status])}{demo}"
            f'\n      <span class="meta">{date(update.created_at)}</span>\n    </li>'
        )
    return mark_safe("\n    ".join(items))


def timeline(updates) -> SafeString:
    """A recommendation's accepted (and withdrawn) updates, newest first, each with its
    day, country (`country_code`), status and texts."""
    words = escaped(
        demo=gettext("Demo"),
        withdrawn=gettext("Withdrawn"),
        challenges=gettext("Challenges:"),
        support=gettext("Support needed:"),
    )
    statuses = labels(Status.choices)
    items = []
    for update in updates:
        withdrawn = ProgressUpdate.is_withdrawal(update.review_state)
        marked = ' class="withdrawn"' if withdrawn else ""
        item = [
            f'<li id="update-{update.pk}"{marked}>',
            f'<p><time datetime="{date(update.created_at, "c")}">{date(update.created_at)}'
            f"</time> · <strong>{escape(country_name(update.country_code))}</strong> "
            f"{badge(update.status, statuses[update.status])}{_demo(update, words)}</p>",
        ]
        if withdrawn:
            at = update.withdrawn_at
            item.append(
                f'<p class="withdrawal"><strong>{words["withdrawn"]}</strong> '
                f'<time datetime="{date(at, "c")}">{date(at)}</time>: '
                f"{escape(update.withdrawal_reason)}</p>"
            )
        item.append(f"<div>{written(update, 'narrative')}</div>")
        for field, title in (("challenges", "challenges"), ("support_needed", "support")):
            if getattr(update, field):
                item.append(f"<div><strong>{words[title]}</strong> {written(update, field)}</div>")
        item.append("</li>")
        items.append("\n".join(item))
    return mark_safe("\n".join(items))


def report_paragraphs(paragraphs) -> SafeString:
    """A report's paragraphs, each with its number and, for a recommendation, the link to
    its progress and how many of its countries have each status (`status_summary`)."""
    paragraph_label = gettext("Paragraph %(number)s")
    progress_link = gettext("Recommendation %(code)s: see its progress")
    nobody = escape(gettext("No country owns it yet."))
    lang = english()
    out = []
    for paragraph in paragraphs:
        recommendation = getattr(paragraph, "recommendation", None)
        anchor = escape(paragraph.anchor)
        badge_html = ""
        if recommendation is not None:
            link = progress_link % {"code": escape(recommendation.code)}
            summary = escape(recommendation.status_summary) or nobody
            badge_html = (
                f'<p class="badge"><a href="{escape(recommendation.get_absolute_url())}">{link}</a>'
                f'\n<span class="status-summary">{summary}</span></p>'
            )
        out.append(
            f'<div class="paragraph{" recommendation" if recommendation else ""}" id="{anchor}">\n'
            f'<a class="number" href="#{anchor}" aria-label="'
            f'{paragraph_label % {"number": paragraph.number}}">{paragraph.number}.</a>\n'
            f'<div class="text">\n{badge_html}\n'
            f"<div{lang}>{report_markdown(paragraph.text)}</div>\n</div>\n</div>"
        )
    return mark_safe("\n".join(out))
