"""Demo diary: the clinic's hours, an appointment behind every past visit, some missed
appointments, follow-ups booked ahead for most open episodes, and a physio's week of leave
(registered with clinic.seeding)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ..models import Appointment, AppointmentStatus, TimeOff, Visit, WorkingBreak, WorkingHours
from ..roles import FRONT_DESK
from ..seeding import DemoContext
from .selectors import weekly_patterns
from .times import WeeklyPattern, appointment_length

KIND_OF_VISIT = {"initial": "initial", "follow_up": "follow_up", "discharge": "discharge_review"}
# The demo clinic's hours, which its physios work: Monday to Friday 8am to 8pm, Saturday
# 8am to 3pm (its past visits run from 08:30), lunch on weekdays. Whenever the demo is
# made, today or the next day is a working day with time left in it.
CLINIC_HOURS = [(weekday, time(8), time(20)) for weekday in range(5)] + [(5, time(8), time(15))]
CLINIC_BREAKS = [(weekday, time(13), time(14)) for weekday in range(5)]
# Follow-ups are booked on the half hour, within two weeks of being due.
FUTURE_STEP = timedelta(minutes=30)
FUTURE_DAYS = 14


class _Diary:
    """Per physio and day, the times already taken, so no two demo appointments overlap."""

    def __init__(self) -> None:
        self.taken: dict[tuple[int, object], list[tuple[datetime, datetime]]] = {}

    def free(self, physio_id: int, start: datetime, end: datetime) -> bool:
        busy = self.taken.get((physio_id, timezone.localdate(start)), ())
        return all(end <= s or start >= e for s, e in busy)

    def take(self, physio_id: int, start: datetime, end: datetime) -> None:
        self.taken.setdefault((physio_id, timezone.localdate(start)), []).append((start, end))


def seed_clinic_hours(context: DemoContext) -> None:
    """The clinic's hours for each demo physio who has none yet (a clinic seeded before
    keeps the hours it has, and any the Clinic admin changed)."""
    physios = [
        physio
        for physio in context.physios
        if not WorkingHours.objects.filter(practitioner=physio).exists()
    ]
    context.bulk_create(
        WorkingHours,
        (
            WorkingHours(practitioner=physio, weekday=weekday, start=start, end=end)
            for physio in physios
            for weekday, start, end in CLINIC_HOURS
        ),
    )
    context.bulk_create(
        WorkingBreak,
        (
            WorkingBreak(practitioner=physio, weekday=weekday, start=start, end=end, label="Lunch")
            for physio in physios
            for weekday, start, end in CLINIC_BREAKS
        ),
    )


def _free_start(
    pattern: WeeklyPattern, diary: "_Diary", physio_id: int, day: date, context: DemoContext
) -> datetime | None:
    """A free half hour of the physio on `day` or within FUTURE_DAYS after it, after now."""
    length = appointment_length("follow_up")
    for offset in range(FUTURE_DAYS):
        moment = day + timedelta(days=offset)
        starts = pattern.free_starts(
            moment,
            busy=diary.taken.get((physio_id, moment), ()),
            length=length,
            step=FUTURE_STEP,
            not_before=context.now,
        )
        if starts:
            return context.rng.choice(starts)
    return None


def seed_diary(context: DemoContext) -> None:
    rng, now = context.rng, context.now
    desk = context.users[FRONT_DESK][0]
    seed_clinic_hours(context)
    patterns = weekly_patterns([physio.pk for physio in context.physios])
    diary = _Diary()
    # A clinic seeded before (same seed, same times) must not be double-booked either.
    for physio_id, start, end in Appointment.objects.filter(
        status__in=["booked", "arrived", "attended"]
    ).values_list("practitioner_id", "start", "end"):
        diary.take(physio_id, start, end)
    visits = []
    for batch in context.in_batches(
        Visit.objects.select_related("episode").only(
            "id",
            "starts_at",
            "kind",
            "practitioner_id",
            "episode__id",
            "episode__patient_id",
            "episode__status",
        ),
        context.visit_ids,
    ):
        visits += batch
    visits.sort(key=lambda visit: visit.starts_at)

    def past() -> list[Appointment]:
        rows = []
        for visit in visits:
            start = visit.starts_at
            for length in (appointment_length(KIND_OF_VISIT[visit.kind]), timedelta(minutes=30)):
                if diary.free(visit.practitioner_id, start, start + length):
                    break
            else:
                continue
            diary.take(visit.practitioner_id, start, start + length)
            rows.append(
                Appointment(
                    patient_id=visit.episode.patient_id,
                    practitioner_id=visit.practitioner_id,
                    episode_id=visit.episode_id,
                    start=start,
                    end=start + length,
                    kind=KIND_OF_VISIT[visit.kind],
                    status=AppointmentStatus.ATTENDED,
                    visit=visit,
                    created_by=desk,
                    reminder_sent_at=start - timedelta(days=1),
                )
            )
        return rows

    context.bulk_create(Appointment, past())

    last_visit: dict[int, Visit] = {}
    for visit in visits:
        last_visit[visit.episode_id] = visit
    open_episodes = {pk for pk, visit in last_visit.items() if visit.episode.status == "open"}

    def ahead() -> list[Appointment]:
        rows = []
        for episode_id, visit in last_visit.items():
            if episode_id not in open_episodes:
                continue
            roll = rng.random()
            if roll < 0.08 and visit.starts_at + timedelta(days=7) < now:
                # Missed: booked a week after the last visit, the patient did not come.
                start = visit.starts_at + timedelta(days=7)
                status = AppointmentStatus.NO_SHOW
            elif roll < 0.75:
                # Due today or overdue: booked later today when a slot is left (so the
                # demo diary has a day to show), else on the next working day.
                day = timezone.localdate(max(visit.starts_at + timedelta(days=7), now))
                pattern = patterns.get(visit.practitioner_id)
                start = pattern and _free_start(pattern, diary, visit.practitioner_id, day, context)
                if start is None:
                    continue
                status = AppointmentStatus.BOOKED
            else:
                continue  # left for the front desk's follow-ups list
            end = start + appointment_length("follow_up")
            if not diary.free(visit.practitioner_id, start, end):
                continue
            diary.take(visit.practitioner_id, start, end)
            rows.append(
                Appointment(
                    patient_id=visit.episode.patient_id,
                    practitioner_id=visit.practitioner_id,
                    episode_id=episode_id,
                    start=start,
                    end=end,
                    kind="follow_up",
                    status=status,
                    created_by=desk,
                    notes=rng.choice(["", "", "Prefers mornings", "Will bring scan report"]),
                )
            )
        return rows

    context.bulk_create(Appointment, ahead())
    _seed_time_off(context)


def _seed_time_off(context: DemoContext) -> None:
    """A week of annual leave for one physio, after every demo booking (those lie within a
    week of today), so the diary shows a physio away."""
    physio = context.physios[-1]
    monday = context.today + timedelta(days=14 + (7 - context.today.weekday()) % 7)
    TimeOff.objects.get_or_create(
        practitioner=physio,
        first_day=monday,
        defaults={"last_day": monday + timedelta(days=4), "reason": "Annual leave"},
    )
