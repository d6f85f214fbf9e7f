"""Clearing what only grows and holds nothing clinical (`manage.py prune`, run daily).

- Expired sessions: Django never deletes them itself (`clearsessions` does).
- Finished results of background tasks (the reminders' outcomes) older than
  `TASK_RESULTS_KEEP_DAYS`: the queue keeps every one. Tasks waiting or running stay.
- django-axes' login records (successful logins, and failures if recorded) older than
  `LOGIN_RECORDS_KEEP_DAYS`, and failed-login counters whose lockout is over: counters
  still locking a login stay, for the Clinic admin to see and clear.

Never the audit log, the patients or their records: those are kept, whatever their age.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@dataclass(frozen=True)
class Pruned:
    """How many rows of one kind were (or, in a dry run, would be) removed."""

    count: int
    what: str  # "expired session", "task result" ...
    detail: str = ""  # "finished more than 30 days ago"

    def describe(self, *, dry_run: bool) -> str:
        noun = self.what if self.count == 1 else f"{self.what}s"
        verb = "Would remove" if dry_run else "Removed"
        return " ".join(filter(None, [verb, f"{self.count:,}", noun, self.detail])) + "."


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days:,} days"


def _remove(queryset: models.QuerySet, *, dry_run: bool) -> int:
    if dry_run:
        return queryset.count()
    # Counted by model: a delete also reports what cascaded with it.
    _total, by_model = queryset.delete()
    return by_model.get(queryset.model._meta.label, 0)


def expired_sessions(now: datetime, *, dry_run: bool) -> Pruned | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        # Sessions in the cache (or Redis) expire there by themselves.
        if not dry_run:
            store.clear_expired()
        return None
    expired = store.get_model_class().objects.filter(expire_date__lt=now)
    return Pruned(_remove(expired, dry_run=dry_run), "expired session")


def old_task_results(now: datetime, *, dry_run: bool) -> Pruned:
    days = settings.TASK_RESULTS_KEEP_DAYS
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=now - timedelta(days=days))
    return Pruned(
        _remove(finished, dry_run=dry_run), "task result", f"finished more than {_days(days)} ago"
    )


def old_login_records(now: datetime, *, dry_run: bool) -> Pruned:
    days = settings.LOGIN_RECORDS_KEEP_DAYS
    before = now - timedelta(days=days)
    count = sum(
        _remove(model.objects.filter(attempt_time__lt=before), dry_run=dry_run)
        for model in (AccessLog, AccessFailureLog)
    )
    return Pruned(count, "login record", f"older than {_days(days)}")


def expired_lockouts(now: datetime, *, dry_run: bool) -> Pruned | None:
    cool_off = settings.AXES_COOLOFF_TIME
    if not isinstance(cool_off, timedelta):
        return None  # no cool-off: a lockout lasts until the Clinic admin clears it
    over = AccessAttempt.objects.filter(attempt_time__lt=now - cool_off)
    return Pruned(_remove(over, dry_run=dry_run), "expired login lockout")


PRUNERS: tuple[Callable[..., Pruned | None], ...] = (
    expired_sessions,
    old_task_results,
    old_login_records,
    expired_lockouts,
)


def prune(*, dry_run: bool = False, now: datetime | None = None) -> list[Pruned]:
    """Remove (or, with `dry_run`, count) each kind of row above."""
    now = now or timezone.now()
    return [pruned for pruner in PRUNERS if (pruned := pruner(now, dry_run=dry_run))]
