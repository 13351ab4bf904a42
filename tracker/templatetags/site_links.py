"""`{% path "tracker:dashboard" %}`: the path of a page of this site, as `{% url %}` writes
it, worked out once per page, its arguments and the language (tracker.links.path) rather
than reversed each time: the layout alone links eleven pages on every page."""

from django import template

from tracker import links

register = template.Library()


@register.simple_tag
def path(name: str, *args) -> str:
    return links.path(name, *args)
