"""Write a parsed report to the database, in one transaction, updating it in place."""

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations import documents, revisions
from consultations.models import (
    AgendaItem,
    Consultation,
    GcmObjective,
    GuidingPrinciple,
    Paragraph,
    Recommendation,
    Sdg,
    Section,
)
from consultations.report_parser import ParsedReport, parse_report

# Where a paragraph waits while the paragraphs around it change numbers (numbers are unique).
_PARKED = 1_000_000_000
STOPWORDS = {"a", "an", "and", "at", "for", "in", "of", "on", "the", "to", "with"}


@dataclass
class ImportResult:
    consultation: Consultation
    created: bool
    dry_run: bool
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    flags: list[revisions.Flag] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.changes:
            return _("%(code)s: no change; the report is already up to date.") % {
                "code": self.consultation.code
            }
        count = len(self.changes)
        if self.dry_run and self.created:
            text = ngettext(
                "%(consultation)s: %(count)s change would be made (created); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                "%(consultation)s: %(count)s changes would be made (created); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                count,
            )
        elif self.dry_run:
            text = ngettext(
                "%(consultation)s: %(count)s change would be made (updated); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                "%(consultation)s: %(count)s changes would be made (updated); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                count,
            )
        elif self.created:
            text = ngettext(
                "%(consultation)s: %(count)s change was made (created); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                "%(consultation)s: %(count)s changes were made (created); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                count,
            )
        else:
            text = ngettext(
                "%(consultation)s: %(count)s change was made (updated); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                "%(consultation)s: %(count)s changes were made (updated); %(paragraphs)s "
                "paragraphs, %(recommendations)s recommendations.",
                count,
            )
        return text % {
            "consultation": f"{self.consultation.code} {self.consultation.title}",
            "count": count,
            "paragraphs": self.counts["paragraphs"],
            "recommendations": self.counts["recommendations"],
        }


class _Rollback(Exception):
    pass


def consultation_code(title: str, day) -> str:
    """Initials of the first two significant words of the title and the year: BM22."""
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w.lower() not in STOPWORDS]
    initials = "".join(w[0] for w in words[:2]).upper() or "C"
    return f"{initials}{day:%y}"


def consultation_slug(parsed: ParsedReport) -> str:
    slug = slugify(f"{parsed.date.isoformat()} {parsed.title}")
    return slug[:100].rsplit("-", 1)[0] if len(slug) > 100 else slug


def short_title(text: str, limit: int = 90) -> str:
    """The first sentence of a paragraph, without markdown, cut at a word under the limit."""
    plain = re.sub(r"\*+", "", text.split("\n")[0]).strip()
    sentence = re.split(r"(?<=[a-z)])[.;](?:\s|$)", plain, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _unique_code(base: str, slug: str) -> str:
    taken = set(
        Consultation.objects.filter(code__startswith=base)
        .exclude(slug=slug)
        .values_list("code", flat=True)
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def _assign(obj, values: dict) -> list[str]:
    """Set the values that differ; return the names of those fields."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def import_report(
    parsed: ParsedReport,
    *,
    source_text: str,
    source_name: str = "",
    dry_run: bool = False,
    consultation: Consultation | None = None,
    choices: dict[str, str] | None = None,
) -> ImportResult:
    """Create or update the consultation a report describes.

    Keyed on the consultation (its slug, or the one given); its paragraphs are matched to
    the stored ones by their texts (consultations.revisions). Never deletes a
    recommendation: one whose paragraph left the recommendations is marked not current,
    and its paragraph kept. A recommendation whose text would change or move is applied
    only with staff's choice for it (`choices`, code → KEEP or FOLLOW); without one, a
    dry run shows the flags, and an import raises revisions.ChoicesNeeded.
    """
    try:
        with transaction.atomic():
            result = _write(parsed, source_text, source_name, consultation, dry_run, choices or {})
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def import_report_file(data: bytes, **options) -> ImportResult:
    """Import a report file: PDF, Word or plain text (consultations.documents)."""
    return import_document(documents.read_report(data), **options)


def import_document(document: documents.ExtractedText, **options) -> ImportResult:
    """Import a report already read into text (consultations.documents)."""
    parsed = parse_report(document.text, documents.locator(document))
    if document.warnings:
        parsed = dataclasses.replace(parsed, warnings=(*document.warnings, *parsed.warnings))
    return import_report(parsed, source_text=document.text, **options)


def _write(parsed, source_text, source_name, consultation, dry_run, choices) -> ImportResult:
    slug = consultation.slug if consultation else consultation_slug(parsed)
    consultation = consultation or Consultation.objects.filter(slug=slug).first()
    created = consultation is None
    if created:
        consultation = Consultation(
            slug=slug, code=_unique_code(consultation_code(parsed.title, parsed.date), slug)
        )
    result = ImportResult(consultation, created, dry_run, warnings=list(parsed.warnings))
    changes = result.changes
    if created:
        changes.append(
            _("create consultation %(code)s “%(title)s”")
            % {"code": consultation.code, "title": parsed.title}
        )

    fields = _assign(
        consultation,
        {
            "series": parsed.series,
            "number_in_series": parsed.number_in_series,
            "title": parsed.title,
            "document_type": parsed.document_type,
            "date": parsed.date,
            "starts_at": parsed.starts_at,
            "ends_at": parsed.ends_at,
            "utc_offset_minutes": int(parsed.starts_at.utcoffset().total_seconds() // 60),
            "timezone_label": parsed.timezone_label,
            "venue": parsed.venue,
            "agenda_text": parsed.agenda_text,
            "source_text": source_text,
            "source_sha256": hashlib.sha256(source_text.encode()).hexdigest(),
        },
    )
    # Staff may correct these; a re-import only fills them when they are empty.
    for name, value in (
        ("host_country", parsed.host_country or ""),
        ("attendance", parsed.attendance),
    ):
        if value and not getattr(consultation, name):
            setattr(consultation, name, value)
            fields.append(name)
    if not created and fields:
        shown = [f for f in fields if f not in ("source_text", "source_sha256")]
        if shown:
            changes.append(
                _("update consultation %(code)s: %(fields)s")
                % {"code": consultation.code, "fields": ", ".join(shown)}
            )
    if created or fields:
        consultation.imported_at = timezone.now()
        if source_name:
            consultation.source_file = source_name
        consultation.save()
    if created:
        consultation.gcm_objectives.set(
            GcmObjective.objects.filter(number__in=parsed.gcm_objectives)
        )
        consultation.sdgs.set(Sdg.objects.filter(number__in=parsed.sdgs))
    else:
        _add_tags(consultation, parsed.gcm_objectives, parsed.sdgs, changes, consultation.code)

    sections, stale_sections = _write_sections(consultation, parsed, changes)
    stored = (
        []
        if created
        else list(consultation.paragraphs.in_report().select_related("recommendation"))
    )
    kept = (
        []
        if created
        else list(
            consultation.paragraphs.filter(in_report=False, recommendation__isnull=False)
            .select_related("recommendation")
            .order_by("number", "pk")
        )
    )
    revision = revisions.plan(
        stored, {p.number: p.text for p in parsed.paragraphs}, choices, kept=kept
    )
    result.flags, result.choices = revision.flags, revision.choices
    unchosen = [flag for flag in revision.flags if flag.code not in choices]
    if unchosen and not dry_run:
        raise revisions.ChoicesNeeded(revision.flags)
    paragraphs = _write_paragraphs(consultation, parsed, sections, changes, revision)
    for section in sorted(stale_sections, key=lambda s: -s.level):
        changes.append(
            _("delete section %(key)s “%(title)s”") % {"key": section.key, "title": section.title}
        )
        section.delete()
    recommendations = _write_recommendations(consultation, parsed, paragraphs, changes, revision)
    # Paragraphs set aside by number (_write_paragraphs) keep the order of the tables too.
    Recommendation.objects.filter(consultation=consultation).keep_order()
    _write_agenda(consultation, parsed, changes)
    result.counts = {
        "sections": len(sections),
        "paragraphs": len(paragraphs),
        "recommendations": recommendations,
        "agenda items": len(parsed.agenda),
    }
    return result


def _add_tags(obj, objectives, sdgs, changes: list[str], name: str) -> None:
    """Add the tags the report names; never remove a tag staff have set."""
    new_objectives = set(objectives) - set(obj.gcm_objectives.values_list("number", flat=True))
    new_sdgs = set(sdgs) - set(obj.sdgs.values_list("number", flat=True))
    if new_objectives:
        obj.gcm_objectives.add(*GcmObjective.objects.filter(number__in=new_objectives))
        changes.append(
            _("tag %(name)s with GCM objectives %(numbers)s")
            % {"name": name, "numbers": sorted(new_objectives)}
        )
    if new_sdgs:
        obj.sdgs.add(*Sdg.objects.filter(number__in=new_sdgs))
        changes.append(
            _("tag %(name)s with SDGs %(numbers)s") % {"name": name, "numbers": sorted(new_sdgs)}
        )


def _write_sections(consultation, parsed, changes) -> tuple[dict[str, Section], list[Section]]:
    """The report's sections by key, and those of an earlier import it no longer has."""
    existing = {s.key: s for s in consultation.sections.all()}
    sections: dict[str, Section] = {}
    for order, parsed_section in enumerate(parsed.sections, start=1):
        section = existing.pop(parsed_section.key, None)
        is_new = section is None
        if is_new:
            section = Section(consultation=consultation, key=parsed_section.key)
        changed = _assign(
            section,
            {
                "parent": sections.get(parsed_section.parent_key),
                "label": parsed_section.label,
                "title": parsed_section.title,
                "kind": parsed_section.kind,
                "level": parsed_section.level,
                "order": order,
                "intro": parsed_section.intro,
            },
        )
        if is_new or changed:
            section.save()
            changes.append(
                _("create section %(key)s “%(title)s”")
                % {"key": section.key, "title": section.title}
                if is_new
                else _("update section %(key)s: %(fields)s")
                % {"key": section.key, "fields": ", ".join(changed)}
            )
        sections[section.key] = section
    return sections, list(existing.values())


def _write_paragraphs(consultation, parsed, sections, changes, revision) -> dict[int, Paragraph]:
    """Each new paragraph written to the stored row the revision plan gives it (its text
    followed there), or to a new row; rows kept only for their recommendation leave the
    report, and the others it no longer has are deleted."""
    for paragraph in revision.withdrawn:
        paragraph.in_report, paragraph.section = False, None
        paragraph.save()
        changes.append(
            _("keep paragraph %(number)s, no longer in the report, for recommendation %(code)s")
            % {"number": paragraph.number, "code": paragraph.recommendation.code}
        )
    for paragraph in revision.deleted:
        paragraph.delete()
        changes.append(_("delete paragraph %(number)s") % {"number": paragraph.number})
    moving = {n: p for n, p in revision.rows.items() if p.number != n or not p.in_report}
    for paragraph in moving.values():  # out of the way first: numbers are unique
        Paragraph.objects.filter(pk=paragraph.pk).update(number=_PARKED + paragraph.pk)
    paragraphs: dict[int, Paragraph] = {}
    for parsed_paragraph in parsed.paragraphs:
        number = parsed_paragraph.number
        paragraph = revision.rows.get(number)
        is_new = paragraph is None
        if is_new:
            paragraph = Paragraph(consultation=consultation, number=number)
        elif not paragraph.in_report:
            changes.append(
                _("restore paragraph %(number)s of recommendation %(code)s: its text is back")
                % {"number": number, "code": paragraph.recommendation.code}
            )
            paragraph.number, paragraph.in_report = number, True
        elif number in moving:
            changes.append(
                _("paragraph %(old)s becomes paragraph %(new)s (its text moved)")
                % {"old": paragraph.number, "new": number}
            )
            paragraph.number = number
        changed = _assign(
            paragraph,
            {
                "section": sections.get(parsed_paragraph.section_key),
                "text": parsed_paragraph.text,
                "countries": list(parsed_paragraph.countries),
                "source_line": parsed_paragraph.line,
            },
        )
        if is_new or set(changed) - {"source_line"}:
            changes.append(
                _("create paragraph %(number)s") % {"number": number}
                if is_new
                else _("update paragraph %(number)s: %(fields)s")
                % {"number": number, "fields": ", ".join(changed)}
            )
        if is_new or changed or number in moving:
            paragraph.save()
        paragraphs[number] = paragraph
    return paragraphs


def _recommendation_code(consultation, number: int) -> str:
    """BM22-R31; BM22-R31-2 when an earlier recommendation, whose text has left the
    report or moved, still holds that code."""
    base = code = f"{consultation.code}-R{number}"
    n = 1
    while Recommendation.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _write_recommendations(consultation, parsed, paragraphs, changes, revision) -> int:
    principles = {p.key: p for p in GuidingPrinciple.objects.all()}
    for flag in revision.flags:
        changes.append(flag.outcome(revision.choices[flag.code]))
    count = 0
    held = set()
    for parsed_paragraph in parsed.paragraphs:
        paragraph = paragraphs[parsed_paragraph.number]
        recommendation = getattr(paragraph, "recommendation", None) if paragraph.pk else None
        if not parsed_paragraph.is_recommendation:
            continue
        count += 1
        objectives = sorted({*parsed.gcm_objectives, *parsed_paragraph.gcm_objectives})
        sdgs = sorted({*parsed.sdgs, *parsed_paragraph.sdgs})
        if recommendation is None:
            recommendation = Recommendation.objects.create(
                consultation=consultation,
                paragraph=paragraph,
                code=_recommendation_code(consultation, parsed_paragraph.number),
                # English, whatever language the importing page is in.
                short_title_en=short_title(parsed_paragraph.text),
            )
            recommendation.gcm_objectives.set(GcmObjective.objects.filter(number__in=objectives))
            recommendation.sdgs.set(Sdg.objects.filter(number__in=sdgs))
            recommendation.guiding_principles.set(
                [principles[k] for k in parsed_paragraph.guiding_principles if k in principles]
            )
            changes.append(_("create recommendation %(code)s") % {"code": recommendation.code})
            held.add(recommendation.pk)
            continue
        held.add(recommendation.pk)
        if not recommendation.is_current:
            recommendation.is_current = True
            recommendation.save()
            changes.append(_("restore recommendation %(code)s") % {"code": recommendation.code})
        _add_tags(
            recommendation,
            parsed_paragraph.gcm_objectives,
            parsed_paragraph.sdgs,
            changes,
            recommendation.code,
        )
    stale = Recommendation.objects.filter(consultation=consultation, is_current=True).exclude(
        pk__in=held
    )
    for recommendation in stale.order_by("paragraph__number", "code"):
        recommendation.is_current = False
        recommendation.save()
        changes.append(
            _(
                "mark recommendation %(code)s as no longer in the report (kept with its "
                "tracking data)"
            )
            % {"code": recommendation.code}
        )
    return count


def _write_agenda(consultation, parsed, changes) -> None:
    wanted = [
        {
            "order": item.order,
            "starts": item.starts,
            "ends": item.ends,
            "topic": item.topic,
            "moderators": item.moderators,
            "speakers": "\n".join(item.speakers),
            "raw": item.raw,
        }
        for item in parsed.agenda
    ]
    existing = list(
        consultation.agenda_items.values(
            "order", "starts", "ends", "topic", "moderators", "speakers", "raw"
        )
    )
    if existing == wanted:
        return
    consultation.agenda_items.all().delete()
    for values in wanted:
        AgendaItem.objects.create(consultation=consultation, **values)
    changes.append(
        ngettext(
            "replace agenda (%(before)s → %(after)s items)",
            "replace agenda (%(before)s → %(after)s items)",
            len(wanted),
        )
        % {"before": len(existing), "after": len(wanted)}
    )
