"""The admin site: read-only history pages, and two-factor sign-in (TOTP) for everyone when
settings.REQUIRE_2FA is on."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_otp.admin import OTPAdminSite


class TrackerAdminSite(AdminSite):
    site_header = _("GCM Tracker administration")
    site_title = _("GCM Tracker")
    index_title = _("Reports and their follow-up")

    @property
    def login_form(self):
        from tracker.two_factor import SignInForm

        return SignInForm if settings.REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.REQUIRE_2FA else None

    def admin_view(self, view, cacheable=False):
        # History pages are for reading, for every model on the site: a past version is
        # never saved back through them (simple-history's version page accepts a POST).
        if getattr(view, "__name__", "") in ("history_view", "history_form_view"):
            view = require_safe(view)
        return super().admin_view(view, cacheable)

    def has_permission(self, request):
        # Without a verified device, a signed-in user is treated as having no admin access.
        verified = not settings.REQUIRE_2FA or request.user.is_verified()
        return super().has_permission(request) and verified
