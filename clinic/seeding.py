"""Demo data: a realistic small clinic for `manage.py seed_demo`, and the registry through
which other apps add their own demo rows.

The demo users (`physio`, `physio2`, `physio3`, `admin`, `frontdesk`, password "demo") and
every row made here are for demonstrations and development only. Never run this against a
production clinic: anyone who has read the README could log in.

Apps add demo rows by registering a seeder in their `AppConfig.ready()`; the clinic app
never imports them:

    class AssessmentsConfig(AppConfig):
        name = "assessments"

        def ready(self) -> None:
            from assessments.host import DemoSeeder, demo_seeders

            from .demo import seed_assessments

            demo_seeders.register(DemoSeeder("assessments", seed_assessments, order=10))

    # assessments/demo.py
    def seed_assessments(context: DemoContext) -> None:
        def assessments():
            initial_visits = Visit.objects.filter(kind="initial").only("id", "starts_at")
            for visits in context.in_batches(initial_visits, context.visit_ids):
                for visit in visits:
                    yield Assessment(visit=visit, answers=..., status=...)

        context.bulk_create(Assessment, assessments())

Seeders run in `order` (then name) after the clinic's patients, episodes and visits, inside
the same transaction: if one fails, the whole run is rolled back. A seeder draws its random
choices from `context.rng` and `context.faker` so that a given `--seed` gives the same clinic.
"""

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from assessments.host import DemoSeederRegistry, demo_seeders, visit_sections
from assessments.triggers import unguarded

from .models import (
    DischargeReason,
    EpisodeOfCare,
    EpisodeStatus,
    Patient,
    Sex,
    Side,
    Visit,
    VisitKind,
    VisitStatus,
    new_patient_identifier,
)
from .roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST, ROLES

ModelT = TypeVar("ModelT", bound=models.Model)

DEMO_PASSWORD = "demo"


class SeedingError(Exception):
    """The demo clinic could not be created; nothing was saved."""


# --- The registry other apps add their seeders to --------------------------------------


# --- What every seeder receives ----------------------------------------------------------


@dataclass
class DemoContext:
    """The run's random sources, users and the ids of the clinic rows it created."""

    rng: random.Random
    faker: Faker
    users: dict[str, list[Any]]  # role name (clinic.roles) -> users, ordered by username
    batch_size: int
    now: datetime
    show_progress: bool = False
    patient_ids: list[int] = field(default_factory=list)
    episode_ids: list[int] = field(default_factory=list)
    visit_ids: list[int] = field(default_factory=list)
    # The demo note of each visit, for the app that holds visit notes (records.py's
    # `replaces_notes`); empty when the plain notes box holds them.
    visit_notes: dict[int, str] = field(default_factory=dict)
    # The pain (0-10) the course of care gave each visit, which its note reports: an app
    # that records scores records these, so notes and scores agree.
    visit_pain: dict[int, int] = field(default_factory=dict)
    # What was created, by label ("visits", "assessments", ...), for the summary.
    created: Counter[str] = field(default_factory=Counter)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    @property
    def physios(self) -> list[Any]:
        return self.users[PHYSIOTHERAPIST]

    def progress(self, *, total: int | None, desc: str) -> tqdm:
        return tqdm(total=total, desc=desc, unit=" rows", disable=not self.show_progress)

    def insert(self, model: type[ModelT], objs: list[ModelT]) -> list[ModelT]:
        """Insert one batch of rows in bulk; their primary keys are set on return.

        bulk_create sends no post_save signal, so django-auditlog records nothing for demo
        rows: that is intended (the audit log is for real changes, and per-row signals would
        make a large demo clinic slow).
        """
        created = model.objects.bulk_create(objs, batch_size=self.batch_size)
        self.created[str(model._meta.verbose_name_plural)] += len(created)
        return created

    def bulk_create(
        self, model: type[ModelT], objs: Iterable[ModelT], *, total: int | None = None
    ) -> list[int]:
        """Insert `objs` (consumed lazily, so a generator keeps memory flat) in batches;
        returns the new primary keys."""
        pks: list[int] = []
        objs = iter(objs)
        with self.progress(total=total, desc=str(model._meta.verbose_name_plural)) as bar:
            while batch := list(islice(objs, self.batch_size)):
                pks.extend(obj.pk for obj in self.insert(model, batch))
                bar.update(len(batch))
        return pks

    def in_batches(self, queryset: models.QuerySet, ids: Sequence[int]) -> Iterator[list]:
        """Yield the rows of `queryset` whose pk is in `ids` (e.g. `self.visit_ids`), one
        query per batch, in pk order."""
        limit = connection.features.max_query_params
        # Leave room for the queryset's own parameters on SQLite.
        size = self.batch_size if limit is None else min(self.batch_size, limit // 2)
        for start in range(0, len(ids), size):
            yield list(queryset.filter(pk__in=ids[start : start + size]).order_by("pk"))


# --- The demo users ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    is_staff: bool = False


DEMO_USERS = (
    DemoUser("physio", "Priya", "Shah", PHYSIOTHERAPIST),
    DemoUser("physio2", "Tom", "Reed", PHYSIOTHERAPIST),
    DemoUser("physio3", "Amara", "Osei", PHYSIOTHERAPIST),
    DemoUser("admin", "Ada", "Okafor", CLINIC_ADMIN, is_staff=True),
    DemoUser("frontdesk", "Fran", "Cole", FRONT_DESK),
)


def demo_users_ensure() -> dict[str, list[Any]]:
    """Get or create the demo users in their roles; existing users keep their password."""
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    if len(groups) != len(ROLES):
        raise SeedingError("The clinic's roles are missing: run `manage.py migrate` first.")
    existing = {user.username: user for user in User.objects.filter(username__in=_usernames())}
    # Hashed once for all the users: the production hasher (Argon2) is slow on purpose.
    password = make_password(DEMO_PASSWORD) if len(existing) < len(DEMO_USERS) else ""
    users: dict[str, list[Any]] = {role: [] for role in ROLES}
    for spec in DEMO_USERS:
        user = existing.get(spec.username)
        if user is None:
            user = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@clinic.example",
                is_staff=spec.is_staff,
                password=password,
            )
        user.groups.add(groups[spec.role])
        users[spec.role].append(user)
    return users


def _usernames() -> list[str]:
    return [spec.username for spec in DEMO_USERS]


# --- The clinic: patients, episodes of buttock pain and their visits ------------------------

# Ofcom reserves these ranges for drama: no real person is ever rung or texted.
MOBILE_PREFIX = "07700 900"
LANDLINE_PREFIX = "0113 496 0"
# The demo clinic is in Leeds; patients come from round about.
# (town, postcode area, highest district number, weight)
TOWNS = (
    ("Leeds", "LS", 29, 60),
    ("Harrogate", "HG", 5, 8),
    ("Wakefield", "WF", 17, 10),
    ("Bradford", "BD", 24, 10),
    ("Otley", "LS", 21, 6),
    ("Wetherby", "LS", 23, 6),
)
STREET_KINDS = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Crescent", "Grove", "Way")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
PRACTICES = (
    "Chapel Allerton",
    "Headingley",
    "Roundhay",
    "Meanwood",
    "Horsforth",
    "Kirkstall",
    "Moortown",
    "Oakwood",
    "Beeston",
    "Garforth",
)
ACTIVITIES = (
    "running",
    "sitting at work",
    "driving",
    "gardening",
    "cycling",
    "walking the dog",
    "five-a-side football",
    "golf",
    "yoga",
)
AGGRAVATORS = (
    "worse on prolonged sitting",
    "worse climbing stairs",
    "worse after running",
    "worse getting out of the car",
    "eased by walking",
    "disturbing sleep when lying on that side",
)
FINDINGS = (
    "Tender over the ischial tuberosity; resisted knee flexion provocative",
    "Pain reproduced on FABER and thigh thrust; SLR negative",
    "Lumbar flexion reproduces buttock pain; neuro exam normal",
    "Tender over piriformis; FAIR test positive",
    "Pain on single-leg stance and resisted hip abduction",
)
TREATMENTS = (
    "Progressed glute and hamstring loading",
    "Soft-tissue release and hip mobility",
    "Sciatic nerve sliders added",
    "Lumbar mobilisation and core control",
    "Reviewed home exercise programme",
    "Graded return to {activity} discussed",
)
DISCHARGE_NOTES = {
    DischargeReason.GOALS_MET: "Goals met; back to {activity}. Continue home exercises.",
    DischargeReason.SELF_MANAGING: "Managing well with the home exercise programme.",
    DischargeReason.REFERRED_ON: "Slow progress; referred back to GP for imaging.",
    DischargeReason.DID_NOT_RETURN: "Did not book further appointments; letter sent to GP.",
    DischargeReason.PATIENT_CHOICE: "Patient chose to stop treatment for now.",
    DischargeReason.OTHER: "Moved out of the area; advised to self-refer locally.",
}
REASON_WEIGHTS = {
    DischargeReason.GOALS_MET: 45,
    DischargeReason.SELF_MANAGING: 25,
    DischargeReason.DID_NOT_RETURN: 14,
    DischargeReason.REFERRED_ON: 8,
    DischargeReason.PATIENT_CHOICE: 6,
    DischargeReason.OTHER: 2,
}
# Appointment slots: every half hour from 08:30 to 17:30.
SLOTS = tuple(time(8 + (30 + 30 * i) // 60, (30 + 30 * i) % 60) for i in range(19))


@dataclass
class PlannedVisit:
    starts_at: datetime
    kind: str
    practitioner: Any
    notes: str
    signed_at: datetime | None
    pain: int


@dataclass
class PlannedEpisode:
    episode: EpisodeOfCare
    visits: list[PlannedVisit]


class ClinicGenerator:
    """Draws patients and their episodes of care from the context's random sources."""

    def __init__(self, context: DemoContext) -> None:
        self.context = context
        self.rng = context.rng
        self.faker = context.faker
        self.today = context.today
        self.zone = timezone.get_current_timezone()
        # Slots used per practitioner and day, so a small demo has a clean diary (emptied
        # after each batch: a large demo clinic is overbooked whatever we do).
        self.taken: set[tuple[int, date, time]] = set()

    def patient(self, identifier: str) -> Patient:
        rng, faker = self.rng, self.faker
        sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.UNKNOWN], [55, 43, 1, 1])[0]
        if sex == Sex.FEMALE:
            given_name = faker.first_name_female()
        elif sex == Sex.MALE:
            given_name = faker.first_name_male()
        else:
            given_name = faker.first_name()
        family_name = faker.last_name()
        town, area, districts, _weight = rng.choices(TOWNS, [town[3] for town in TOWNS])[0]
        postcode = (
            f"{area}{rng.randint(1, districts)} {rng.randint(1, 9)}"
            f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        )
        address = (
            f"{rng.randint(1, 180)} {faker.last_name()} {rng.choice(STREET_KINDS)}\n"
            f"{town}\n{postcode}"
        )
        if rng.random() < 0.8:
            phone = f"{MOBILE_PREFIX}{rng.randint(0, 999):03d}"
        else:
            phone = f"{LANDLINE_PREFIX}{rng.randint(0, 999):03d}"
        email = ""
        if rng.random() < 0.9:
            local = re.sub(r"[^a-z.]", "", f"{given_name}.{family_name}".lower())
            if rng.random() < 0.5:
                local += str(rng.randint(1, 99))
            email = f"{local}@{rng.choice(('example.com', 'example.org', 'example.net'))}"
        return Patient(
            identifier=identifier,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=self.today - timedelta(days=rng.randint(18 * 366, 86 * 365 - 1)),
            sex=sex,
            phone=phone,
            email=email,
            address=address,
            referrer=self.referrer(),
            contact_consent=rng.random() < 0.85,
        )

    def referrer(self) -> str:
        roll = self.rng.random()
        if roll < 0.65:
            practice = self.rng.choice(PRACTICES)
            kind = self.rng.choice(("Medical Practice", "Surgery", "Health Centre"))
            return f"Dr {self.faker.first_name()[0]}. {self.faker.last_name()}, {practice} {kind}"
        if roll < 0.87:
            return "Self-referral"
        if roll < 0.94:
            return "Occupational health"
        return "Orthopaedic clinic, Leeds General Infirmary"

    def episodes(self) -> list[PlannedEpisode]:
        """One episode, sometimes two: an earlier one discharged, then a new one."""
        rng = self.rng
        if rng.random() < 0.12:
            first = self.episode(self._weekday(self.today - timedelta(days=rng.randint(150, 182))))
            if first.episode.closed_on is None:
                return [first]
            opened_on = self._weekday(first.episode.closed_on + timedelta(rng.randint(14, 45)))
            if opened_on >= self.today:
                return [first]
            return [first, self.episode(opened_on)]
        # Skewed to recent weeks, as in a real case load: half opened in the last two months.
        days_ago = 1 + int(181 * rng.random() ** 1.5)
        return [self.episode(self._weekday(self.today - timedelta(days=days_ago)))]

    def episode(self, opened_on: date) -> PlannedEpisode:
        rng, physios = self.rng, self.context.physios
        side = rng.choices([Side.RIGHT, Side.LEFT, Side.BILATERAL], [45, 40, 15])[0]
        complaint = (
            "Bilateral buttock pain" if side == Side.BILATERAL else f"{side.label} buttock pain"
        )
        if rng.random() < 0.35:
            complaint += rng.choice(
                (", worse on sitting", " radiating to the back of the thigh", " after running")
            )
        physio = rng.choice(physios)
        episode = EpisodeOfCare(
            complaint=complaint,
            side=side,
            onset_date=opened_on - timedelta(days=rng.randint(10, 300)),
            physio=physio,
            status=EpisodeStatus.OPEN,
            opened_on=opened_on,
        )
        # The course of care: visit days and the pain (NPRS) at each, up to the present.
        planned_count = rng.choices(range(2, 10), [8, 14, 20, 20, 14, 10, 8, 6])[0]
        days: list[date] = []
        pains: list[int] = []
        day, pain = opened_on, rng.randint(4, 8)
        while day < self.today and len(days) < planned_count:
            days.append(day)
            pains.append(pain)
            pain = max(0, min(10, pain - rng.choice((0, 1, 1, 1, 2)) + (rng.random() < 0.1)))
            # Weekly at first, then spaced out as the patient self-manages.
            weeks = 1 if len(days) < 3 else rng.choice((1, 2, 2, 3))
            day = self._weekday(day + timedelta(days=7 * weeks + rng.randint(-1, 1)))
        days.append(day)  # the next review, as planned at the last visit

        reason = None
        if len(pains) == planned_count:
            reason = rng.choices(list(REASON_WEIGHTS), list(REASON_WEIGHTS.values()))[0]
            if reason == DischargeReason.GOALS_MET and pains[-1] >= 5:
                reason = DischargeReason.REFERRED_ON
            elif reason == DischargeReason.REFERRED_ON and pains[-1] <= 3:
                reason = DischargeReason.GOALS_MET
        activity = rng.choice(ACTIVITIES)
        discharge_note = DISCHARGE_NOTES[reason].format(activity=activity) if reason else ""
        if reason == DischargeReason.DID_NOT_RETURN:
            closed_on = days[-2] + timedelta(days=rng.randint(28, 42))
            if closed_on >= self.today:
                reason = None  # still waiting to hear from the patient
        elif reason:
            closed_on = days[-2]
        if reason:
            episode.status = EpisodeStatus.DISCHARGED
            episode.discharge_reason = reason
            episode.discharge_notes = discharge_note
            episode.closed_on = closed_on

        visits = []
        for index, pain in enumerate(pains):
            if index == 0:
                kind = VisitKind.INITIAL
                notes = (
                    f"{rng.randint(2, 30)}-week history of {complaint.lower()}, "
                    f"{rng.choice(AGGRAVATORS)}. NPRS {pain}/10. {rng.choice(FINDINGS)}. "
                    f"Red flags screened: none. Goal: back to {activity}. "
                    f"Plan: education and graded loading. {self._review(days, index)}"
                )
            else:
                trend = _trend(pains[index - 1], pain)
                treatment = rng.choice(TREATMENTS).format(activity=activity)
                notes = f"Pain {pain}/10, {trend}. {treatment}."
                last = index == len(pains) - 1
                if last and reason and reason != DischargeReason.DID_NOT_RETURN:
                    kind = VisitKind.DISCHARGE
                    notes += f" {discharge_note}"
                else:
                    kind = VisitKind.FOLLOW_UP
                    notes += f" {self._review(days, index)}"
            # Mostly the treating physio; now and then a colleague covers.
            practitioner = physio if rng.random() < 0.9 else rng.choice(physios)
            visits.append(self._visit(days[index], kind, practitioner, notes, pain))

        recent = (self.today - days[-2]).days <= 21
        if not reason and recent and rng.random() < 0.6:
            visits[-1].signed_at = None  # seen recently, notes not yet signed
        return PlannedEpisode(episode=episode, visits=visits)

    @staticmethod
    def _review(days: list[date], index: int) -> str:
        weeks = max(1, round((days[index + 1] - days[index]).days / 7))
        return "Review in 1 week." if weeks == 1 else f"Review in {weeks} weeks."

    def _visit(self, day: date, kind: str, practitioner, notes: str, pain: int) -> PlannedVisit:
        slot = self.rng.choice(SLOTS)
        for _attempt in range(4):
            if (practitioner.pk, day, slot) not in self.taken:
                break
            slot = self.rng.choice(SLOTS)
        self.taken.add((practitioner.pk, day, slot))
        starts_at = timezone.make_aware(datetime.combine(day, slot), self.zone)
        signed_at = starts_at + timedelta(minutes=self.rng.randint(20, 240))
        return PlannedVisit(
            starts_at=starts_at,
            kind=kind,
            practitioner=practitioner,
            notes=notes,
            signed_at=min(signed_at, self.context.now),
            pain=pain,
        )

    def _weekday(self, day: date) -> date:
        """Past visits fall on weekdays (the demo clinic's Saturdays, clinic.demo_diary, are
        left for bookings): move to the Monday after (or the Friday before, when that Monday
        is not yet past)."""
        if day.weekday() < 5:
            return day
        monday = day + timedelta(days=7 - day.weekday())
        return monday if monday < self.today else day - timedelta(days=day.weekday() - 4)


def _trend(before: int, now: int) -> str:
    if now < before:
        return "improving"
    return "about the same" if now == before else "a little worse"


def new_identifiers(count: int, taken: set[str]) -> list[str]:
    """`count` clinic numbers, unique among themselves and not in `taken`."""
    identifiers: set[str] = set()
    while len(identifiers) < count:
        identifier = new_patient_identifier()
        if identifier not in taken:
            identifiers.add(identifier)
    return list(identifiers)


def _seed_clinic(context: DemoContext, patient_count: int) -> None:
    taken = (
        set(Patient.objects.values_list("identifier", flat=True))
        if Patient.objects.exists()
        else set()
    )
    identifiers = iter(new_identifiers(patient_count, taken))
    generator = ClinicGenerator(context)
    # Each note goes where the visit page keeps it: the plain box, or an app's note.
    notes_elsewhere = visit_sections.replace_notes()
    with context.progress(total=patient_count, desc="patients") as bar:
        for start in range(0, patient_count, context.batch_size):
            size = min(context.batch_size, patient_count - start)
            patients = [generator.patient(next(identifiers)) for _ in range(size)]
            plans = [generator.episodes() for _ in patients]
            context.insert(Patient, patients)
            episodes = []
            for patient, patient_plans in zip(patients, plans, strict=True):
                for plan in patient_plans:
                    plan.episode.patient_id = patient.pk
                    episodes.append(plan.episode)
            context.insert(EpisodeOfCare, episodes)
            planned = [
                (plan.episode.pk, visit)
                for patient_plans in plans
                for plan in patient_plans
                for visit in plan.visits
            ]
            visits = [
                Visit(
                    episode_id=episode_id,
                    practitioner_id=visit.practitioner.pk,
                    starts_at=visit.starts_at,
                    kind=visit.kind,
                    notes="" if notes_elsewhere else visit.notes,
                    status=VisitStatus.SIGNED if visit.signed_at else VisitStatus.DRAFT,
                    signed_by_id=visit.practitioner.pk if visit.signed_at else None,
                    signed_at=visit.signed_at,
                )
                for episode_id, visit in planned
            ]
            context.insert(Visit, visits)
            if notes_elsewhere:
                context.visit_notes.update(
                    (row.pk, visit.notes) for row, (_, visit) in zip(visits, planned, strict=True)
                )
            context.created["draft visits"] += sum(1 for v in visits if v.signed_at is None)
            context.patient_ids.extend(patient.pk for patient in patients)
            context.episode_ids.extend(episode.pk for episode in episodes)
            context.visit_ids.extend(visit.pk for visit in visits)
            context.visit_pain.update(
                (row.pk, visit.pain) for row, (_, visit) in zip(visits, planned, strict=True)
            )
            generator.taken.clear()
            bar.update(size)


# --- The whole run -----------------------------------------------------------------------


def demo_clinic_create(
    *,
    patients: int,
    seed: int = 1,
    batch_size: int = 2000,
    show_progress: bool = False,
    seeders: DemoSeederRegistry = demo_seeders,
) -> DemoContext:
    """Create the demo users, `patients` patients with their episodes and visits, then run
    every registered seeder. All of it is one transaction: a failure leaves nothing behind
    (a half-made clinic would also make `seed_demo --if-empty` skip it for good).

    The visits are inserted signed, with their records after them, as a restore loads a
    backup: the database's guards on signed records are lifted for the transaction."""
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    with transaction.atomic(), unguarded(reason="demo clinic"):
        context = DemoContext(
            rng=random.Random(seed),
            faker=faker,
            users=demo_users_ensure(),
            batch_size=batch_size,
            now=timezone.now(),
            show_progress=show_progress,
        )
        _seed_clinic(context, patients)
        for seeder in seeders:
            try:
                seeder.function(context)
            except Exception as error:
                raise SeedingError(
                    f"The demo seeder {seeder.name!r} failed: {error}; nothing was saved."
                ) from error
    return context
