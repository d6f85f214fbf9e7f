"""Doing things at the same moment, as two front desks or two physios do: each attempt in
its own thread, with its own database connection and committed transactions (tests use
`django_db(transaction=True, serialized_rollback=True)` and `migrated_data_restored`),
all released together. Works on SQLite (a file: see settings) and PostgreSQL alike."""

import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.contrib.auth.models import Group
from django.db import connection

from clinic.roles import PHYSIOTHERAPIST
from tests.factories import UserFactory

T = TypeVar("T")


def at_once(attempts: Sequence[Callable[[], T]]) -> list[T | Exception]:
    """Run the attempts together; each outcome is what the attempt returned, or the
    exception it raised (for the test to assert on, rather than lose in a thread)."""
    barrier = threading.Barrier(len(attempts))

    def run(attempt: Callable[[], T]) -> T | Exception:
        try:
            barrier.wait(timeout=10)
            return attempt()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def physios(count: int) -> list:
    """`count` physiotherapists, with names a refusal can be checked for."""
    role = Group.objects.get(name=PHYSIOTHERAPIST)
    users = [
        UserFactory(username=f"racing-physio-{n}", first_name=f"Physio{n}", last_name="Racer")
        for n in range(count)
    ]
    for user in users:
        user.groups.add(role)
    return users


def form_value(page: str, name: str) -> str:
    """The value of the form's hidden input `name` in a rendered page, as a browser would
    post it back."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, f"no {name} input in the page"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""
