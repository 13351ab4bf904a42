from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from tracker import views

admin.site.site_header = _("GCM Tracker administration")
admin.site.site_title = _("GCM Tracker")
admin.site.index_title = _("Reports and their follow-up")

tracker_patterns = [
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg")),
    path("", include((tracker_patterns, "tracker"))),
    path("", include("consultations.urls")),
]
