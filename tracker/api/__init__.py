"""The read API under /api/v1/ (Django REST framework, OpenAPI by drf-spectacular).

- serializers: what each resource shows: public data only
- views: read-only endpoints; commitments and recommendations share the pages' FilterSets
- http: conditional GETs (ETag, Last-Modified) from the page cache's token, the licence
- pagination, throttling, errors: pages with a next link, a limit per address, one error shape
"""
