"""Each page × each role gets the expected answer: the role table of ARCHITECTURE.md."""

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "physio", "clinic_admin", "front_desk", "no_role_user"]

# url name, args builder, expected status per role (anonymous always redirects to login)
PAGES = [
    (
        "clinic:home",
        lambda o: [],
        {"physio": 200, "clinic_admin": 200, "front_desk": 200, "no_role_user": 200},
    ),
    (
        "clinic:patient_list",
        lambda o: [],
        {"physio": 200, "clinic_admin": 200, "front_desk": 200, "no_role_user": 403},
    ),
    (
        "clinic:patient_create",
        lambda o: [],
        {"physio": 200, "clinic_admin": 200, "front_desk": 200, "no_role_user": 403},
    ),
    (
        "clinic:patient_detail",
        lambda o: [o["patient"].pk],
        {"physio": 200, "clinic_admin": 200, "front_desk": 200, "no_role_user": 403},
    ),
    (
        "clinic:patient_update",
        lambda o: [o["patient"].pk],
        {"physio": 200, "clinic_admin": 200, "front_desk": 200, "no_role_user": 403},
    ),
    (
        "clinic:episode_create",
        lambda o: [o["patient"].pk],
        {"physio": 200, "clinic_admin": 403, "front_desk": 403, "no_role_user": 403},
    ),
    (
        "clinic:episode_discharge",
        lambda o: [o["episode"].pk],
        {"physio": 200, "clinic_admin": 403, "front_desk": 403, "no_role_user": 403},
    ),
    (
        "clinic:visit_start",
        lambda o: [o["episode"].pk],
        {"physio": 200, "clinic_admin": 403, "front_desk": 403, "no_role_user": 403},
    ),
    (
        "clinic:visit_detail",
        lambda o: [o["visit"].pk],
        {"physio": 200, "clinic_admin": 200, "front_desk": 403, "no_role_user": 403},
    ),
    (
        "clinic:visit_sign",
        lambda o: [o["visit"].pk],
        {"physio": 200, "clinic_admin": 403, "front_desk": 403, "no_role_user": 403},
    ),
    (
        "clinic:audit_log",
        lambda o: [],
        {"physio": 403, "clinic_admin": 200, "front_desk": 403, "no_role_user": 403},
    ),
    # The diary: every role but no role at all; starting a visit is the physio's.
    *[
        (name, args, {"physio": 200, "clinic_admin": 200, "front_desk": 200, "no_role_user": 403})
        for name, args in [
            ("clinic:diary_day", lambda o: []),
            ("clinic:diary_week", lambda o: [o["physio"].pk]),
            ("clinic:appointment_create", lambda o: []),
            ("clinic:appointment_detail", lambda o: [o["appointment"].pk]),
            ("clinic:appointment_reschedule", lambda o: [o["appointment"].pk]),
            ("clinic:appointment_cancel", lambda o: [o["appointment"].pk]),
            ("clinic:follow_ups", lambda o: []),
        ]
    ],
    (
        "clinic:appointment_start_visit",
        lambda o: [o["appointment"].pk],
        {"physio": 200, "clinic_admin": 403, "front_desk": 403, "no_role_user": 403},
    ),
    (
        "clinic:calendar_feed_settings",
        lambda o: [],
        {"physio": 200, "clinic_admin": 403, "front_desk": 403, "no_role_user": 403},
    ),
    # Changes are POSTs only.
    *[
        (name, args, {"physio": 405, "clinic_admin": 405, "front_desk": 405, "no_role_user": 405})
        for name, args in [
            ("clinic:appointment_check_in", lambda o: [o["appointment"].pk]),
            ("clinic:appointment_no_show", lambda o: [o["appointment"].pk]),
            ("clinic:contact_attempt_add", lambda o: []),
        ]
    ],
]


@pytest.fixture
def objects(patient, episode, visit, physio):
    appointment = AppointmentFactory(patient=patient, practitioner=physio)
    return {
        "patient": patient,
        "episode": episode,
        "visit": visit,
        "physio": physio,
        "appointment": appointment,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[page[0] for page in PAGES])
def test_page_answers_each_role(request, client, objects, role, name, args, expected):
    url = reverse(name, args=args(objects))
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[role], (name, role)


def test_forbidden_page_is_in_the_app_layout(client_for, front_desk, visit):
    response = client_for(front_desk).get(reverse("clinic:visit_detail", args=[visit.pk]))
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content
    assert b"Log out" in response.content


def test_missing_record_is_a_404_in_the_app_layout(client_for, physio):
    response = client_for(physio).get(reverse("clinic:patient_detail", args=[999999]))
    assert response.status_code == 404
    assert b"There is no such record" in response.content


def test_user_without_role_is_told_why(client_for, no_role_user):
    response = client_for(no_role_user).get(reverse("clinic:home"))
    assert b"Your account has no role yet" in response.content
    assert b"Patients</a>" not in response.content


def test_navigation_shows_only_what_the_role_may_use(client_for, front_desk, clinic_admin):
    page = client_for(front_desk).get(reverse("clinic:home")).content.decode()
    assert "Patients" in page and "Audit log" not in page
    page = client_for(clinic_admin).get(reverse("clinic:home")).content.decode()
    assert "Audit log" in page


def test_front_desk_sees_demographics_but_no_clinical_content(client_for, front_desk, visit):
    visit.notes = "MARKER-clinical-note"
    visit.save()
    page = client_for(front_desk).get(
        reverse("clinic:patient_detail", args=[visit.episode.patient.pk])
    )
    content = page.content.decode()
    assert visit.episode.patient.identifier in content
    assert "MARKER-clinical-note" not in content
    assert "Right buttock pain" not in content
