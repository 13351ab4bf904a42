"""Django's own words that the site's pages, forms and emails show, listed here so that
`makemessages` puts them in the project's catalogs (LOCALE_PATHS, read before Django's),
where they are translated into every language of the site: Django's catalogs for Khmer
and Nepali are partial, and there is none for Filipino. Never evaluated; only extracted.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONTHS = [
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]
# The "M" date format (Django's MONTHS_3, capitalized when shown).
MONTHS_3 = [
    _("jan"),
    _("feb"),
    _("mar"),
    _("apr"),
    _("may"),
    _("jun"),
    _("jul"),
    _("aug"),
    _("sep"),
    _("oct"),
    _("nov"),
    _("dec"),
]
# The "N" date format (Django's MONTHS_AP).
MONTHS_AP = [
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
]
FORMS = [
    _("- Select an option -"),  # the empty choice of a select (BLANK_CHOICE_LABEL)
    _("This field is required."),
    _("Enter a valid date."),
    _("Enter a valid email address."),
    _("Select a valid choice. %(value)s is not one of the available choices."),
    _("Enter a whole number."),
]
# The names of the countries of the region, as django-countries gives them (its catalogs
# have no Khmer, Indonesian, Nepali or Filipino): the same words, translated here.
COUNTRIES = [
    _("Bangladesh"),
    _("Cambodia"),
    _("Indonesia"),
    _("Lao People's Democratic Republic"),
    _("Malaysia"),
    _("Myanmar"),
    _("Nepal"),
    _("Philippines"),
    _("Sri Lanka"),
    _("Thailand"),
    _("Viet Nam"),
]
