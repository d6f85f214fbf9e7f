"""Signed records are read-only in the database too: triggers refuse what the models'
guards (`assessments.record_guards` and each app's `guards`) refuse, on the paths that send no signal:
`QuerySet.update()`, `bulk_create`, raw SQL, another program writing to the database.

Each app registers its guards in `AppConfig.ready()` as rows of one table, `Guard(model,
event, refuse_when, message)`, where `refuse_when` is an SQL condition over the row (`OLD`,
`NEW`) that reads the same on SQLite and PostgreSQL. Each row becomes one trigger, BEFORE
that event, FOR EACH ROW:

- SQLite: `WHEN <not lifted> AND (<refuse_when>) BEGIN SELECT RAISE(ABORT, '<message>'); END`
- PostgreSQL: a PL/pgSQL function that raises the message (SQLSTATE 23000), since a
  PostgreSQL trigger's WHEN cannot hold the subqueries the conditions need.

Both raise an IntegrityError whose message starts with `REFUSAL`; `refusal_as_signed_record_error`
(below) turns it into `SignedRecordError` on every connection, so the caller sees the ORM guards' error.

**Installed by `migrate`, not by a migration.** Every migrate that has something to run
drops the triggers first (pre_migrate) and every migrate creates them afresh at the end
(post_migrate, in one transaction). On SQLite Django alters a table by copying it into a
new one and dropping the old: that drops its triggers, and fails outright ("error in
trigger ...: no such table") when another table's trigger reads it, as every guard here
reads the visits. A migration that remade one of these tables would have to drop and
re-create the guards around itself; instead no migration ever meets them (a schema or
data migration may rewrite any row), and the database always has the code's guards.
Nothing is in the migration state, so `makemigrations` has nothing to see.

**Lifting them.** `unguarded()` lets everything through for the rest of the enclosing
transaction, for the commands that load or empty a whole clinic: `restore` (a backup's
signed visits and their records, into an empty database), `flush` (on SQLite it empties
each table with DELETE FROM; the test suite flushes after every transactional test), the
demo seeder and the benchmark's COPY. It inserts a row into `LIFTED_TABLE` and deletes it
before the transaction ends; the triggers let rows through while they can see a row there,
and only the transaction that inserted it ever can (the row is never committed). Whoever
may write to the database can do the same by hand: the guards stop mistakes and careless
code, not the database's owner.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate

from .host import SignedRecordError
from .registry import Registry

REFUSAL = "Signed records cannot be changed"
# Named when these guards were the clinic's own; a database made then has it, so it keeps
# the name (install() creates it if missing; nothing in it outlives a transaction).
LIFTED_TABLE = "clinic_guards_lifted"
EVENTS = ("INSERT", "UPDATE", "DELETE")
VENDORS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Guard:
    """Refuse `event` on `model`'s table when `refuse_when` holds for the row."""

    model: type[models.Model]
    event: str
    refuse_when: str
    message: str

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"A guard is on INSERT, UPDATE or DELETE, not {self.event!r}.")
        if not self.message.startswith(REFUSAL):
            raise ValueError(f"A guard's message starts with {REFUSAL!r}.")

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def name(self) -> str:
        return f"{self.table}_guard_{self.event.lower()}"


class GuardRegistry(Registry[Guard]):
    what = "database guard"

    def key_of(self, guard: Guard) -> str:
        return guard.name

    def sort_key(self, guard: Guard) -> str:
        return guard.name

    def register(self, *guards: Guard) -> None:  # type: ignore[override]
        for guard in guards:
            super().register(guard)


database_guards = GuardRegistry()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_sql(vendor: str, guard: Guard) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {guard.name} BEFORE {guard.event} ON {guard.table} FOR EACH ROW "
            f"WHEN NOT EXISTS (SELECT 1 FROM {LIFTED_TABLE}) AND ({guard.refuse_when}) "
            f"BEGIN SELECT RAISE(ABORT, {_literal(guard.message)}); END"
        ]
    row = "OLD" if guard.event == "DELETE" else "NEW"
    return [
        f"""CREATE FUNCTION {guard.name}() RETURNS trigger LANGUAGE plpgsql AS $guard$
        BEGIN
            IF EXISTS (SELECT 1 FROM {LIFTED_TABLE}) THEN
                RETURN {row};
            END IF;
            IF {guard.refuse_when} THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'integrity_constraint_violation',
                    MESSAGE = {_literal(guard.message)};
            END IF;
            RETURN {row};
        END
        $guard$""",
        f"CREATE TRIGGER {guard.name} BEFORE {guard.event} ON {guard.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {guard.name}()",
    ]


def _drop_sql(vendor: str, guard: Guard, *, table_exists: bool) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {guard.name}"]
    trigger = [f"DROP TRIGGER IF EXISTS {guard.name} ON {guard.table}"] if table_exists else []
    return [*trigger, f"DROP FUNCTION IF EXISTS {guard.name}()"]


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drop every registered guard."""
    if connection.vendor not in VENDORS:
        return
    tables = set(connection.introspection.table_names())
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for guard in database_guards:
            for statement in _drop_sql(
                connection.vendor, guard, table_exists=guard.table in tables
            ):
                cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re-)create every registered guard whose table exists, and the table that lifts
    them; in one transaction, so the database is never half guarded."""
    if connection.vendor not in VENDORS:
        return
    tables = set(connection.introspection.table_names())
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {LIFTED_TABLE} (reason varchar(100) NOT NULL)")
        for guard in database_guards:
            exists = guard.table in tables  # not when migrated part of the way, or backwards
            statements = _drop_sql(connection.vendor, guard, table_exists=exists)
            if exists:
                statements += _create_sql(connection.vendor, guard)
            for statement in statements:
                cursor.execute(statement)


def installed_guards(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the guard triggers the database has."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall() if "_guard_" in name}


def removed_before_migrating(sender, *, using: str, plan=None, **kwargs) -> None:
    """pre_migrate receiver: migrations run without the guards (see the module)."""
    if plan:
        remove(connections[using])


def installed_after_migrating(sender, *, using: str, **kwargs) -> None:
    """post_migrate receiver."""
    install(connections[using])


@contextmanager
def unguarded(*, reason: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the guards for the block, in a transaction of its own (or a savepoint of the
    caller's): for loading or emptying a whole clinic only (see the module)."""
    connection = connections[using]
    if connection.vendor not in VENDORS:
        with transaction.atomic(using=using):
            yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {LIFTED_TABLE}")
            (already_lifted,) = cursor.fetchone()
            if not already_lifted:  # by an enclosing block, which puts them back
                cursor.execute(f"INSERT INTO {LIFTED_TABLE} (reason) VALUES (%s)", [reason])
        yield
        if not already_lifted:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {LIFTED_TABLE}")


def refusal_as_signed_record_error(execute, sql, params, many, context):
    """Execute wrapper on every connection: the database's refusal is raised as the ORM
    guards' `SignedRecordError`, with the database's message."""
    try:
        return execute(sql, params, many, context)
    except IntegrityError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if message.startswith(REFUSAL):
            raise SignedRecordError(message) from error
        raise


def translate_refusals(sender, connection, **kwargs) -> None:
    """connection_created receiver. First in the list, so it wraps every other wrapper
    and `connection.execute_wrapper()` blocks (which pop the last) leave it alone."""
    if refusal_as_signed_record_error not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, refusal_as_signed_record_error)


def connect(app_config) -> None:
    """Install the guards on every migrate and translate their refusals on every
    connection (the plugin's AppConfig.ready(): whichever host it is in)."""
    connection_created.connect(translate_refusals, dispatch_uid="assessments.triggers.translate")
    # Once per migrate (sender: this app), for every app's guards.
    pre_migrate.connect(
        removed_before_migrating,
        sender=app_config,
        dispatch_uid="assessments.triggers.removed_before_migrating",
    )
    post_migrate.connect(
        installed_after_migrating,
        sender=app_config,
        dispatch_uid="assessments.triggers.installed_after_migrating",
    )
