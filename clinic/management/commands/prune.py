"""`manage.py prune`: clear expired sessions, old task results and old login records."""

import time

from django.core.management.base import BaseCommand, CommandParser

from clinic.housekeeping import prune


class Command(BaseCommand):
    help = (
        "Remove expired sessions, finished task results older than TASK_RESULTS_KEEP_DAYS "
        "and login records older than LOGIN_RECORDS_KEEP_DAYS (never the audit log or a "
        "record). Run it daily from cron, or with --every to keep it going."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; remove nothing."
        )
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, pruning every SECONDS seconds (e.g. 86400: daily).",
        )

    def handle(self, *args, dry_run: bool, every: int | None, verbosity: int, **options) -> None:
        while True:
            for pruned in prune(dry_run=dry_run):
                if verbosity > 0:
                    self.stdout.write(pruned.describe(dry_run=dry_run))
            if not every:
                return
            time.sleep(every)
