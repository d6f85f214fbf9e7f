"""What was done in each visit, the consents and screens that allow it, and the plan."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from assessments import host
from assessments.dates import AtMostTwoYearsAhead, NotInFuture, not_before_1900
from assessments.text import single_line

from .kinds import EXERCISE_FIELDS, kinds
from .safety import evaluate_screen


def _kind_choices() -> list[tuple[str, str]]:
    return kinds.choices()


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written"


class Consent(models.Model):
    """The patient's consent to one kind of intervention in an episode.

    One consent per episode and kind is in force: recording another replaces it (the
    earlier one is kept, marked superseded), and a withdrawn one is no longer in force.
    The database holds to it (`one_active_consent_per_episode_kind`), so two physios
    recording the patient's consent at the same moment make one.
    """

    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    intervention_kind = models.CharField(max_length=40, choices=_kind_choices)
    given_on = models.DateField(
        validators=[not_before_1900, NotInFuture("The consent date cannot be in the future.")]
    )
    method = models.CharField(max_length=7, choices=ConsentMethod.choices)
    risks_discussed = models.JSONField(default=list, blank=True)
    right_to_withdraw_explained = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(
        null=True,
        blank=True,
        validators=[not_before_1900, NotInFuture("The withdrawal date cannot be in the future.")],
    )
    # When a later consent to the same kind in the episode replaced this one.
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["episode", "intervention_kind"], name="consent_episode_kind_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "intervention_kind"],
                condition=models.Q(withdrawn_on__isnull=True, superseded_at__isnull=True),
                name="one_active_consent_per_episode_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} consent to {self.get_intervention_kind_display()} on {self.given_on:%d %b %Y}"

    @property
    def risk_labels(self) -> list[str]:
        terms = (
            kinds.get(self.intervention_kind).consent_terms
            if self.intervention_kind in kinds
            else None
        )
        labels = dict(terms.risks) if terms else {}
        return [labels.get(code, code) for code in self.risks_discussed]

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class ContraindicationScreen(models.Model):
    """A dry-needling contraindication screen: what was found and, for cautions, why
    needling is still clinically justified."""

    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.PROTECT, related_name="contraindication_screens"
    )
    present = models.JSONField(default=list, blank=True)
    justification = models.TextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_at", "-id"]

    def __str__(self) -> str:
        return f"Contraindication screen of {self.screened_at:%d %b %Y}"

    @property
    def outcome(self):
        return evaluate_screen(list(self.present))

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class DeliveredIntervention(models.Model):
    """One intervention given in a visit, with the parameters a colleague would need to
    repeat it (validated against its kind's schema; side, level and muscle included)."""

    visit = models.ForeignKey(
        host.VISIT_MODEL, on_delete=models.PROTECT, related_name="interventions"
    )
    kind = models.CharField(max_length=40, choices=_kind_choices)
    params = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who changed it last (an edit or the removal), and when; the audit log has each diff.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "created_at", "id"]
        indexes = [models.Index(fields=["kind", "visit"], name="intervention_kind_visit_idx")]
        # The plugin's own rights, which the host gives its roles (ours: clinic/roles.py).
        permissions = [
            ("read_treatment", "Can read interventions, notes, plans and progress"),
            ("record_intervention", "Can record interventions, notes, plans and consents"),
            ("view_outcome_report", "Can see the clinic's outcome reports"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def get_absolute_url(self) -> str:
        return f"{self.visit.get_absolute_url()}#intervention-{self.pk}"

    @property
    def edited_by_someone_else(self) -> bool:
        """Changed since by someone other than who recorded it (after a takeover)."""
        return self.updated_by_id is not None and self.updated_by_id != self.recorded_by_id

    def get_additional_data(self) -> dict:
        return {"patient_id": self.visit.episode.patient_id}


class EpisodeInterventionKind(models.Model):
    """The kinds of intervention an episode has had: one row per (episode, kind) with at
    least one intervention of that kind not removed.

    Derived from DeliveredIntervention and kept by ``treatments.summaries`` (every save of
    an intervention refreshes its episode's rows), so the outcome report groups and
    filters episodes by kind without reading every intervention. Bulk loaders call
    ``treatments.summaries.rebuild_intervention_kinds``.
    """

    episode = models.ForeignKey(
        host.EPISODE_MODEL, on_delete=models.CASCADE, related_name="intervention_kinds"
    )
    kind = models.CharField(max_length=40, validators=[single_line])

    class Meta:
        ordering = ["episode", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="one_row_per_episode_kind"),
        ]
        # The report's filter and a group's episodes: the episodes of one kind (the unique
        # index above leads with the episode). Measured in migration 0003.
        indexes = [models.Index(fields=["kind", "episode"], name="episode_kind_kind_idx")]

    def __str__(self) -> str:
        return self.kind


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseEvent(models.Model):
    intervention = models.ForeignKey(
        DeliveredIntervention, on_delete=models.PROTECT, related_name="adverse_events"
    )
    event_type = models.CharField("type of event", max_length=120, validators=[single_line])
    severity = models.CharField(max_length=8, choices=Severity.choices)
    action_taken = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.event_type}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.intervention.visit.episode.patient_id}


class VisitNote(models.Model):
    """The SOAP note of a visit: subjective update, objective findings, the analysis and
    the plan. Measures re-taken are Measurement rows; interventions are their own rows."""

    visit = models.OneToOneField(
        host.VISIT_MODEL, on_delete=models.PROTECT, related_name="soap_note"
    )
    subjective = models.TextField("subjective update", blank=True)
    objective = models.TextField("objective findings", blank=True)
    analysis = models.TextField("assessment of progress", blank=True)
    plan = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Note of {self.visit}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.visit.episode.patient_id}


class TreatmentPlan(models.Model):
    episode = models.OneToOneField(
        host.EPISODE_MODEL, on_delete=models.PROTECT, related_name="treatment_plan"
    )
    planned_interventions = models.JSONField(default=list, blank=True)
    visit_interval_days = models.PositiveSmallIntegerField(
        "see the patient every (days)", help_text="7 for weekly, 14 for fortnightly."
    )
    planned_visits = models.PositiveSmallIntegerField("number of visits planned")
    next_review_on = models.DateField(
        "next review",
        null=True,
        blank=True,
        validators=[
            not_before_1900,
            AtMostTwoYearsAhead("A review can be planned at most two years ahead."),
        ],
    )
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save: a form posted from an older copy is refused, not merged.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit_interval_days__gte=1, visit_interval_days__lte=365),
                name="plan_interval_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_visits__gte=1, planned_visits__lte=100),
                name="plan_visits_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for {self.episode}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class Comparator(models.TextChoices):
    AT_MOST = "<=", "at most"
    AT_LEAST = ">=", "at least"


class Goal(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300, validators=[single_line])
    measure_code = models.CharField(max_length=20, blank=True, validators=[single_line])
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    target_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(measure_code="", target_value__isnull=True)
                | (
                    ~models.Q(measure_code="")
                    & models.Q(target_value__isnull=False)
                    & ~models.Q(comparator="")
                ),
                name="goal_target_complete",
            ),
        ]

    def __str__(self) -> str:
        if self.measure_code:
            return (
                f"{self.text} ({self.measure_code.upper()} {self.comparator} {self.target_value:g})"
            )
        return self.text

    def met_by(self, value: float | None) -> bool | None:
        if not self.measure_code or value is None:
            return None
        return value <= self.target_value if self.comparator == "<=" else value >= self.target_value

    def get_additional_data(self) -> dict:
        return {"patient_id": self.plan.episode.patient_id}


def _frequency_choices() -> list[tuple[str, str]]:
    frequency = next(param for param in EXERCISE_FIELDS if param.code == "frequency")
    return [(choice.code, choice.label) for choice in frequency.choices]


class Exercise(models.Model):
    """An exercise of the library the clinic curates (in the Django admin): the exercise
    programme form offers it by name and fills in its instructions and usual dosage,
    which the physio changes for the patient. A programme keeps its own copy."""

    name = models.CharField(max_length=100, unique=True, validators=[single_line])
    instructions = models.CharField(
        "instructions for the patient",
        max_length=1000,
        validators=[single_line],
        help_text="In plain words, as the patient reads them on their handout.",
    )
    sets = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    reps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    hold_seconds = models.PositiveSmallIntegerField(
        "hold (s)", null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    frequency = models.CharField(max_length=20, blank=True, choices=_frequency_choices)
    active = models.BooleanField(
        default=True,
        help_text="Untick to take it off the list; programmes that used it keep their copy.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def row_defaults(self) -> dict[str, object]:
        """What it fills into a programme's row: the instructions and the usual dosage
        (None where the dosage has no such part: a stretch held, not counted in sets)."""
        row = {
            "instructions": self.instructions,
            "sets": self.sets,
            "reps": self.reps,
            "hold_seconds": self.hold_seconds,
        }
        return row | ({"frequency": self.frequency} if self.frequency else {})
