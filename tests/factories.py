import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.models import Appointment, EpisodeOfCare, Patient, Visit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@clinic.example")
    password = factory.django.Password("demo-password-1")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=85)
    sex = "female"
    phone = "07700 900123"
    email = factory.LazyAttribute(lambda p: f"{p.given_name.lower()}@example.org")
    contact_consent = True


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EpisodeOfCare

    patient = factory.SubFactory(PatientFactory)
    physio = factory.SubFactory(UserFactory)
    complaint = "Buttock pain"
    side = "right"
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    episode = factory.SubFactory(EpisodeFactory)
    practitioner = factory.SelfAttribute("episode.physio")
    kind = "follow_up"
    starts_at = factory.LazyFunction(timezone.now)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Straight into the database, bypassing clinic.scheduling's rules (for set-ups that
    need past or odd appointments); tests of booking call scheduling.book()."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    end = factory.LazyAttribute(lambda a: a.start + datetime.timedelta(minutes=30))
    kind = "follow_up"
    status = "booked"
