"""The `date` filter of every template, with Buddhist Era years for Thai readers who chose
them (tracker.calendars); otherwise Django's own, unchanged. Loaded as a builtin."""

import datetime as dt
import functools

from django import template
from django.template import defaultfilters
from django.utils import dateformat, formats, translation

from tracker.calendars import buddhist_era, year_swapped

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if not isinstance(value, dt.date):
        return defaultfilters.date(value, arg)
    # A day or moment is written the same way every time in a language, a calendar and a
    # time zone: worked out once (Django's formatting reads the format letter by letter,
    # and a table of fifty rows has a hundred dates).
    zone = value.tzinfo if isinstance(value, dt.datetime) else None
    return _formatted(value, zone, arg, translation.get_language(), buddhist_era())


@functools.lru_cache(maxsize=10_000)
def _formatted(value, zone, arg, language, buddhist: bool) -> str:
    if not buddhist:
        return defaultfilters.date(value, arg)
    fmt = formats.get_format(arg or "DATE_FORMAT")
    try:
        return dateformat.format(value, year_swapped(fmt, value.year))
    except AttributeError:
        return ""
