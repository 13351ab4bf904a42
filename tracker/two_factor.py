"""Two-factor sign-in when settings.REQUIRE_2FA is on: someone without an authenticator
yet signs in with their password once, enrols their own app (a QR code to scan, a code to
confirm it) and gets recovery codes, each good once where the app is not at hand. Until
then, and for anyone signed in without a verified device, only the enrolment page opens.
"""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
# Where someone signed in but not verified may still go.
OPEN_PATHS = ("/account/two-factor/", "/admin/logout/", "/static/")


class SignInForm(OTPAdminAuthenticationForm):
    """The admin's sign-in: password and a one-time code; the password alone for someone
    who has no authenticator yet, who is then sent to enrol one."""

    def clean_otp(self, user):
        if user is not None and not user_has_device(user):
            return
        super().clean_otp(user)


def needs_enrolment(user) -> bool:
    return settings.REQUIRE_2FA and user.is_authenticated and not user.is_verified()


class RequireVerifiedMiddleware:
    """With REQUIRE_2FA, a signed-in person who is not verified reaches nothing but the
    enrolment page (no authenticator yet) or the sign-in page (one to use)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_enrolment(request.user) and not request.path.startswith(OPEN_PATHS):
            signed_area = request.path.startswith(("/admin/", "/report/", "/review/", "/start/"))
            if signed_area and not request.path.startswith("/admin/login/"):
                if user_has_device(request.user):
                    return redirect(f"{reverse('admin:login')}?next={request.path}")
                return redirect("tracker:enrol_two_factor")
        return self.get_response(request)


class ConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("The 6-digit code your app shows"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan, type the code it shows, get recovery codes."""
    if not settings.REQUIRE_2FA or user_has_device(request.user):
        return redirect("tracker:start")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=gettext("Authenticator app"), confirmed=False
        )
    form = ConfirmForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            request.session["recovery_codes"] = _new_recovery_codes(request.user)
            return redirect("tracker:recovery_codes")
        form.add_error("token", _("That code is not the one your app shows now. Try again."))
    context = {
        "form": form,
        "qr": mark_safe(_qr_svg(device.config_url)),  # made here, from our own URL
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "tracker/reporting/two_factor.html", context)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    # Named in the language of the enrolment: the sign-in page lists the devices by name.
    device = StaticDevice.objects.create(user=user, name=gettext("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once, right after enrolment."""
    codes = request.session.pop("recovery_codes", None)
    if not codes:
        return redirect("tracker:start")
    return render(request, "tracker/reporting/recovery_codes.html", {"codes": codes})
