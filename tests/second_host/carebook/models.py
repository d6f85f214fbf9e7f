"""Carebook's own records: clients, their care plans and the sessions of each plan.

They are named and shaped as this practice keeps them, not as the plugin names things;
the properties at the end of each model are where carebook meets the plugin's contract
(`assessments.host`): the plugin reads a patient's `full_name`, an episode's `is_open`, a
visit's `is_signed`, and so on.
"""

from assessments.host import (
    EPISODE_DISCHARGED,
    EPISODE_GOALS_MET,
    EPISODE_OPEN,
    EPISODE_STATUS_CHOICES,
)
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Client(models.Model):
    # `identifier` is a field of the contract's: the plugin searches and exports by it.
    identifier = models.CharField("record number", max_length=12, unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    born_on = models.DateField()
    gender = models.CharField(max_length=10, default="unknown")  # FHIR AdministrativeGender
    telephone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identifier})"

    def get_absolute_url(self) -> str:
        return reverse("carebook:client_record", args=[self.pk])

    # --- the plugin's patient
    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def date_of_birth(self):
        return self.born_on

    def get_additional_data(self) -> dict:
        return {"patient_id": self.pk}


class CarePlanQuerySet(models.QuerySet):
    def open(self) -> "CarePlanQuerySet":
        return self.filter(status=EPISODE_OPEN)


class ClosedBecause(models.TextChoices):
    GOALS_MET = EPISODE_GOALS_MET, "Goals met"
    STOPPED_COMING = "stopped_coming", "Stopped coming"
    REFERRED = "referred", "Referred elsewhere"


class CarePlan(models.Model):
    """One problem the client is treated for, opened at referral and closed at the end."""

    # `patient`, `physio`, `status`, `opened_on` and `closed_on` are the contract's fields:
    # the plugin's queries and its outcome report's SQL read them.
    patient = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="episodes", verbose_name="client"
    )
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="care_plans",
        verbose_name="lead clinician",
    )
    problem = models.CharField(max_length=200)
    symptoms_since = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=EPISODE_STATUS_CHOICES, default=EPISODE_OPEN)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    closed_because = models.CharField(max_length=20, choices=ClosedBecause.choices, blank=True)
    review_every_days = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.problem

    def get_absolute_url(self) -> str:
        return reverse("carebook:client_record", args=[self.patient_id]) + f"#plan-{self.pk}"

    # --- the plugin's episode
    @property
    def complaint(self) -> str:
        return self.problem

    @property
    def onset_date(self):
        return self.symptoms_since

    @property
    def discharge_reason(self) -> str:
        return self.closed_because

    @property
    def is_open(self) -> bool:
        return self.status == EPISODE_OPEN

    @property
    def is_discharged(self) -> bool:
        return self.status == EPISODE_DISCHARGED

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class SessionQuerySet(models.QuerySet):
    def signed(self) -> "SessionQuerySet":
        return self.filter(signed_at__isnull=False)


class SessionType(models.TextChoices):
    FIRST = "first", "First appointment"
    REVIEW = "review", "Review"


class Session(models.Model):
    """A session with the client; signed, it is closed to changes."""

    # `episode`, `practitioner` and `starts_at` are the contract's fields: the plugin's
    # queries walk them.
    episode = models.ForeignKey(
        CarePlan, on_delete=models.PROTECT, related_name="visits", verbose_name="care plan"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="carebook_sessions",
        verbose_name="clinician",
    )
    starts_at = models.DateTimeField(default=timezone.now)
    session_type = models.CharField(
        max_length=10, choices=SessionType.choices, default=SessionType.REVIEW
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        permissions = [
            ("write_session", "Can write into their own sessions"),
            ("sign_session", "Can sign sessions"),
        ]

    def __str__(self) -> str:
        return f"{self.get_session_type_display()} on {timezone.localtime(self.starts_at):%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("carebook:session", args=[self.pk])

    # --- the plugin's visit
    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_initial(self) -> bool:
        return self.session_type == SessionType.FIRST

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}

    def get_kind_display(self) -> str:  # the contract's name for "the kind in words"
        return self.get_session_type_display()

    @classmethod
    def signed_sql(cls, alias: str) -> str:
        """SQL: the session row `alias` is signed (the plugin's database guards read it)."""
        return f"{alias}.signed_at IS NOT NULL"


class PlanAmendment(models.Model):
    """A change to a closed care plan (its diagnosis, its plan), kept with its reason."""

    episode = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="amendments")
    what = models.CharField(max_length=100)
    change = models.TextField()
    reason = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.what} changed after {self.episode} was closed"
