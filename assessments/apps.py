from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.core import checks as django_checks

        from . import (
            checks,
            demo,
            guards,
            markers,
            sections,
            selectors,
            services,
            summaries,
            triggers,
        )
        from .definitions import register_builtin_templates, templates
        from .fhir import records as fhir_records
        from .fhir.bundle import FhirContributor, contributors
        from .host import (
            BackedUpApp,
            DemoSeeder,
            backed_up_apps,
            demo_seeders,
            visit_missing,
            visit_signing,
        )
        from .measures import register_builtin_measures
        from .measures import registry as measures
        from .models import Assessment, RedFlagAlert, RedFlagReferral, WorkingDiagnosis
        from .reasoning import register_builtin_rulesets, rulesets

        django_checks.register(checks.check_host)
        # The measures first: a template is refused if it uses an unknown one.
        register_builtin_measures(measures)
        register_builtin_templates(templates)
        register_builtin_rulesets(rulesets)  # a rule set is refused for an unknown template
        for model in (Assessment, WorkingDiagnosis, RedFlagAlert, RedFlagReferral):
            auditlog.register(model)
        visit_signing.connect(services.freeze_on_signing, dispatch_uid="assessments_freeze")
        visit_missing.connect(selectors.missing_in_visit, dispatch_uid="assessments_missing")
        triggers.connect(self)
        guards.connect()
        summaries.connect()
        sections.register_sections()
        markers.register()
        demo_seeders.register(DemoSeeder("assessments", demo.seed_assessments, order=10))
        backed_up_apps.register(BackedUpApp(label="assessments", order=20))
        contributors.register(
            FhirContributor(key="assessments", order=20, resources=fhir_records.patient_resources)
        )
