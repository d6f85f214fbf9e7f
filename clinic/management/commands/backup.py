"""`manage.py backup --output FILE`: the clinic's records, users, roles and audit log as
a JSON fixture that `manage.py restore` loads into a new database."""

import gzip
import sys
from collections import Counter
from collections.abc import Iterator
from itertools import chain

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from clinic.backup import SUFFIXES, BackupSerializer, backed_up_models, rows_to_back_up


class Command(BaseCommand):
    help = (
        "Write the clinic's records (patients, episodes, visits, assessments, treatments, "
        "the diary), the users and their roles, and the audit log to a JSON file that "
        "`manage.py restore` loads into a new database. Add .gz to the name to compress it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            required=True,
            help="The file to write, ending in .json or .json.gz ('-' for standard output).",
        )

    def handle(self, *args, output: str, verbosity: int, **options) -> None:
        if output != "-" and not output.endswith(SUFFIXES):
            raise CommandError("Name the backup file with .json or .json.gz at the end.")
        counts: Counter[str] = Counter()
        # One snapshot of every table: a consistent backup while the clinic works on. On
        # SQLite the transaction holds the write lock, so saves wait until it is written.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            rows = chain.from_iterable(_counted(model, counts) for model in backed_up_models())
            if output == "-":
                self._write(rows, sys.stdout)
            else:
                opener = gzip.open if output.endswith(".gz") else open
                try:
                    with opener(output, "wt", encoding="utf-8") as stream:
                        self._write(rows, stream)
                except OSError as error:
                    raise CommandError(f"Could not write {output}: {error}") from error
        if verbosity and output != "-":
            total = sum(counts.values())
            self.stdout.write(self.style.SUCCESS(f"Backed up {total:,} rows to {output}:"))
            for label, count in counts.items():
                self.stdout.write(f"  {count:>9,}  {label}")

    @staticmethod
    def _write(rows: Iterator[models.Model], stream) -> None:
        BackupSerializer().serialize(rows, stream=stream, use_natural_foreign_keys=True)
        stream.write("\n")


def _counted(model: type[models.Model], counts: Counter[str]) -> Iterator[models.Model]:
    label = str(model._meta.verbose_name_plural)
    counts[label] += 0  # listed even when empty
    for row in rows_to_back_up(model):
        counts[label] += 1
        yield row
