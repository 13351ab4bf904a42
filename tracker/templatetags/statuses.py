"""Statuses as the public pages show them: a status's badge, and stacked status charts
(tracker.charts), written in Python: they sit in the pages' longest loops."""

from django import template

from tracker import charts

register = template.Library()


@register.simple_tag
def status_badge(status: str, label: str):
    return charts.badge(status, label)


@register.simple_tag
def status_chart(chart, chart_id: str, caption: str, label_header: str = "", hide_table=False):
    return charts.html(chart, chart_id, caption, label_header, hide_table)
