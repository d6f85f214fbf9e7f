"""Carebook is a host of its own: no `clinic` installed, the plugin's records hang off
carebook's models, `check` and `makemigrations` are clean, and the contract's system
check names a field a host model lacks."""

import io

import pytest
from carebook.models import CarePlan, Client, Session
from django.apps import apps
from django.core import checks
from django.core.management import call_command

from assessments import host
from assessments.models import Assessment, Measurement, WorkingDiagnosis
from treatments.models import DeliveredIntervention


def test_clinic_is_not_installed():
    assert not apps.is_installed("clinic")
    assert apps.is_installed("assessments") and apps.is_installed("treatments")


def test_the_contract_names_carebooks_models():
    assert host.get_patient_model() is Client
    assert host.get_episode_model() is CarePlan
    assert host.get_visit_model() is Session


def test_the_plugins_foreign_keys_point_at_carebook():
    assert Assessment._meta.get_field("visit").related_model is Session
    assert Measurement._meta.get_field("patient").related_model is Client
    assert WorkingDiagnosis._meta.get_field("episode").related_model is CarePlan
    assert DeliveredIntervention._meta.get_field("visit").related_model is Session


def test_check_is_clean():
    assert [str(message) for message in checks.run_checks() if message.is_serious()] == []


@pytest.mark.django_db
def test_no_migration_is_missing():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("model", "attribute"),
    [(Client, "identifier"), (CarePlan, "is_open"), (Session, "is_signed")],
)
def test_the_system_check_names_a_field_the_host_lacks(monkeypatch, model, attribute):
    monkeypatch.delattr(model, attribute)
    serious = [message for message in checks.run_checks() if message.is_serious()]
    named = [message for message in serious if attribute in message.msg]
    assert named, [message.msg for message in serious]
    assert model._meta.label in named[0].msg or named[0].obj in (model, model._meta.label)
