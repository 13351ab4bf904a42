from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consultations.importer import import_report_file
from consultations.models import Consultation
from consultations.report_parser import ReportError


class Command(BaseCommand):
    help = "Import a consultation summary report (plain text), or update it in place."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The report, as a text file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; save nothing."
        )
        parser.add_argument(
            "--consultation",
            metavar="CODE",
            help="Update this consultation (by code) instead of matching by date and title.",
        )

    def handle(self, *args, path: Path, dry_run: bool, consultation: str | None, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        target = None
        if consultation:
            target = Consultation.objects.filter(code=consultation).first()
            if target is None:
                raise CommandError(f"No consultation has the code {consultation}.")
        try:
            result = import_report_file(
                data, source_name=path.name, dry_run=dry_run, consultation=target
            )
        except ReportError as error:
            raise CommandError(f"{path}, {error}") from error

        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        for change in result.changes:
            self.stdout.write(f"  {change}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
