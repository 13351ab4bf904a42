from django.core.management.base import BaseCommand

from tracker.following import service


class Command(BaseCommand):
    help = (
        "Email each confirmed follower the progress accepted on what they follow since their "
        "last digest, and delete addresses never confirmed. Run daily; a second run the same "
        "day sends nothing twice."
    )

    def handle(self, *args, **options):
        sent = service.send_digests()
        deleted = service.delete_unconfirmed()
        self.stdout.write(f"Sent {sent} digest(s); deleted {deleted} unconfirmed address(es).")
