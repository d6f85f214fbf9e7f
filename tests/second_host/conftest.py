"""Carebook's people and records: a physio and a receptionist in carebook's own roles,
and a client with a care plan and a first session."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from carebook.models import CarePlan, Client, Session, SessionType
from carebook.roles import PHYSIO, RECEPTION


def _user(username: str, role: str | None, **names):
    user = get_user_model().objects.create_user(username=username, password="x", **names)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def physio(db):
    return _user("mira", PHYSIO, first_name="Mira", last_name="Kovac")


@pytest.fixture
def receptionist(db):
    return _user("ola", RECEPTION, first_name="Ola", last_name="Berg")


@pytest.fixture
def carebook_client(db):
    return Client.objects.create(
        identifier="CB-0042",
        given_name="Rosa",
        family_name="Lindqvist",
        born_on=datetime.date(1979, 4, 12),
        gender="female",
    )


@pytest.fixture
def care_plan(carebook_client, physio):
    return CarePlan.objects.create(
        patient=carebook_client,
        physio=physio,
        problem="Right sitting pain",
        opened_on=timezone.localdate() - datetime.timedelta(days=14),
    )


@pytest.fixture
def first_session(care_plan, physio):
    return Session.objects.create(
        episode=care_plan,
        practitioner=physio,
        session_type=SessionType.FIRST,
        starts_at=timezone.now() - datetime.timedelta(days=14),
    )


@pytest.fixture
def review_session(care_plan, physio, first_session):
    return Session.objects.create(
        episode=care_plan,
        practitioner=physio,
        session_type=SessionType.REVIEW,
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
    )


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client, logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
