from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from tracker import calendars, two_factor, views
from tracker.feeds import AcceptedUpdatesFeed
from tracker.following import views as following
from tracker.page_cache import public_page
from tracker.reporting import views as reporting

tracker_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("how-it-works/", views.how_it_works, name="how_it_works"),
    path("progress/", views.progress_table, name="progress_table"),
    re_path(
        r"^progress/export\.(?P<fmt>csv|xlsx|json)$",
        views.progress_export,
        name="progress_export",
    ),
    path("progress/matrix.xlsx", views.progress_matrix, name="progress_matrix"),
    path("downloads/<str:key>/", views.download, name="download"),
    path("downloads/<str:key>/file", views.download_file, name="download_file"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/<str:code>/",
        views.recommendation_detail,
        name="recommendation_detail",
    ),
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:iso>/", views.country_detail, name="country_detail"),
    re_path(
        r"^countries/(?P<iso>[^/]+)/brief\.(?P<fmt>pdf|docx)$",
        views.country_brief,
        name="country_brief",
    ),
    re_path(
        r"^recommendations/(?P<code>[^/]+)/brief\.(?P<fmt>pdf|docx)$",
        views.recommendation_brief,
        name="recommendation_brief",
    ),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation_detail"),
    path("updates/feed/", public_page(AcceptedUpdatesFeed()), name="update_feed"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    # Following a country or a recommendation by email.
    re_path(
        r"^(?P<kind>countries|recommendations)/(?P<key>[^/]+)/follow/$",
        following.follow,
        name="follow",
    ),
    path("follow/confirm/<str:key>/", following.confirm, name="follow_confirm"),
    path("follow/stop/<str:key>/", following.stop, name="follow_stop"),
    path("follow/privacy/", following.privacy, name="follow_privacy"),
    # Reporting (focal points) and review (network staff), signed in.
    path("start/", reporting.start, name="start"),
    path("report/", reporting.my_commitments, name="my_commitments"),
    path("report/<int:pk>/", reporting.report_progress, name="report_progress"),
    path("report/updates/<int:pk>/sent/", reporting.report_sent, name="report_sent"),
    path("review/", reporting.review_queue, name="review_queue"),
    path("review/<int:pk>/", reporting.review_update, name="review_update"),
    path("account/", reporting.account_settings, name="account_settings"),
    path("account/two-factor/", two_factor.enrol, name="enrol_two_factor"),
    path("account/two-factor/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
]

# Forgotten passwords and invitations: Django's views, with the admin's templates (its
# sign-in page links to the first when the URL is there).
password_patterns = [
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    *password_patterns,
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("calendar/", calendars.choose, name="choose_calendar"),
    path("health/", views.health, name="health"),
    path("api/v1/", include(("tracker.api.urls", "api"))),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg")),
    # The pages in English at their plain addresses, in other languages under a prefix.
    *i18n_patterns(path("", include((tracker_patterns, "tracker"))), prefix_default_language=False),
]
