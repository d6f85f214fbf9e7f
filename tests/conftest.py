"""Fixtures shared by every app's tests: users in each role and a small clinic."""

import os

import factory.random
import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import settings as hypothesis_settings

from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST
from tests.factories import EpisodeFactory, PatientFactory, UserFactory, VisitFactory


def _user_in(role: str | None, username: str, **extra):
    user = UserFactory(username=username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def physio(db):
    return _user_in(PHYSIOTHERAPIST, "physio", first_name="Priya", last_name="Shah")


@pytest.fixture
def other_physio(db):
    return _user_in(PHYSIOTHERAPIST, "physio2", first_name="Tom", last_name="Reed")


@pytest.fixture
def clinic_admin(db):
    return _user_in(CLINIC_ADMIN, "admin", first_name="Ada", last_name="Okafor", is_staff=True)


@pytest.fixture
def front_desk(db):
    return _user_in(FRONT_DESK, "frontdesk", first_name="Fran", last_name="Cole")


@pytest.fixture
def no_role_user(db):
    return _user_in(None, "norole")


@pytest.fixture
def patient(db):
    return PatientFactory(given_name="Jane", family_name="Doe")


@pytest.fixture
def episode(patient, physio):
    return EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")


@pytest.fixture
def visit(episode, physio):
    return VisitFactory(episode=episode, practitioner=physio, kind="initial")


class LoginFormClient(Client):
    """`client.login()` as if through the login form: django-axes (first of the
    authentication backends) refuses to check a password without the login's request,
    and counts a wrong one against that request's address like any other."""

    def login(self, **credentials) -> bool:
        credentials.setdefault("request", RequestFactory().post(reverse("login")))
        return super().login(**credentials)


@pytest.fixture
def client() -> Client:
    return LoginFormClient()


@pytest.fixture
def client_for(client):
    """`client_for(user)` logs the test client in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


# CI replays the same Hypothesis examples on every run, so a red build is never luck;
# at a desk the default profile keeps exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def repeatable_fake_data(request):
    # Faker names and dates differ on every run unless seeded; seeding from the test's id
    # gives each test its own data and the same data on every run, so a failure repeats.
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is the production hasher (tests/clinic/test_settings.py checks it); tests that
    # create users do not need its cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def migrated_data_restored(django_db_blocker):
    """A transactional test ends with a flush that also empties what the migrations made
    (roles, permissions, content types); put it back for the tests that run after.

    Module-scoped so that it tears down after the test's own flush; use it with
    `django_db(transaction=True, serialized_rollback=True)`, whose flush leaves the
    database empty rather than re-creating content types under new ids."""
    yield
    with django_db_blocker.unblock():
        for each in connections.all():
            contents = getattr(each, "_test_serialized_contents", None)
            if contents:
                each.creation.deserialize_db_from_string(contents)
        ContentType.objects.clear_cache()
