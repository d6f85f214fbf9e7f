from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.seeding import demo_seeders

        from . import demo, guards, sections, summaries
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
        guards.connect()
        summaries.connect()
        sections.register_sections()
        demo_seeders.register("treatments", demo.seed_treatments, order=20)
