"""Background work: appointment reminders by email, through Django's tasks framework.

`enqueue_due_reminders()` (run every few minutes by `manage.py enqueue_reminders`) queues
one `send_appointment_reminder` task per booked appointment that starts within
APPOINTMENT_REMINDER_HOURS; a worker (`manage.py db_worker`) sends them. The task claims
the appointment with a conditional UPDATE before sending, so however often an appointment
is queued, and however many workers run, its reminder goes once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Appointment, AppointmentStatus


def due_reminders(now: datetime | None = None):
    """Booked appointments whose reminder is due and may be sent."""
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            start__gt=now,
            start__lte=now + timedelta(hours=settings.APPOINTMENT_REMINDER_HOURS),
            patient__contact_consent=True,
        )
        .exclude(patient__email="")
        .order_by("start")
    )


def enqueue_due_reminders(now: datetime | None = None) -> int:
    ids = list(due_reminders(now).values_list("pk", flat=True))
    for appointment_id in ids:
        send_appointment_reminder.enqueue(appointment_id)
    return len(ids)


@task()
def send_appointment_reminder(appointment_id: int) -> bool:
    """Send one reminder; False when there is nothing (more) to send."""
    appointment = (
        Appointment.objects.select_related("patient", "practitioner")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not appointment.patient.contact_consent:
        return False
    if not appointment.patient.email:
        return False
    now = timezone.now()
    # The claim: only one UPDATE can move reminder_sent_at from NULL, and only while the
    # appointment is still booked and ahead (a cancellation in between wins).
    with transaction.atomic():
        claimed = Appointment.objects.filter(
            pk=appointment_id,
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            start__gt=now,
        ).update(reminder_sent_at=now)
    if not claimed:
        return False
    try:
        send_mail(
            subject=f"Reminder: your appointment on {_when(appointment)}",
            message=reminder_text(appointment),
            from_email=None,
            recipient_list=[appointment.patient.email],
        )
    except Exception:
        # Not sent: release the claim so a later run tries again.
        Appointment.objects.filter(pk=appointment_id, reminder_sent_at=now).update(
            reminder_sent_at=None
        )
        raise
    return True


def _when(appointment: Appointment) -> str:
    return f"{timezone.localtime(appointment.start):%A %-d %B at %H:%M}"


def reminder_text(appointment: Appointment) -> str:
    # Only what the patient needs to turn up: nothing clinical goes by email.
    physio = appointment.practitioner.get_full_name() or "your physiotherapist"
    phone = f" on {settings.CLINIC_PHONE}" if settings.CLINIC_PHONE else ""
    return (
        f"Dear {appointment.patient.given_name},\n\n"
        f"This is a reminder of your appointment with {physio} at {settings.CLINIC_NAME} "
        f"on {_when(appointment)}.\n\n"
        f"If you cannot come, please let us know{phone} so we can offer the time to "
        f"someone else.\n\n{settings.CLINIC_NAME}\n"
    )
