"""The rows of the public pages' long lists (tracker.tables)."""

from django import template

from tracker import tables

register = template.Library()

register.simple_tag(tables.progress_rows)
register.simple_tag(tables.country_rows)
register.simple_tag(tables.recommendation_rows)
register.simple_tag(tables.recommendation_items)
register.simple_tag(tables.scorecards)
register.simple_tag(tables.timeline)
register.simple_tag(tables.deadline_items)
register.simple_tag(tables.evidence_items)
register.simple_tag(tables.update_items)
register.simple_tag(tables.report_paragraphs)
