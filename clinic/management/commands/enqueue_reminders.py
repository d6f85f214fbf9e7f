import time

from django.core.management.base import BaseCommand

from clinic.tasks import enqueue_due_reminders


class Command(BaseCommand):
    help = (
        "Queue the appointment reminders that are due (the worker, `manage.py db_worker`, "
        "sends them). Run it from cron every few minutes, or with --every to keep it going."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, queueing due reminders every SECONDS seconds.",
        )

    def handle(self, *args, every: int | None = None, **options):
        while True:
            queued = enqueue_due_reminders()
            if options["verbosity"] > 0:
                self.stdout.write(f"Queued {queued} reminder(s).")
            if not every:
                return
            time.sleep(every)
