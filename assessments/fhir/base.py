"""The FHIR R4 helpers every builder uses, the host's and the plugin's: ids, references,
dates and instants, codings, identifiers and notes, and how a patient's Bundle names its
resources.

Every resource of a Bundle has the id ``{prefix}-{primary key}`` (``patient-12``,
``encounter-40``, ``response-7``), whoever builds it, so that a reference made by one app
(``Encounter/encounter-40`` on an assessment's QuestionnaireResponse) names the resource
another app builds, and a host that builds no resources still gets references that say
which of its rows they mean.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone

Resource = dict[str, Any]

# The system of the clinic's own identifiers and code systems.
DEFAULT_BASE_URL = "urn:clinic-records"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

# A resource's id prefix is its type in lower case, but for these.
_ID_PREFIXES = {"QuestionnaireResponse": "response"}


# Ids and references.


def resource_id(resource_type: str, pk: object) -> str:
    """The id a patient's Bundle gives the resource of a row: ``resource_id("Patient", 12)``
    is ``"patient-12"``."""
    return f"{_ID_PREFIXES.get(resource_type, resource_type.lower())}-{pk}"


def reference_to(resource_type: str, pk: object) -> str:
    """The reference to that resource: ``"Patient/patient-12"``."""
    return f"{resource_type}/{resource_id(resource_type, pk)}"


def check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _FHIR_ID.match(value):
        raise ValueError(
            f"{what} {value!r} is not a FHIR id (letters, digits, '-' and '.'; 1 to 64)"
        )
    return value


def reference(value: str, what: str) -> dict[str, str]:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a reference such as 'Patient/123', got {value!r}")
    return {"reference": value}


def references(values: str | Iterable[str], what: str) -> list[dict[str, str]]:
    """References from one string or several (a lone string is one reference, not its
    characters)."""
    items = [values] if isinstance(values, str) else list(values)
    return [reference(value, what) for value in items]


def identifier(base_url: str, record: str, pk: object) -> list[dict[str, str]]:
    """The row's own identifier, ``{base_url}/{record}`` with its primary key, so an export
    can be matched to its row again whatever ids the caller gives the resources."""
    if pk is None:
        return []
    return [{"system": f"{base_url}/{record}", "value": str(pk)}]


# Dates and instants.


def as_date_time(value: datetime, what: str) -> str:
    # A FHIR dateTime with a time must carry a time zone.
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.isoformat()


def as_local_date_time(value: datetime, what: str) -> str:
    """A dateTime in the clinic's time zone (the time the clinic's staff saw)."""
    as_date_time(value, what)  # refuses a naive datetime
    return timezone.localtime(value).isoformat()


def as_date(value: date) -> str:
    """A FHIR date; a datetime gives its own day."""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


# Codings and text.


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    result = {"system": system, "code": code}
    if display is not None:
        result["display"] = display
    return result


def codeable_concept(codings: Iterable[dict[str, str]] = (), text: str | None = None) -> Resource:
    concept: Resource = {}
    codings = [dict(item) for item in codings]
    if codings:
        concept["coding"] = codings
    if text is not None:
        concept["text"] = text
    return concept


def annotations(texts: Iterable[str]) -> list[dict[str, str]]:
    """``note``: one Annotation per text that is not blank."""
    return [{"text": text.strip()} for text in texts if text and text.strip()]
