"""Assessments recorded in visits, the scores extracted from them, and what the clinician
concluded: working diagnoses and red-flag alerts on the episode."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from assessments.dates import NotInFuture, not_before_1900
from assessments.text import single_line

from . import host
from .reasoning import rulesets


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SAVED = "saved", "Saved"
    SIGNED = "signed", "Signed"


class Assessment(models.Model):
    """The answers to one version of a template, stored whole and validated against it.

    `answers` holds the last answers that passed validation; `draft` holds the raw form
    input saved mid-way (it may be incomplete or invalid), so nothing typed is lost.
    """

    visit = models.ForeignKey(
        host.VISIT_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    template_code = models.CharField(max_length=50, validators=[single_line])
    template_version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict, blank=True)
    draft = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=6, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # What the reasoning panel showed when the visit was signed, kept as it was.
    signed_suggestions = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save: a form posted from an older copy is refused, not merged.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["visit", "template_code"]
        # The plugin's own rights, which the host gives its roles (ours: clinic/roles.py).
        permissions = [
            ("read_assessment", "Can read assessments, red flags and working diagnoses"),
            ("record_assessment", "Can record assessments, red flags and working diagnoses"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "template_code"], name="one_assessment_per_template_per_visit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_code} v{self.template_version} in {self.visit}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_edit", args=[self.visit_id, self.template_code])

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED

    def get_additional_data(self) -> dict:
        return {"patient_id": self.visit.episode.patient_id}


class Measurement(models.Model):
    """One outcome-measure score, typed and indexed for reports (never report from JSON)."""

    patient = models.ForeignKey(
        host.PATIENT_MODEL, on_delete=models.PROTECT, related_name="measurements"
    )
    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.PROTECT, related_name="measurements"
    )
    visit = models.ForeignKey(
        host.VISIT_MODEL, on_delete=models.PROTECT, related_name="measurements"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="measurements", null=True, blank=True
    )
    measure_code = models.CharField(max_length=20, validators=[single_line])
    value = models.FloatField()
    unit = models.CharField(max_length=10, validators=[single_line])
    scoring_version = models.CharField(max_length=20, validators=[single_line])
    missing_items = models.PositiveSmallIntegerField(default=0)
    raw = models.JSONField(default=dict)
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["scored_at", "id"]
        indexes = [
            models.Index(
                fields=["episode", "measure_code", "scored_at"], name="measurement_episode_idx"
            ),
            models.Index(fields=["measure_code", "scored_at"], name="measurement_code_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "measure_code"], name="one_score_per_measure_per_visit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_code} = {self.value:g} {self.unit}"


class EpisodeMeasureSummary(models.Model):
    """Each measure of an episode at a glance: its first score (the baseline), its last
    (the latest, in (scored_at, id) order) and how many there are.

    Derived from the Measurement rows and kept by ``assessments.summaries`` (every save
    and delete of a Measurement, and the assessment save's bulk insert, refresh the
    episode's rows), so the outcome report reads one small row per (episode, measure)
    instead of every score. Bulk loaders that bypass the ORM's signals (``bulk_create``,
    COPY) call ``assessments.summaries.rebuild_summaries``.
    """

    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.CASCADE, related_name="measure_summaries"
    )
    measure_code = models.CharField(max_length=20, validators=[single_line])
    baseline = models.FloatField()
    baseline_at = models.DateTimeField()
    latest = models.FloatField()
    latest_at = models.DateTimeField()
    scores_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["episode", "measure_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "measure_code"], name="one_summary_per_episode_measure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_code} {self.baseline:g} → {self.latest:g} ({self.scores_count})"


class Verification(models.TextChoices):
    # FHIR Condition.verificationStatus values (clinical spec, section 6).
    PROVISIONAL = "provisional", "Provisional"
    DIFFERENTIAL = "differential", "Differential"


class WorkingDiagnosis(models.Model):
    """A pain source the clinician confirmed for the episode (decision support suggests,
    the clinician decides)."""

    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.PROTECT, related_name="working_diagnoses"
    )
    # A source of the rule set of one of the episode's assessments' templates (checked by
    # services.working_diagnosis_confirm): a new region's sources need no migration.
    source_code = models.CharField(max_length=40, validators=[single_line])
    # The clinician marks the main (working) diagnosis; the episode's other sources are
    # differentials. A withdrawn row keeps what it was when it was withdrawn.
    is_main = models.BooleanField(default=False, db_default=False)
    was_suggested = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "working diagnoses"
        ordering = ["episode", "-is_main", "confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "source_code"], name="one_diagnosis_row_per_source"
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(is_main=True, withdrawn_at__isnull=True),
                name="one_main_diagnosis_per_episode",
            ),
        ]
        indexes = [models.Index(fields=["source_code"], name="diagnosis_source_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return rulesets.source_label(self.source_code)

    @property
    def verification(self) -> str:
        """FHIR Condition.verificationStatus: the main diagnosis is provisional, the
        others differential (clinical spec, section 6)."""
        return Verification.PROVISIONAL if self.is_main else Verification.DIFFERENTIAL

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class RedFlagOutcome(models.TextChoices):
    CAUDA_EQUINA = "cauda_equina", "Possible cauda equina syndrome"
    SERIOUS_PATHOLOGY = "serious_pathology", "Possible serious pathology"


class RedFlagAlert(models.Model):
    """A red flag screened positive in the episode. Until a clinician records that it was
    cleared, the interventions that need red flags cleared are blocked for the episode."""

    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.PROTECT, related_name="red_flag_alerts"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=RedFlagOutcome.choices)
    items = models.JSONField(default=list)
    raised_at = models.DateTimeField(auto_now_add=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    clearance_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cleared_at__isnull=True)
                | (models.Q(cleared_by__isnull=False) & ~models.Q(clearance_reason="")),
                name="red_flag_cleared_with_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()

    @property
    def is_cleared(self) -> bool:
        return self.cleared_at is not None

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class ReferredTo(models.TextChoices):
    GP = "gp", "GP"
    EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department"
    SPINAL_SERVICE = "spinal_service", "Spinal service"
    OTHER = "other", "Other"


class ReferralUrgency(models.TextChoices):
    # The spec's red-flag urgencies (sections 2 and 3): cauda equina is an emergency,
    # same-day referral; possible serious pathology an urgent medical referral.
    EMERGENCY = "emergency", "Emergency: same day"
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


class ReferralMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class RedFlagReferral(models.Model):
    """The referral a physio made for a red flag: to whom, how urgently, when and how.

    It belongs to the visit whose assessment raised the flag: changed while that visit is
    a draft, read-only once it is signed. One recorded after signing is an addition (like
    an adverse event), kept as recorded.
    """

    alert = models.ForeignKey(RedFlagAlert, on_delete=models.PROTECT, related_name="referrals")
    visit = models.ForeignKey(
        host.VISIT_MODEL, on_delete=models.PROTECT, related_name="red_flag_referrals"
    )
    referred_to = models.CharField(max_length=20, choices=ReferredTo.choices)
    referred_to_name = models.CharField(
        "name",
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text="The service, clinician or department; needed for Other.",
    )
    urgency = models.CharField(max_length=9, choices=ReferralUrgency.choices)
    referred_at = models.DateTimeField(
        "when",
        validators=[not_before_1900, NotInFuture("A referral cannot be dated in the future.")],
    )
    method = models.CharField("how", max_length=9, choices=ReferralMethod.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alert", "referred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referred_to="other") | ~models.Q(referred_to_name=""),
                name="referral_to_other_is_named",
                violation_error_message="Name whom the patient was referred to.",
            ),
            # The same referral posted twice (a double click, the back button) is one.
            models.UniqueConstraint(
                fields=[
                    "alert",
                    "referred_to",
                    "referred_to_name",
                    "urgency",
                    "method",
                    "referred_at",
                ],
                name="referral_recorded_once",
                violation_error_message="This referral is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.to_whom} ({self.get_urgency_display().lower()})"

    @property
    def to_whom(self) -> str:
        if self.referred_to == ReferredTo.OTHER:
            return self.referred_to_name
        label = self.get_referred_to_display()
        return f"{label} ({self.referred_to_name})" if self.referred_to_name else label

    def get_additional_data(self) -> dict:
        return {"patient_id": self.visit.episode.patient_id}
