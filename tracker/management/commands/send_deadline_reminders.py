from django.core.management.base import BaseCommand

from tracker.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Email each focal point the open deadlines of their countries that fall due within "
        "N days or are overdue. Run daily; a second run the same day sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14, help="Look ahead this many days.")

    def handle(self, *args, days: int, **options):
        sent = send_deadline_reminders(days=days)
        self.stdout.write(f"Sent {len(sent)} reminder email(s).")
        for email, count in sent:
            self.stdout.write(f"  {email}: {count} deadline(s)")
