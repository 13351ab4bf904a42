"""Marking what is in English by nature inside a page in another language."""

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from tracker.languages import NATIVE_NAMES, english_version, is_english, original_named

register = template.Library()


@register.simple_tag
def english() -> str:
    """` lang="en"` on an element whose content is English whatever the page's language
    (the report's text, names not translated yet); nothing on an English page."""
    return "" if is_english() else mark_safe(' lang="en"')


@register.simple_tag
def title_lang(recommendation) -> str:
    """` lang="en"` on a recommendation's short title on a page in another language, when
    staff have not translated it into that language; nothing otherwise."""
    return "" if recommendation.title_language() == translation.get_language() else english()


@register.filter
def named(followed):
    """A country (its name is translated) or a recommendation (its code and short title,
    the title marked English on a page in another language when it has no translation),
    to put in a sentence."""
    if followed._meta.model_name != "recommendation" or not title_lang(followed):
        return followed
    return format_html('<span lang="en">{}</span>', followed)


@register.simple_tag
def written(record, field: str, breaks: bool = True, printed: bool = False):
    """What a focal point or network staff wrote (an update's or an evidence item's
    `field`), marked with the language it was written in. On an English page, its English
    version, when it has one, with the original one click away (`printed`: beneath it)."""
    original = getattr(record, field, "") or ""
    if not original:
        return ""
    language = getattr(record, "language", "") or settings.LANGUAGE_CODE
    english = english_version(record, field)
    shown = linebreaksbr if breaks else conditional_escape
    if english:
        summary = original_named(record)
        if printed:
            return format_html(
                '<span lang="en" class="translation">{}</span><br><span class="original">'
                '{}: <span lang="{}">{}</span></span>',
                shown(english),
                summary,
                language,
                shown(original),
            )
        return format_html(
            '<span lang="en" class="translation">{}</span> <details class="original">'
            '<summary>{}</summary><span lang="{}">{}</span></details>',
            shown(english),
            summary,
            language,
            shown(original),
        )
    return format_html('<span lang="{}">{}</span>', language, shown(original))


@register.simple_tag
def written_short(record, field: str, words: int = 30):
    """The first `words` words of `written`, without the original (a table's cell)."""
    language = getattr(record, "language", "") or settings.LANGUAGE_CODE
    text, english = getattr(record, field, "") or "", english_version(record, field)
    if english:
        text, language = english, "en"
    return format_html('<span lang="{}">{}</span>', language, Truncator(text).words(words))


@register.filter
def language_name(code: str) -> str:
    return NATIVE_NAMES.get(code, code)


@register.simple_tag
def both(record, field: str):
    """The text as written, and its English version beneath it, when it has one (for the
    reviewer, who sees both)."""
    language = getattr(record, "language", "") or settings.LANGUAGE_CODE
    original = format_html(
        '<span lang="{}">{}</span>', language, linebreaksbr(getattr(record, field, ""))
    )
    english = getattr(record, f"{field}_en", "") or ""
    if not english:
        return original
    return format_html(
        '{}<br><span class="translation"><strong>{}</strong> <span lang="en">{}</span></span>',
        original,
        gettext("English version:"),
        linebreaksbr(english),
    )
