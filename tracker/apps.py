from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Tracking")
    default = True

    def ready(self) -> None:
        from tracker import page_cache

        page_cache.connect_signals()


class TrackerAdminConfig(admin_apps.AdminConfig):
    """The admin, on the project's own site (two-factor sign-in when required)."""

    default = False
    default_site = "tracker.admin_site.TrackerAdminSite"
