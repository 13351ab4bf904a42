"""The tracking admin, one module per concern. Every ModelAdmin here scopes and decides
through tracker.permissions; every change of a progress update's review state goes through
tracker.review.

- scoping: what every tracking admin shares (lists, forms, inlines, actions and history
  show only what the user may see; anything else is not found or refused)
- commitments: a commitment's page, with its updates, evidence and deadlines
- updates: progress updates, written by focal points
- review_actions: accepting, returning and withdrawing updates
- records: evidence and deadlines on their own pages
- countries: countries and their focal points; recommendations assigned to countries
- people: network staff and focal points, and their roles
- rounds: reporting rounds, who has reported since one opened, reminders
- spreadsheets: progress as a spreadsheet, downloaded and uploaded
- site_texts: pages of text staff write, such as "How this tracker works"
- tokens: focal points' personal API tokens for their national systems
- subscriptions: addresses following a country or recommendation by email (staff only)
- emails: the outbox, every email written and whether it went out (staff only)
"""

from tracker.admin import (
    commitments,
    countries,
    emails,
    people,
    records,
    rounds,
    site_texts,
    subscriptions,
    tokens,
    updates,
)

__all__ = [
    "commitments",
    "countries",
    "emails",
    "people",
    "records",
    "rounds",
    "site_texts",
    "subscriptions",
    "tokens",
    "updates",
]
