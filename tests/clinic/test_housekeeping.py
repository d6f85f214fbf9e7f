"""`manage.py prune` clears what only grows and holds nothing clinical: expired sessions,
old finished task results and old login records; never the audit log or a record."""

from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic import tasks
from clinic.models import Patient

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["user"] = "someone"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def _task_result(*, status: str, finished_days_ago: float | None) -> DBTaskResult:
    result = tasks.send_appointment_reminder.enqueue(1)
    finished = None if finished_days_ago is None else timezone.now() - finished_days_ago * DAY
    DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished)
    return DBTaskResult.objects.get(pk=result.id)


def _login_record(days_ago: float, model=AccessLog, username="physio", **fields):
    row = model.objects.create(
        user_agent="Firefox", ip_address="192.0.2.1", username=username, http_accept="*/*",
        path_info="/login/", **fields,
    )  # fmt: skip
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - days_ago * DAY)
    return row


@pytest.fixture
def clutter():
    return {
        "expired session": _session(-DAY),
        "live session": _session(DAY),
        "old result": _task_result(status="SUCCESSFUL", finished_days_ago=31),
        "old failure": _task_result(status="FAILED", finished_days_ago=40),
        "recent result": _task_result(status="SUCCESSFUL", finished_days_ago=2),
        "queued long ago": _task_result(status="READY", finished_days_ago=None),
        "old login": _login_record(400),
        "recent login": _login_record(20),
        "expired lockout": _login_record(
            1, AccessAttempt, "physio", get_data="", post_data="", failures_since_start=5
        ),
        "current lockout": _login_record(
            0, AccessAttempt, "physio2", get_data="", post_data="", failures_since_start=5
        ),
    }


def _prune(*args) -> str:
    out = StringIO()
    call_command("prune", *args, stdout=out)
    return out.getvalue()


def test_prune_removes_what_is_old_and_keeps_what_is_fresh(clutter):
    output = _prune()

    assert list(Session.objects.values_list("session_key", flat=True)) == [clutter["live session"]]
    kept = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert kept == {clutter["recent result"].pk, clutter["queued long ago"].pk}
    assert list(AccessLog.objects.all()) == [clutter["recent login"]]
    assert list(AccessAttempt.objects.all()) == [clutter["current lockout"]]
    assert "Removed 1 expired session" in output
    assert "Removed 2 task results finished more than 30 days ago" in output
    assert "Removed 1 login record older than 365 days" in output
    assert "Removed 1 expired login lockout" in output


def test_a_dry_run_says_what_it_would_remove_and_removes_nothing(clutter):
    output = _prune("--dry-run")

    assert "Would remove 1 expired session" in output
    assert "Would remove 2 task results finished more than 30 days ago" in output
    assert Session.objects.count() == 2
    assert DBTaskResult.objects.count() == 4
    assert AccessLog.objects.count() == 2 and AccessAttempt.objects.count() == 2


def test_how_long_results_and_login_records_are_kept_is_a_setting(clutter, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 1
    settings.LOGIN_RECORDS_KEEP_DAYS = 10
    output = _prune()
    assert "Removed 3 task results finished more than 1 day ago" in output
    assert "Removed 2 login records older than 10 days" in output
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"READY"}


def test_the_audit_log_and_the_records_are_never_pruned(clutter, patient):
    LogEntry.objects.update(timestamp=timezone.now() - 3650 * DAY)
    entries = LogEntry.objects.count()
    assert entries
    _prune()
    assert LogEntry.objects.count() == entries
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_every_keeps_pruning_until_stopped(clutter, monkeypatch):
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        _session(-DAY)  # another session expires meanwhile
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("clinic.management.commands.prune.time.sleep", sleep)
    with pytest.raises(KeyboardInterrupt):
        _prune("--every", "3600")
    assert naps == [3600, 3600]
    assert Session.objects.filter(expire_date__lt=timezone.now()).count() == 1  # the last
