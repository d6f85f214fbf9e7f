from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import sections
        from .models import Addendum, EpisodeOfCare, Patient, Visit

        for model in (Patient, EpisodeOfCare, Visit, Addendum):
            auditlog.register(model)
        sections.register_clinic_sections()
