"""Following a country or a recommendation by email.

A visitor gives an address on the country's or recommendation's page; a confirmation email
(double opt-in) activates it; then at most one digest a day lists the updates accepted
since the last one (`manage.py send_digests`, run daily, which also deletes addresses never
confirmed after FOLLOW_UNCONFIRMED_DAYS). Every email carries a link to stop, and the
List-Unsubscribe headers for a mail client's own button (RFC 8058); stopping deletes the
address. The form answers the same whether or not the address already follows, and asking
again sends no second email while the first is fresh.

- service: asking, confirming, stopping, the digests
- mail: the emails themselves
- views, forms: the pages
"""
