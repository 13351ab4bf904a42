"""Find the countries a piece of text mentions, by the names reports use for them."""

import re
from functools import cache

from django_countries import data

# Names reports of the region use that neither the ISO short names nor
# django-countries' common names spell out.
ALIASES = {
    "Lao PDR": "LA",
    "Laos": "LA",
    "Republic of Korea": "KR",
    "South Korea": "KR",
    "Democratic People's Republic of Korea": "KP",
    "DPRK": "KP",
    "North Korea": "KP",
    "Viet Nam": "VN",
    "Vietnam": "VN",
    "Timor Leste": "TL",
    "East Timor": "TL",
    "Brunei": "BN",
    "Iran": "IR",
    "Islamic Republic of Iran": "IR",
    "Micronesia": "FM",
    "Federated States of Micronesia": "FM",
    "Russia": "RU",
    "Syria": "SY",
    "Turkey": "TR",
    "United States": "US",
    "USA": "US",
    "United Kingdom": "GB",
    "UK": "GB",
    "UAE": "AE",
    "Hong Kong SAR": "HK",
    "Macao SAR": "MO",
    "Czech Republic": "CZ",
}


def _name_variants(name: str) -> list[str]:
    """ "Korea (the Republic of)" -> "Republic of Korea"; "Palestine, State of" -> both orders."""
    if match := re.fullmatch(r"(.+?) \((?:the )?(.+)\)", name):
        head, qualifier = match.groups()
        return [f"{qualifier} {head}", head] if qualifier.endswith(" of") else [head]
    if match := re.fullmatch(r"(.+?), (?:the )?(.+)", name):
        head, qualifier = match.groups()
        return [f"{qualifier} {head}", head]
    return [name]


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in data.COUNTRIES.items():
        for variant in _name_variants(str(name)):
            names.setdefault(variant, code)
    for code, name in data.CountriesBase.COMMON_NAMES.items():
        names.setdefault(str(name), code)
    names.pop("Korea", None)  # ambiguous between KR and KP
    names.update(ALIASES)
    return names


@cache
def _pattern() -> re.Pattern[str]:
    # Longest names first, so that "Democratic People's Republic of Korea" wins over
    # "Republic of Korea" and "South Sudan" over "Sudan" at the same position.
    alternatives = sorted(_names(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")


def country_pattern() -> re.Pattern[str]:
    return _pattern()


def countries_mentioned(text: str) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes of the countries named in text, sorted."""
    text = text.replace("\u2019", "'")
    return tuple(sorted({_names()[m.group(1)] for m in _pattern().finditer(text)}))
