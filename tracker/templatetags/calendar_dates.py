"""The `date` filter of every template, with Buddhist Era years for Thai readers who chose
them (tracker.calendars); otherwise Django's own, unchanged. Loaded as a builtin."""

import datetime as dt

from django import template
from django.template import defaultfilters
from django.utils import dateformat, formats

from tracker.calendars import buddhist_era, year_swapped

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if not buddhist_era() or not isinstance(value, dt.date):
        return defaultfilters.date(value, arg)
    fmt = formats.get_format(arg or "DATE_FORMAT")
    try:
        return dateformat.format(value, year_swapped(fmt, value.year))
    except AttributeError:
        return ""
