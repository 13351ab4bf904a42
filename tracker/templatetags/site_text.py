"""Staff-written page text (tracker.models.SiteText) as HTML: paragraphs, "## " headings
and links, with everything else escaped."""

from django import template
from django.utils.html import format_html, format_html_join, urlize
from django.utils.safestring import mark_safe
from django.utils.text import slugify

register = template.Library()


@register.filter
def site_text(text: str) -> str:
    blocks = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        while lines and lines[0].startswith("## "):
            heading = lines.pop(0)[3:].strip()
            blocks.append(
                format_html('<h2 id="{}">{}</h2>', slugify(heading, allow_unicode=True), heading)
            )
        if lines:
            words = " ".join(lines)
            blocks.append(format_html("<p>{}</p>", mark_safe(urlize(words, autoescape=True))))
    return format_html_join("\n", "{}", ((block,) for block in blocks))
