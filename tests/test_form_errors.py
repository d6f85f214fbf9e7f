"""A form's errors that belong to no one field are shown once (issue 11: a booking's clash
was shown twice, by the page's own alert and again by `{% crispy form %}`).

`{% crispy form %}` shows them through clinic/templates/bootstrap5/errors.html, which
includes clinic/templates/partials/form_errors.html; a form laid out field by field shows them itself.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from clinic import scheduling
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import PatientFactory

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + [
    path for path in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in path.parts
]
CRISPY_TAG = re.compile(r"{%\s*crispy\s+(\w+)")
COMMENT = re.compile(r"{#.*?#}", re.S)


def _templates() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_crispy_s_place_for_them_is_the_clinic_s_partial():
    assert get_template("bootstrap5/errors.html").origin.name == str(
        Path(settings.BASE_DIR) / "clinic" / "templates" / "bootstrap5" / "errors.html"
    )


@pytest.mark.parametrize("path", _templates(), ids=lambda path: path.name)
def test_no_template_shows_them_beside_crispy(path):
    """A form drawn by {% crispy %} already shows its non-field errors: the template must
    not show them again."""
    source = COMMENT.sub("", path.read_text())
    for form in CRISPY_TAG.findall(source):
        shows = re.compile(rf"{{{{\s*{form}\.non_field_errors|\bin\s+{form}\.non_field_errors\b")
        assert not shows.search(source), (
            f"{path.relative_to(settings.BASE_DIR)} shows {form}'s non-field errors and also "
            f"draws {form} with {{% crispy %}}: they would show twice"
        )
        assert "partials/form_errors.html" not in source, path


def _alerts(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", alert)).strip()
        for alert in re.findall(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', html, re.S)
    ]


@pytest.mark.django_db
def test_a_booking_clash_is_shown_once(client_for, front_desk, physio, patient):
    monday = next_monday()
    scheduling.book(
        practitioner=physio,
        patient=patient,
        start=at(monday, "10:00"),
        end=at(monday, "10:30"),
        kind="follow_up",
    )
    other = PatientFactory(given_name="Sam", family_name="Hill")

    response = client_for(front_desk).post(
        reverse("clinic:appointment_create"),
        {
            "patient": other.identifier,
            "practitioner": physio.pk,
            "kind": "follow_up",
            "start": f"{monday:%Y-%m-%d}T10:15",
        },
    )

    page = response.content.decode()
    clash = "Priya Shah already has an appointment at that time: Jane Doe, Follow-up"
    assert page.count(clash) == 1
    assert len(_alerts(page)) == 1 and _alerts(page)[0].startswith(clash)
    assert 'role="alert"' in page


@pytest.mark.django_db
def test_an_error_on_a_shared_form_page_is_shown_once(client_for, clinic_admin, patient, physio):
    """assessments/partials/form_page.html (archiving a patient with appointments booked)."""
    monday = next_monday()
    scheduling.book(
        practitioner=physio,
        patient=patient,
        start=at(monday, "10:00"),
        end=at(monday, "10:30"),
        kind="follow_up",
    )

    response = client_for(clinic_admin).post(
        reverse("clinic:patient_archive", args=[patient.pk]), {"reason": "Moved away"}
    )

    assert _alerts(response.content.decode()) == [
        "This patient has appointments booked: cancel them in the diary first."
    ]
