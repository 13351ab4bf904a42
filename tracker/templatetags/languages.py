"""Marking what is in English by nature inside a page in another language."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracker.languages import is_english

register = template.Library()


@register.simple_tag
def english() -> str:
    """` lang="en"` on an element whose content is English whatever the page's language
    (the report's text, names not translated yet); nothing on an English page."""
    return "" if is_english() else mark_safe(' lang="en"')


@register.filter
def named(followed):
    """A country (its name is translated) or a recommendation (its code and short title
    are English, marked so on a page in another language), to put in a sentence."""
    if followed._meta.model_name != "recommendation" or not english():
        return followed
    return format_html('<span lang="en">{}</span>', followed)
