from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from assessments import text
        from assessments.fhir.bundle import FhirContributor, contributors
        from assessments.host import (
            BackedUpApp,
            DemoSeeder,
            backed_up_apps,
            demo_seeders,
            visit_signing,
        )

        from . import accounts, fhir, guards, sections
        from .diary import demo as demo_diary
        from .diary import services as diary_services
        from .models import (
            Addendum,
            Appointment,
            CalendarFeed,
            ContactAttempt,
            EpisodeOfCare,
            LaterAddition,
            Patient,
            TimeOff,
            Visit,
            VisitTakeover,
            WorkingBreak,
            WorkingHours,
        )

        # First, so that every save (audit log entries too) stores its text without NUL.
        text.connect()
        for model in (
            Patient,
            EpisodeOfCare,
            Visit,
            Addendum,
            VisitTakeover,
            LaterAddition,
            Appointment,
            ContactAttempt,
        ):
            auditlog.register(model)
        # Who changed when the physios can be booked: hours, breaks and time off.
        for model in (WorkingHours, WorkingBreak, TimeOff):
            auditlog.register(model)
        # Who turned a calendar feed on, gave it a new address or revoked it; never the
        # token, which is the feed's key.
        auditlog.register(CalendarFeed, exclude_fields=["token", "last_used_at"])
        # Who changed which account, role or role's permissions. A password change is
        # logged as masked (never the hash, nor part of it).
        auditlog.register(
            get_user_model(),
            # Not last_login (every login; axes logs them) nor the reverse relations.
            include_fields=[
                "username",
                "first_name",
                "last_name",
                "email",
                "password",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
            mask_fields=["password"],
            mask_callable="clinic.audit.mask_password",
            m2m_fields={"groups", "user_permissions"},
        )
        auditlog.register(Group, m2m_fields={"permissions"})
        guards.connect(self)
        accounts.connect()
        sections.register_clinic_sections()
        sections.register_diary_sections()
        sections.register_visit_steps()
        demo_seeders.register(DemoSeeder("diary", demo_diary.seed_diary, order=30))
        visit_signing.connect(
            diary_services.mark_attended_on_signing,
            sender=Visit,
            dispatch_uid="clinic.diary.services.mark_attended_on_signing",
        )
        backed_up_apps.register(BackedUpApp(label="clinic", order=10))
        contributors.register(
            FhirContributor(
                key="clinic",
                order=10,
                resources=fhir.patient_resources,
                practitioner=fhir.practitioner,
            )
        )
