"""Saving rows so that a refusal reaches the user as a message, never as a server error:
the model's own rules raised as a domain error, the database's one-per constraints
answered with the row that won."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .host import ClinicError

M = TypeVar("M", bound=models.Model)


def validated(
    instance: models.Model, *, error: type[Exception] | None = None, **checks: bool
) -> None:
    """`full_clean()`, with the model's own rules (date ranges, one-line fields, lengths)
    raised as a domain error (ClinicError unless told) whose message the user can read:
    a form that did not check a rule still gets a refusal, never a server error.

    `checks` are full_clean()'s (validate_unique=False where the database's refusal of a
    duplicate is answered by the caller)."""
    try:
        instance.full_clean(**checks)
    except ValidationError as invalid:
        messages = " ".join(dict.fromkeys(invalid.messages))
        raise (error or ClinicError)(messages) from invalid


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint the database refused a write for (PostgreSQL says;
    SQLite does not)."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def insert_unless_taken(row: M, *, taken: Callable[[], M | None]) -> M | None:
    """Insert `row`, the first of what the database allows once (an assessment per visit,
    a plan per episode...): None once inserted, or the row `taken()` finds instead.

    The callers serialise first saves on the parent's row lock, so this normally just
    inserts. Should a writer that does not take that lock have inserted the row meanwhile,
    the database refuses ours (its one-per constraint); the savepoint keeps the
    transaction usable, and the row that won is returned for the caller to answer as it
    answers a clash with a later edit: told who saved, never a 500."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        winner = taken()
        if winner is None:
            raise
        return winner
    return None
