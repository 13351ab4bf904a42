from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consultations.importer import import_report_file
from consultations.models import Consultation
from consultations.report_parser import ReportError
from consultations.revisions import FOLLOW, KEEP, ChoicesNeeded


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
        parser.add_argument(
            "--keep",
            metavar="CODE",
            action="append",
            default=[],
            help=(
                "For a recommendation whose text this version changes or moves: keep its code "
                "at its paragraph number, with the new text there (repeat, or separate codes "
                "with commas)."
            ),
        )
        parser.add_argument(
            "--follow",
            metavar="CODE",
            action="append",
            default=[],
            help=(
                "For such a recommendation: follow its text to its new paragraph number, its "
                "tracking with it (or, if its text is gone, keep it as no longer current)."
            ),
        )

    def handle(self, *args, path: Path, dry_run: bool, consultation: str | None, **options):
        choices = {
            code.strip(): choice
            for choice in (KEEP, FOLLOW)
            for given in options[choice]
            for code in given.split(",")
            if code.strip()
        }
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
                data, source_name=path.name, dry_run=dry_run, consultation=target, choices=choices
            )
        except ChoicesNeeded as refusal:
            for flag in refusal.flags:
                self.stderr.write(f"  {flag.describe()}")
                for choice, option in ((KEEP, "--keep"), (FOLLOW, "--follow")):
                    self.stderr.write(f"    {option} {flag.code}: {flag.outcome(choice)}")
            raise CommandError(f"{path}: {refusal}; nothing was saved.") from refusal
        except ReportError as error:
            raise CommandError(f"{path}, {error}") from error
        unknown = sorted(set(choices) - {flag.code for flag in result.flags})
        if unknown:
            self.stderr.write(
                self.style.WARNING(
                    f"warning: {', '.join(unknown)}: no choice was needed for these codes"
                )
            )
        for flag in result.flags:
            self.stdout.write(f"  {flag.describe()}")
        unchosen = [flag.code for flag in result.flags if flag.code not in choices]
        if unchosen:
            self.stdout.write(
                f"Choose for {', '.join(unchosen)}: --keep CODE or --follow CODE "
                "(the changes below are those of --follow)."
            )

        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        for change in result.changes:
            self.stdout.write(f"  {change}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
