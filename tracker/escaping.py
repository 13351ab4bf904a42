"""Escaping for the pages' long lists (tracker.tables, tracker.charts, the facets' options),
written a few thousand times a page."""

import html


def escape(value) -> str:
    """As django.utils.html.conditional_escape: HTML already safe is kept, anything else is
    escaped; without its check of every argument for lazy text, which costs as much as the
    escaping itself."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
