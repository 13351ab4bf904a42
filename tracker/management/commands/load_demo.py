from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.demo import create_demo_data

SHIPPED_REPORTS = settings.BASE_DIR / "consultations" / "reports"


class Command(BaseCommand):
    help = "Load the shipped report(s) and the demo accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Create the demo accounts even when DEBUG is off.",
        )

    def handle(self, *args, allow_production: bool, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "The demo accounts have published passwords; refusing to create them with "
                "DEBUG off. Pass --allow-production to do it anyway."
            )
        for report in sorted(SHIPPED_REPORTS.glob("*.txt")):
            call_command("import_report", report, stdout=self.stdout, stderr=self.stderr)
        for line in create_demo_data():
            self.stdout.write(line)
