"""Patients, their episodes of care and visits: the records every plugin app hangs off."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assessments.dates import (
    BOOKING_TOO_LATE,
    AtMostTwoYearsAhead,
    NotInFuture,
    not_before_1900,
    visit_start_within_the_hour,
)
from assessments.text import single_line

from .managers import AppointmentQuerySet, EpisodeQuerySet, PatientQuerySet, VisitQuerySet

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
        "clinic number",
        max_length=9,
        unique=True,
        editable=False,
        default=new_patient_identifier,
        validators=[single_line],
    )
    given_name = models.CharField("first name", max_length=100, validators=[single_line])
    family_name = models.CharField("last name", max_length=100, validators=[single_line])
    date_of_birth = models.DateField(
        validators=[not_before_1900, NotInFuture("The date of birth cannot be in the future.")]
    )
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=30, blank=True, validators=[single_line])
    email = models.EmailField(blank=True, validators=[single_line])
    address = models.TextField(blank=True)
    referrer = models.CharField(
        "GP / referrer", max_length=200, blank=True, validators=[single_line]
    )
    contact_consent = models.BooleanField(
        "consents to be contacted",
        default=False,
        help_text="Reminders and follow-up calls are only sent to patients who agreed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    # Bumped on every change: an edit form posted from an older copy is refused, not merged.
    revision = models.PositiveIntegerField(default=1, editable=False)
    # Patients are never deleted: archived ones leave the lists but keep their record.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    archive_reason = models.CharField(
        max_length=200, blank=True, editable=False, validators=[single_line]
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        permissions = [("archive_patient", "Can archive and unarchive patients")]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(archived_at__isnull=True) | ~models.Q(archive_reason=""),
                name="patient_archived_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identifier})"

    def get_absolute_url(self) -> str:
        return reverse("clinic:patient_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

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
    complaint = models.CharField(
        max_length=200, help_text="e.g. Right buttock pain", validators=[single_line]
    )
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.NOT_APPLICABLE)
    onset_date = models.DateField(
        null=True,
        blank=True,
        validators=[not_before_1900, NotInFuture("The onset date cannot be in the future.")],
    )
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="episodes",
        verbose_name="treating physio",
    )
    status = models.CharField(
        max_length=12, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    opened_on = models.DateField(
        default=timezone.localdate,
        validators=[not_before_1900, NotInFuture("An episode cannot be opened in the future.")],
    )
    closed_on = models.DateField(
        null=True,
        blank=True,
        validators=[not_before_1900, NotInFuture("The discharge date cannot be in the future.")],
    )
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_notes = models.TextField(blank=True)
    # How often the patient should be seen; set from the treatment plan, and what the
    # diary's follow-ups due are computed from (last visit + interval:
    # `clinic.diary.selectors.with_follow_up_due`).
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
    starts_at = models.DateTimeField(
        "date and time",
        default=timezone.now,
        validators=[not_before_1900, visit_start_within_the_hour],
    )
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

    def get_take_over_url(self) -> str:
        return reverse("clinic:visit_take_over", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.status == VisitStatus.SIGNED

    @property
    def is_initial(self) -> bool:
        return self.kind == VisitKind.INITIAL

    @classmethod
    def signed_sql(cls, alias: str) -> str:
        """SQL: the visit row `alias` is signed (the plugin's database guards read it)."""
        return f"{alias}.status = '{VisitStatus.SIGNED}'"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


class Addendum(models.Model):
    """A correction or addition to a signed visit: the signed text itself never changes."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    reason = models.CharField(max_length=200, validators=[single_line])
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


class VisitTakeover(models.Model):
    """A physio taking over a colleague's draft visit (the colleague is away, the patient
    was seen by someone else): from then on the taker is the visit's clinician, the only
    one who writes into it and signs it. Kept with who, from whom, when and why."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="takeovers")
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200, validators=[single_line])
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return f"{self.visit} taken over by {self.taken_by} from {self.taken_from}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.visit.episode.patient_id}


class LaterAddition(models.Model):
    """A change to a discharged episode (its working diagnosis, plan or a consent), kept
    with who, when, what and why: the discharge summary lists these under "Added after
    discharge", so the summary the patient's GP was sent is never silently rewritten."""

    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.PROTECT, related_name="later_additions"
    )
    what = models.CharField(
        max_length=100, help_text="e.g. Working diagnosis", validators=[single_line]
    )
    change = models.TextField(help_text="What it is now, in words.")
    reason = models.CharField(max_length=200, validators=[single_line])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "addition after discharge"
        verbose_name_plural = "additions after discharge"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.what} changed after discharge by {self.author}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.episode.patient_id}


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


# --- The diary ---------------------------------------------------------------------------


class AppointmentKind(models.TextChoices):
    INITIAL = "initial", "Initial assessment"
    FOLLOW_UP = "follow_up", "Follow-up"
    DISCHARGE_REVIEW = "discharge_review", "Discharge review"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    ATTENDED = "attended", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Did not attend"


# These hold the physio's and the patient's time: two of one physio, or of one patient,
# never overlap (migrations 0005 and 0017).
ACTIVE_APPOINTMENT_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.ATTENDED,
)


class Appointment(models.Model):
    """A booked slot in a physio's diary; checking the patient in creates the visit.

    No two active appointments of one practitioner overlap, nor two of one patient
    (half-open intervals, so back-to-back is allowed). PostgreSQL enforces it with the
    exclusion constraints `appointment_no_overlap` and `appointment_patient_no_overlap`
    (added by migrations 0005 and 0017 on PostgreSQL only, so they are not in
    `Meta.constraints`); on SQLite `clinic.diary.services` checks inside a write transaction,
    which `transaction_mode=IMMEDIATE` serialises.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name="physio",
    )
    episode = models.ForeignKey(
        EpisodeOfCare,
        on_delete=models.PROTECT,
        related_name="appointments",
        null=True,
        blank=True,
    )
    start = models.DateTimeField(
        validators=[not_before_1900, AtMostTwoYearsAhead(BOOKING_TOO_LATE)]
    )
    end = models.DateTimeField(validators=[not_before_1900, AtMostTwoYearsAhead(BOOKING_TOO_LATE)])
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    cancel_reason = models.CharField(
        "reason for cancelling", max_length=200, blank=True, validators=[single_line]
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(
        "notes for the front desk",
        blank=True,
        help_text="Practical notes only (parking, interpreter, wheelchair): never clinical.",
    )
    visit = models.OneToOneField(
        Visit,
        on_delete=models.PROTECT,
        related_name="appointment",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        permissions = [
            ("backfill_appointment", "Can book appointments in the past"),
        ]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appointment_physio_start_idx"),
            models.Index(fields=["patient", "start"], name="appointment_patient_start_idx"),
            models.Index(fields=["status", "start"], name="appointment_status_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="appointment_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.start)
        return f"{self.get_kind_display()} on {start:%a %d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("clinic:appointment_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_APPOINTMENT_STATUSES

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeeklyTimes(models.Model):
    """A weekly recurring stretch of a physio's day, in the clinic's time zone."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="physio"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        abstract = True
        ordering = ["practitioner", "weekday", "start"]

    def __str__(self) -> str:
        # The audit log names a row as it is saved, when times may still be "09:00" strings.
        start, end = (
            self._meta.get_field(name).to_python(getattr(self, name)) for name in ("start", "end")
        )
        return f"{self.get_weekday_display()} {start:%H:%M}–{end:%H:%M}"

    def clean(self) -> None:
        if self.start is None or self.end is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})
        if self.practitioner_id is None or self.weekday is None:
            return
        overlapping = (
            type(self)
            .objects.filter(
                practitioner_id=self.practitioner_id,
                weekday=self.weekday,
                start__lt=self.end,
                end__gt=self.start,
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None:
            raise ValidationError(f"This overlaps {overlapping} of the same physio.")


class WorkingHours(WeeklyTimes):
    """When a physio sees patients; a physio with none works the clinic's default hours."""

    class Meta(WeeklyTimes.Meta):
        verbose_name = "working hours"
        verbose_name_plural = "working hours"
        default_related_name = "working_hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="working_hours_end_after_start",
            ),
        ]


class WorkingBreak(WeeklyTimes):
    """A weekly break (lunch, admin time) in which nothing can be booked."""

    label = models.CharField(
        max_length=60, blank=True, help_text="e.g. Lunch", validators=[single_line]
    )

    class Meta(WeeklyTimes.Meta):
        verbose_name = "break"
        verbose_name_plural = "breaks"
        default_related_name = "working_breaks"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="working_break_end_after_start",
            ),
        ]


TIME_OFF_AHEAD = AtMostTwoYearsAhead("Time off can be recorded at most two years ahead.")


class TimeOff(models.Model):
    """Whole days a physio is away (leave, illness, a course): nothing can be booked."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="time_off",
        verbose_name="physio",
    )
    first_day = models.DateField(validators=[not_before_1900, TIME_OFF_AHEAD])
    last_day = models.DateField(validators=[not_before_1900, TIME_OFF_AHEAD])
    reason = models.CharField(
        max_length=60, blank=True, help_text="e.g. Annual leave", validators=[single_line]
    )

    class Meta:
        verbose_name = "time off"
        verbose_name_plural = "time off"
        ordering = ["practitioner", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="time_off_last_day_not_before_first",
            ),
        ]

    def __str__(self) -> str:
        # The audit log names a row as it is saved, when dates may still be strings.
        first, last = (
            self._meta.get_field(name).to_python(getattr(self, name))
            for name in ("first_day", "last_day")
        )
        span = f"{first:%d %b %Y}" if first == last else f"{first:%d %b} to {last:%d %b %Y}"
        return f"{self.reason or 'Away'}, {span}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day cannot be before the first day."})


class ContactOutcome(models.TextChoices):
    SPOKE = "called", "Called: spoke to the patient"
    LEFT_MESSAGE = "left_message", "Left a message"
    WILL_CALL_BACK = "will_call_back", "Patient will call back"
    NO_ANSWER = "no_answer", "No answer"


class ContactAttempt(models.Model):
    """The front desk tried to reach a patient who is due back or missed an appointment."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="contact_attempts")
    episode = models.ForeignKey(
        EpisodeOfCare,
        on_delete=models.PROTECT,
        related_name="contact_attempts",
        null=True,
        blank=True,
    )
    missed_appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        related_name="contact_attempts",
        null=True,
        blank=True,
    )
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.CharField(max_length=200, blank=True, validators=[single_line])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["episode", "created_at"], name="contact_episode_idx"),
            models.Index(fields=["missed_appointment", "created_at"], name="contact_missed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({timezone.localtime(self.created_at):%d %b %H:%M})"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A physio's private iCalendar feed: whoever holds the URL reads it, so it can be
    revoked (deleted) or replaced by a new token at any time, by the physio or the Clinic
    admin. It answers only while its physio is an active user in the physio role
    (`clinic.diary.services.calendar_feed_open`)."""

    practitioner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name="physio",
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, validators=[single_line]
    )
    # Set again with each new address (a new token).
    created_at = models.DateTimeField("address made", auto_now=True)
    last_used_at = models.DateTimeField("last read", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["practitioner__username"]
        permissions = [("revoke_calendarfeed", "Can revoke physios' calendar feeds")]

    def __str__(self) -> str:
        return f"Calendar feed of {self.practitioner}"

    def get_absolute_url(self) -> str:
        return reverse("clinic:calendar_feed", args=[self.practitioner_id, self.token])
