import json

from django.core.management.base import BaseCommand, CommandError

from assessments import fhir, host
from assessments.audit import record_access
from assessments.definitions import NotRegistered, templates
from assessments.fhir.bundle import patient_bundle


class Command(BaseCommand):
    help = (
        "Write a patient's record as a FHIR R4 Bundle (JSON) to standard output, or an "
        "assessment template as a Questionnaire with --questionnaire."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "identifier", nargs="?", help="the patient's clinic number, e.g. K7MQ-4Q2P"
        )
        parser.add_argument(
            "--questionnaire", metavar="TEMPLATE", help="a template code, e.g. buttock_pain"
        )
        parser.add_argument(
            "--template-version",
            dest="template_version",
            type=int,
            help="template version (default: latest)",
        )
        parser.add_argument(
            "--output", metavar="FILE", help="write to FILE instead of standard output"
        )

    def handle(
        self,
        *args,
        identifier=None,
        questionnaire=None,
        template_version=None,
        output=None,
        **options,
    ):
        if bool(identifier) == bool(questionnaire):
            raise CommandError("Give either a patient's clinic number or --questionnaire TEMPLATE.")
        if questionnaire:
            try:
                document = fhir.questionnaire(templates.get(questionnaire, template_version))
            except NotRegistered as error:
                raise CommandError(str(error)) from error
        else:
            patient = host.patients().filter(identifier__iexact=identifier.strip()).first()
            if patient is None:
                raise CommandError(f"No patient has the clinic number {identifier!r}.")
            record_access(patient, page="manage.py export_fhir")  # an export is a view
            document = patient_bundle(patient)
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(f"Written to {output}.")
        else:
            self.stdout.write(text)
