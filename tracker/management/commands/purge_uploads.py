from django.core.management.base import BaseCommand

from tracker import uploads


class Command(BaseCommand):
    help = (
        "Remove spreadsheet uploads left unconfirmed for more than an hour. Every new "
        "preview does this too; run it hourly so that nothing waits for the next upload."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Removed {uploads.purge()} expired upload(s).")
