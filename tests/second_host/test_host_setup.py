"""Carebook is a host of its own: no `clinic` installed, the plugin's records hang off
carebook's models, `check` and `makemigrations` are clean, and the contract's system
check names a field a host model lacks."""

import ast
import io
from pathlib import Path

import pytest
from assessments import host
from assessments.models import Assessment, Measurement, WorkingDiagnosis
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from treatments.models import DeliveredIntervention

from carebook.models import CarePlan, Client, Session


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


def _serious() -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks() if message.is_serious()]


@pytest.mark.parametrize(
    ("model", "attribute"),
    [(Client, "full_name"), (CarePlan, "is_open"), (Session, "is_signed"), (Session, "is_initial")],
)
def test_the_system_check_names_a_property_the_host_lacks(monkeypatch, model, attribute):
    monkeypatch.delattr(model, attribute)
    named = [message.msg for message in _serious() if attribute in message.msg]
    assert named, [message.msg for message in _serious()]
    assert model._meta.label in named[0]


def test_the_system_check_names_the_fields_a_model_lacks(monkeypatch):
    """A patient model with none of the contract's fields: auth's Group, say."""
    monkeypatch.setattr(host, "PATIENT_MODEL", "auth.Group")
    messages = " ".join(message.msg for message in _serious())
    assert "auth.Group" in messages
    for name in ("identifier", "full_name", "date_of_birth"):
        assert name in messages


def test_carebook_imports_nothing_of_clinic_or_the_repositorys_tests():
    """The suite runs from the wheel alone: only the plugin's packages come from outside."""
    here = Path(__file__).resolve().parent
    imported = set()
    for path in here.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported |= {(path.name, alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add((path.name, node.module.split(".")[0]))
    assert {(name, module) for name, module in imported if module in ("clinic", "tests")} == set()
