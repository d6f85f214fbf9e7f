"""`manage.py check` names what a host lacks of the plugin's contract."""

from django.db import models
from django.test.utils import isolate_apps

from assessments import checks, host


def test_our_host_meets_the_contract():
    assert checks.check_host() == []


@isolate_apps("django.contrib.sessions")
def test_a_model_lacking_a_field_or_an_attribute_is_named():
    class Client(models.Model):  # noqa: DJ008
        given_name = models.CharField(max_length=50)

        class Meta:
            app_label = "sessions"

        @property
        def full_name(self) -> str:
            return self.given_name

    messages = [(m.id, m.msg) for m in checks.missing_on(Client, "CLINICAL_PATIENT_MODEL")]
    assert ("assessments.E002", messages[0][1]) in messages
    assert "sessions.Client lacks the field `identifier` (CLINICAL_PATIENT_MODEL)" in messages[0][1]
    lacking = {msg for id_, msg in messages if id_ == "assessments.E003"}
    assert lacking == {
        "sessions.Client lacks `date_of_birth` (CLINICAL_PATIENT_MODEL).",
        "sessions.Client lacks `get_absolute_url` (CLINICAL_PATIENT_MODEL).",
        "sessions.Client lacks `get_additional_data` (CLINICAL_PATIENT_MODEL).",
    }


@isolate_apps("django.contrib.sessions")
def test_a_visit_model_without_signed_visits_is_named():
    class Session(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "sessions"

    messages = [m.msg for m in checks.missing_on(Session, "CLINICAL_VISIT_MODEL")]
    assert "sessions.Session's default manager lacks `signed()` (CLINICAL_VISIT_MODEL)." in messages
    assert (
        "sessions.Session lacks the field `episode` (CLINICAL_VISIT_MODEL): the plugin queries it, so a property will not do."
        in messages
    )


def test_missing_services_and_context_processor_are_named(monkeypatch, settings):
    monkeypatch.setattr(host, "services", lambda: object())
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {"context_processors": []}}]
    ids = [m.id for m in checks.check_host()]
    assert ids.count("assessments.E004") == len(host.HOST_SERVICE_NAMES)
    assert "assessments.W001" in ids
