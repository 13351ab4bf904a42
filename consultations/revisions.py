"""A new version of an imported report: which stored paragraph each of its paragraphs is
written to, so that a recommendation's tracking never moves onto another text silently.

The versions are aligned as wholes (consultations.alignment). A paragraph whose text is
in the new version follows it there (its history with it). A recommendation whose text
now sits at another number, or whose number now holds a different text (beyond small
corrections), is flagged: staff choose to keep its code with the new text at its number
(KEEP), or to follow its text to where it now is, the tracking moving with it (FOLLOW; a
text no longer in the report leaves the recommendation kept but no longer current).
"""

from dataclasses import dataclass, field

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from consultations.alignment import SAME_TEXT, align, likeness, words

KEEP, FOLLOW = "keep", "follow"


@dataclass(frozen=True)
class Flag:
    """A recommendation whose text a re-import would change or move."""

    code: str
    number: int  # its paragraph's number in the stored version
    text: str  # its text in the stored version
    moved_to: int | None  # where its text is in the new version (None: no longer in it)
    kept_text: str | None  # the new version's text at `number` (None: no such paragraph)

    def describe(self) -> str:
        if self.moved_to is not None:
            return _("%(code)s: its text, paragraph %(number)s, is now paragraph %(new)s") % {
                "code": self.code,
                "number": self.number,
                "new": self.moved_to,
            }
        return _(
            "%(code)s: its text, paragraph %(number)s, is no longer in the report, and "
            "paragraph %(number)s now reads “%(text)s”"
        ) % {"code": self.code, "number": self.number, "text": _short(self.kept_text or "")}

    def outcome(self, choice: str) -> str:
        """What the choice does, in words."""
        if choice == KEEP and self.kept_text is not None:
            return _(
                "keep: %(code)s stays paragraph %(number)s and takes its new text “%(text)s”"
            ) % {
                "code": self.code,
                "number": self.number,
                "text": _short(self.kept_text),
            }
        if choice == KEEP:
            return _(
                "keep: %(code)s stays with its number, which the new version no longer has; "
                "it is kept, no longer current"
            ) % {"code": self.code}
        if self.moved_to is not None:
            return _(
                "follow: %(code)s moves with its text to paragraph %(new)s, its tracking with it"
            ) % {"code": self.code, "new": self.moved_to}
        return _(
            "follow: %(code)s keeps its text, which the new version no longer has; it is "
            "kept, no longer current"
        ) % {"code": self.code}


class ChoicesNeeded(ValueError):
    """The import changes or moves recommendations' texts: staff must choose for each."""

    def __init__(self, flags: list[Flag], conflicts: list[str] | None = None):
        self.flags = flags
        self.conflicts = conflicts or []
        missing = ", ".join(f.code for f in flags)
        message = (
            "; ".join(self.conflicts)
            if self.conflicts
            else _(
                "this version changes or moves the text of %(codes)s: choose, for each, "
                "to keep its code with the new text or to follow its text"
            )
            % {"codes": missing}
        )
        super().__init__(message)


@dataclass
class Plan:
    """Which stored paragraph row each new paragraph number is written to."""

    rows: dict[int, object] = field(default_factory=dict)  # new number → stored Paragraph
    withdrawn: list = field(default_factory=list)  # kept for their recommendation only
    deleted: list = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)  # flagged code → KEEP or FOLLOW


def plan(stored: list, new: dict[int, str], choices: dict[str, str], kept=()) -> Plan:
    """Stored paragraphs (of the report, each with its recommendation if any) against the
    new version's texts by number, with staff's choices by recommendation code. A choice
    not given is taken as FOLLOW (the tracking stays with its text); ChoicesNeeded is
    raised when two recommendations would be written to one paragraph. `kept` are the
    paragraphs earlier imports kept out of the report for their recommendation: one whose
    text is back takes its place again."""
    matches = align({p.number: p.text for p in stored}, new)
    result = Plan()
    claims: dict[int, list] = {}
    for paragraph in stored:
        recommendation = _recommendation(paragraph)
        if recommendation is None:
            continue
        match = matches.get(paragraph.number)
        if match and match.number == paragraph.number:
            target = paragraph.number
        elif match is None and paragraph.number not in new:
            target = None  # its number and its text are gone: kept, no longer current
        else:
            flag = Flag(
                code=recommendation.code,
                number=paragraph.number,
                text=paragraph.text,
                moved_to=match.number if match else None,
                kept_text=new.get(paragraph.number),
            )
            result.flags.append(flag)
            choice = choices.get(flag.code, FOLLOW)
            result.choices[flag.code] = choice
            target = paragraph.number if choice == KEEP else flag.moved_to
            if target is not None and target not in new:
                target = None
        if target is None:
            result.withdrawn.append(paragraph)
        else:
            claims.setdefault(target, []).append(paragraph)
    conflicts = [
        _("%(codes)s would all be paragraph %(number)s: choose “follow” for all but one")
        % {"codes": " / ".join(_recommendation(p).code for p in held), "number": number}
        for number, held in sorted(claims.items())
        if len(held) > 1
    ]
    if conflicts:
        raise ChoicesNeeded(result.flags, conflicts)
    result.rows = {number: held[0] for number, held in claims.items()}
    for paragraph in kept:
        own = words(paragraph.text)
        score, number = max(
            ((likeness(own, words(text)), n) for n, text in new.items() if n not in result.rows),
            default=(0.0, None),
        )
        if score >= SAME_TEXT:
            result.rows[number] = paragraph
    free = [p for p in stored if _recommendation(p) is None]
    for paragraph in free:  # paragraphs without a recommendation follow their text
        match = matches.get(paragraph.number)
        if match and match.number not in result.rows:
            result.rows[match.number] = paragraph
    placed = {id(p) for p in result.rows.values()}
    for paragraph in free:  # or are rewritten at their number, when it is free
        if id(paragraph) in placed:
            continue
        if paragraph.number in new and paragraph.number not in result.rows:
            result.rows[paragraph.number] = paragraph
        else:
            result.deleted.append(paragraph)
    return result


def _recommendation(paragraph):
    return getattr(paragraph, "recommendation", None)


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(80)
