"""Email reminders: due a configurable time before, sent once, never when they should not."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from clinic import scheduling, tasks
from clinic.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def soon(physio, patient):
    """Booked for three hours from now: inside the default 24-hour window."""
    start = timezone.now() + datetime.timedelta(hours=3)
    return AppointmentFactory(
        practitioner=physio, patient=patient, start=start, end=start + datetime.timedelta(hours=1)
    )


def test_an_appointment_within_the_window_is_due(soon):
    assert list(tasks.due_reminders()) == [soon]


@pytest.mark.parametrize(
    "change",
    [
        {"status": "cancelled", "cancel_reason": "Unwell"},
        {"status": "arrived"},
        {"status": "no_show"},
        {"reminder_sent_at": timezone.now()},
    ],
)
def test_only_booked_appointments_without_a_reminder_are_due(soon, change):
    Appointment.objects.filter(pk=soon.pk).update(**change)
    assert not tasks.due_reminders().exists()


def test_not_to_patients_who_did_not_consent_or_have_no_email(soon):
    soon.patient.contact_consent = False
    soon.patient.save()
    assert not tasks.due_reminders().exists()
    assert tasks.send_appointment_reminder.call(soon.pk) is False
    soon.patient.contact_consent = True
    soon.patient.email = ""
    soon.patient.save()
    assert not tasks.due_reminders().exists()
    assert mail.outbox == []


def test_the_window_is_configurable(soon, settings):
    later = AppointmentFactory(
        practitioner=soon.practitioner,
        patient=PatientFactory(),
        start=timezone.now() + datetime.timedelta(hours=30),
    )
    assert list(tasks.due_reminders()) == [soon]
    settings.APPOINTMENT_REMINDER_HOURS = 48
    assert list(tasks.due_reminders()) == [soon, later]
    settings.APPOINTMENT_REMINDER_HOURS = 2
    assert list(tasks.due_reminders()) == []


def test_the_reminder_is_sent_once_however_often_it_runs(soon, settings):
    settings.TASKS = IMMEDIATE
    settings.CLINIC_NAME = "Riverside Physio"
    assert tasks.enqueue_due_reminders() == 1
    assert tasks.enqueue_due_reminders() == 0
    assert tasks.send_appointment_reminder.call(soon.pk) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [soon.patient.email]
    assert "Riverside Physio" in message.body and "Priya Shah" in message.body
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


def test_a_reminder_queued_twice_is_still_sent_once(soon):
    # Two queued tasks for one appointment (the command ran twice before the worker).
    assert tasks.send_appointment_reminder.call(soon.pk) is True
    assert tasks.send_appointment_reminder.call(soon.pk) is False
    assert len(mail.outbox) == 1


def test_a_cancellation_after_queueing_wins(soon):
    scheduling.cancel(appointment=soon, reason="Patient rang")
    assert tasks.send_appointment_reminder.call(soon.pk) is False
    assert mail.outbox == []


def test_the_email_says_nothing_clinical(soon, visit):
    visit.notes = "MARKER-clinical"
    visit.save()
    tasks.send_appointment_reminder.call(soon.pk)
    body = mail.outbox[0].body + mail.outbox[0].subject
    assert "MARKER-clinical" not in body and "buttock" not in body.lower()


def test_a_failed_send_is_tried_again_later(soon):
    with (
        mock.patch.object(tasks, "send_mail", side_effect=OSError("SMTP down")),
        pytest.raises(OSError),
    ):
        tasks.send_appointment_reminder.call(soon.pk)
    soon.refresh_from_db()
    assert soon.reminder_sent_at is None
    assert tasks.send_appointment_reminder.call(soon.pk) is True


def test_the_command_queues_due_reminders_in_the_database_queue(soon):
    from django_tasks_db.models import DBTaskResult

    call_command("enqueue_reminders", verbosity=0)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "clinic.tasks.send_appointment_reminder"
    assert queued.args_kwargs == {"args": [soon.pk], "kwargs": {}}
    assert mail.outbox == []  # the worker sends it, not the command
