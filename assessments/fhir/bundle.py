"""A patient's whole record as a FHIR R4 Bundle (type collection), from the resources each
installed app contributes.

Each app registers a contributor in its ``AppConfig.ready()``: the host its Patient,
Encounters and Appointments and how its staff read as Practitioners, each plugin app the
resources of its own records:

    from assessments.fhir.bundle import FhirContributor, contributors
    contributors.register(FhirContributor(key="treatments", order=30,
                                          resources=patient_resources))

``resources(export)`` returns the resources of ``export.patient``'s records, named and
referring as ``assessments.fhir.base`` says (``reference_to("Encounter", visit.pk)``), in
a fixed number of queries; a user a resource names is referred to through
``export.practitioner_reference(user)``, which puts that user's Practitioner in the
Bundle when a contributor builds Practitioners (``practitioner=``; the host does).

References are relative (``Patient/patient-12``); under our host every one resolves to an
entry of the Bundle, whose ``fullUrl``s share the RESTful base ``settings.FHIR_BASE_URL``.
A host that contributes nothing still gets the plugin's resources, referring to its
patient, visits and staff by the same names.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from assessments.host import Patient
from assessments.registry import Registry

from .base import DEFAULT_BASE_URL, Resource, as_date_time, reference_to


class PatientExport:
    """What the contributors to one patient's Bundle share: the patient, and the users
    their resources name (to become the Bundle's Practitioners)."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        self.patient_reference = reference_to("Patient", patient.pk)
        self.users: dict[int, Any] = {}

    def practitioner_reference(self, user) -> str:
        self.users.setdefault(user.pk, user)
        return reference_to("Practitioner", user.pk)


@dataclass(frozen=True)
class FhirContributor:
    key: str  # the app's label
    resources: Callable[[PatientExport], Iterable[Resource]]
    order: int = 100  # its place in the Bundle: the host's first
    practitioner: Callable[[Any], Resource] | None = None  # a user as a Practitioner


class FhirContributorRegistry(Registry[FhirContributor]):
    what = "FHIR contributor"

    def sort_key(self, contributor: FhirContributor) -> tuple[int, str]:
        return (contributor.order, contributor.key)


contributors = FhirContributorRegistry()


def base_url() -> str:
    return getattr(settings, "FHIR_BASE_URL", "https://clinic.invalid/fhir").rstrip("/")


def patient_bundle(patient: Patient) -> Resource:
    """Everything recorded for the patient: each contributor's resources in order, then the
    Practitioner of each user they name."""
    export = PatientExport(patient)
    resources: list[Resource] = []
    for contributor in contributors:
        resources += contributor.resources(export)
    builders = [c.practitioner for c in contributors if c.practitioner is not None]
    if builders:
        resources += [builders[0](user) for user in export.users.values()]
    base = base_url()
    now = timezone.now()
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": as_date_time(now, "timestamp"),
        "identifier": {
            "system": f"{DEFAULT_BASE_URL}/export",
            "value": f"{patient.identifier}-{now:%Y%m%d%H%M%S}",
        },
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


def references(value: Any) -> Iterator[str]:
    """Every ``reference`` string inside a resource (for checks that they resolve)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)
