"""Django's `flush`, with the database guards on signed records lifted while it empties the
tables (`assessments.triggers`): on SQLite it deletes each table's rows with DELETE FROM, which
the guards refuse for a signed visit's records. The test suite flushes after every
transactional test; PostgreSQL's TRUNCATE fires no row trigger, but the command is the
same there."""

from django.core.management.commands import flush
from django.db import connections

from ...triggers import unguarded


class Command(flush.Command):
    def handle(self, **options) -> None:
        database = options["database"]
        # Asked here, before the guards are lifted: the question must not hold the
        # transaction (and SQLite's write lock) open while it waits for an answer.
        if options["interactive"] and not self._confirmed(connections[database]):
            self.stdout.write("Flush cancelled.")
            return
        with unguarded(reason="flush", using=database):
            super().handle(**{**options, "interactive": False})

    def _confirmed(self, connection) -> bool:
        answer = input(
            f"You have requested a flush of the database.\n"
            f'This will IRREVERSIBLY DESTROY all data currently in the "{connection.settings_dict["NAME"]}" '
            "database,\nand return each table to an empty state.\n"
            "Are you sure you want to do this?\n\n"
            "    Type 'yes' to continue, or 'no' to cancel: "
        )
        return answer == "yes"
