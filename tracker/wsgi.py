import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URLs: some 140,000 objects) lives as long
# as the process. Frozen, it is left out of the garbage collector's full passes, which
# walked all of it every few hundred requests (57 ms a pass, in the middle of a request).
get_resolver().url_patterns  # noqa: B018 (loaded now, not at the first request)
gc.freeze()
