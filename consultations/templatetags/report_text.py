"""Render the light markdown of report paragraphs: **bold**, *italic*, URLs and lists."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")
_BULLET = re.compile(r"- (.*)")
_ORDERED = re.compile(r"\d{1,2}\. (.*)")


def inline(text: str) -> str:
    html = escape(text)
    html = _URL.sub(lambda m: f'<a href="{m.group()}" rel="nofollow">{m.group()}</a>', html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(r"<em>\1</em>", html)


@register.filter
def report_markdown(text: str) -> SafeString:
    """One paragraph's text as HTML: lead text, then any list items, in order."""
    parts: list[str] = []
    open_list = ""
    for line in text.split("\n"):
        if match := _BULLET.fullmatch(line):
            tag = "ul"
        elif match := _ORDERED.fullmatch(line):
            tag = "ol"
        else:
            tag = ""
        if open_list and tag != open_list:
            parts.append(f"</{open_list}>")
            open_list = ""
        if tag:
            if not open_list:
                parts.append(f"<{tag}>")
                open_list = tag
            parts.append(f"<li>{inline(match.group(1))}</li>")
        elif line.strip():
            parts.append(f'<span class="para-text">{inline(line)}</span>')
    if open_list:
        parts.append(f"</{open_list}>")
    return mark_safe("".join(parts))


@register.filter
def plain_text(text: str) -> str:
    """The text without markdown markers, for titles and exports."""
    text = _BOLD.sub(r"\1", text)
    return _ITALIC.sub(r"\1", text)
