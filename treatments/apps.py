from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import sections
        from .models import (
            AdverseEvent,
            Consent,
            ContraindicationScreen,
            DeliveredIntervention,
            Goal,
            TreatmentPlan,
            VisitNote,
        )

        for model in (
            AdverseEvent,
            Consent,
            ContraindicationScreen,
            DeliveredIntervention,
            Goal,
            TreatmentPlan,
            VisitNote,
        ):
            auditlog.register(model)
        sections.register_sections()
