import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Give a user an authenticator-app (TOTP) device for two-factor sign-in, and print "
        "the QR code to scan. Needed for everyone who uses the admin when REQUIRE_2FA is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Authenticator app")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        code = qrcode.QRCode(border=1)
        code.add_data(device.config_url)
        code.print_ascii(out=self.stdout, invert=True)
        self.stdout.write(f"\n{device.config_url}\n")
        self.stdout.write(
            f"Scan this with an authenticator app on {username}'s phone; the 6-digit code "
            "it shows is asked for at sign-in."
        )
