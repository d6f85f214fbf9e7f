from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import demo_diary, guards, scheduling, sections, text
        from .models import (
            Addendum,
            Appointment,
            ContactAttempt,
            EpisodeOfCare,
            Patient,
            TimeOff,
            Visit,
            WorkingBreak,
            WorkingHours,
        )
        from .seeding import demo_seeders
        from .signals import visit_signing

        # First, so that every save (audit log entries too) stores its text without NUL.
        text.connect()
        for model in (Patient, EpisodeOfCare, Visit, Addendum, Appointment, ContactAttempt):
            auditlog.register(model)
        # Who changed when the physios can be booked: hours, breaks and time off.
        for model in (WorkingHours, WorkingBreak, TimeOff):
            auditlog.register(model)
        guards.connect()
        sections.register_clinic_sections()
        sections.register_diary_sections()
        demo_seeders.register("diary", demo_diary.seed_diary, order=30)
        visit_signing.connect(
            scheduling.mark_attended_on_signing,
            sender=Visit,
            dispatch_uid="clinic.scheduling.mark_attended_on_signing",
        )
