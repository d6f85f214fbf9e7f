"""`manage.py restore FILE`: load a backup made by `manage.py backup` into a new database
that has been migrated and has nothing in it yet."""

from pathlib import Path

from auditlog.context import disable_auditlog
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from assessments.host import data_restored
from assessments.triggers import unguarded
from clinic.backup import SUFFIXES, backed_up_models, non_empty_tables


class Command(BaseCommand):
    help = (
        "Load a backup made by `manage.py backup` into a new, migrated, empty database "
        "(create it, run `manage.py migrate`, then restore). Refuses a database that has "
        "records or users already: a restore never mixes two clinics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The backup file (.json or .json.gz).")

    def handle(self, *args, file: str, verbosity: int, **options) -> None:
        path = Path(file)
        if not path.name.endswith(SUFFIXES):
            raise CommandError(f"{path} is not a backup: its name should end in .json or .json.gz.")
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "The database is not fully migrated: run `manage.py migrate`, then restore. "
                "Nothing was changed."
            )
        with transaction.atomic():
            occupied = non_empty_tables()
            if occupied:
                found = ", ".join(f"{count:,} {label}" for label, count in occupied.items())
                raise CommandError(
                    f"This database is not empty (it has {found}). Restore only into a new "
                    "database: create it, run `manage.py migrate`, then restore. "
                    "Nothing was changed."
                )
            # The audit log comes from the backup, as it was: loading adds no entries. The
            # database's guards would refuse the records of the signed visits loaded just
            # before them: the whole clinic goes back as it was, in this transaction only.
            with disable_auditlog(), unguarded(reason="restore"):
                call_command("loaddata", str(path.resolve()), verbosity=0)
                data_restored.send(sender=self.__class__)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Restored {path}:"))
            for model in backed_up_models():
                count = model._default_manager.count()
                self.stdout.write(f"  {count:>9,}  {model._meta.verbose_name_plural}")
