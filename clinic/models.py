"""Patients, their episodes of care and visits: the records every plugin app hangs off."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .managers import EpisodeQuerySet, PatientQuerySet, VisitQuerySet

# No 0/O or 1/I/L: identifiers are read out over the phone.
IDENTIFIER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_patient_identifier() -> str:
    chars = "".join(secrets.choice(IDENTIFIER_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class Sex(models.TextChoices):
    # FHIR AdministrativeGender, so the export needs no mapping table.
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not stated"


class Patient(models.Model):
    identifier = models.CharField(
        "clinic number", max_length=9, unique=True, editable=False, default=new_patient_identifier
    )
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    referrer = models.CharField("GP / referrer", max_length=200, blank=True)
    contact_consent = models.BooleanField(
        "consents to be contacted",
        default=False,
        help_text="Reminders and follow-up calls are only sent to patients who agreed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identifier})"

    def get_absolute_url(self) -> str:
        return reverse("clinic:patient_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age(self, on=None) -> int:
        on = on or timezone.localdate()
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))

    def get_additional_data(self) -> dict:
        return {"patient_id": self.pk}


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Both sides"
    NOT_APPLICABLE = "n/a", "Not applicable"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISCHARGED = "discharged", "Discharged"


class DischargeReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    SELF_MANAGING = "self_managing", "Self-managing"
    REFERRED_ON = "referred_on", "Referred on"
    DID_NOT_RETURN = "did_not_return", "Did not return"
    PATIENT_CHOICE = "patient_choice", "Patient's choice"
    OTHER = "other", "Other"


class EpisodeOfCare(models.Model):
    """One complaint from first assessment to discharge; outcomes are measured per episode."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    complaint = models.CharField(max_length=200, help_text="e.g. Right buttock pain")
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.NOT_APPLICABLE)
    onset_date = models.DateField(null=True, blank=True)
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="episodes",
        verbose_name="treating physio",
    )
    status = models.CharField(
        max_length=12, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_notes = models.TextField(blank=True)
    # How often the patient should be seen; set from the treatment plan, and what the
    # diary's follow-ups due are computed from (last attended visit + interval).
    follow_up_interval_days = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        verbose_name = "episode of care"
        verbose_name_plural = "episodes of care"
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["status", "physio"], name="episode_status_physio_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="episode_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} (opened {self.opened_on:%d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse("clinic:patient_detail", args=[self.patient_id]) + f"#episode-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class VisitKind(models.TextChoices):
    INITIAL = "initial", "Initial assessment"
    FOLLOW_UP = "follow_up", "Follow-up"
    DISCHARGE = "discharge", "Discharge"


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Visit(models.Model):
    """An encounter. Everything clinical hangs off a visit; once signed it is read-only."""

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="visits")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits"
    )
    starts_at = models.DateTimeField("date and time", default=timezone.now)
    kind = models.CharField(max_length=10, choices=VisitKind.choices, default=VisitKind.FOLLOW_UP)
    notes = models.TextField("clinical notes", blank=True)
    status = models.CharField(max_length=6, choices=VisitStatus.choices, default=VisitStatus.DRAFT)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signed_visits",
        null=True,
        blank=True,
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["episode", "starts_at"], name="visit_episode_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="draft", signed_at__isnull=True)
                    | models.Q(status="signed", signed_at__isnull=False, signed_by__isnull=False)
                ),
                name="visit_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {timezone.localtime(self.starts_at):%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("clinic:visit_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.status == VisitStatus.SIGNED

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class Addendum(models.Model):
    """A correction or addition to a signed visit: the signed text itself never changes."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    reason = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="addenda"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addenda"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum to {self.visit} by {self.author}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.visit.episode.patient_id}


class ClinicPermissions(models.Model):
    """Holds the role permissions that are not about one model's rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_clinical_record", "Can read clinical records"),
            ("record_clinical", "Can record clinical notes and assessments"),
            ("sign_visit", "Can sign visits"),
            ("view_audit_log", "Can browse the audit log"),
            ("view_outcome_report", "Can see the clinic's outcome reports"),
        ]

    def __str__(self) -> str:
        return "Clinic permissions"
