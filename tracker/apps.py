from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Commitments and progress")
    default = True

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker import page_cache, stats, time_zones, worker

        page_cache.connect_signals()
        stats.connect_signals()
        worker.connect_signals()
        user_logged_in.connect(time_zones.remember_zone, dispatch_uid="tracker.time_zone")


class TrackerAdminConfig(admin_apps.AdminConfig):
    """The admin, on the project's own site (two-factor sign-in when required)."""

    default = False
    default_site = "tracker.admin_site.TrackerAdminSite"
