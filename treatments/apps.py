from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from assessments.fhir.bundle import FhirContributor, contributors
        from assessments.host import (
            BackedUpApp,
            DemoSeeder,
            backed_up_apps,
            demo_seeders,
            visit_missing,
        )

        from . import demo, fhir, guards, sections, selectors, summaries
        from .kinds import kinds, register_builtin_kinds
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
        register_builtin_kinds(kinds)
        guards.connect()
        summaries.connect()
        sections.register_sections()
        visit_missing.connect(selectors.missing_in_visit, dispatch_uid="treatments_missing")
        demo_seeders.register(DemoSeeder("treatments", demo.seed_treatments, order=20))
        backed_up_apps.register(BackedUpApp(label="treatments", order=30))
        contributors.register(
            FhirContributor(key="treatments", order=30, resources=fhir.patient_resources)
        )
