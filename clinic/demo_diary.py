"""Demo diary: an appointment behind every past visit, some missed appointments,
follow-ups booked ahead for most open episodes, and a physio's week of leave (registered
with clinic.seeding)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import Appointment, AppointmentStatus, TimeOff, Visit
from .roles import FRONT_DESK
from .scheduling import appointment_length
from .seeding import DemoContext

KIND_OF_VISIT = {"initial": "initial", "follow_up": "follow_up", "discharge": "discharge_review"}
# Future bookings in the clinic's default hours, avoiding the lunch break.
FUTURE_SLOTS = tuple(time(h, m) for h in (9, 10, 11, 12, 14, 15, 16) for m in (0, 30))


class _Diary:
    """Per physio and day, the times already taken, so no two demo appointments overlap."""

    def __init__(self) -> None:
        self.taken: dict[tuple[int, object], list[tuple[datetime, datetime]]] = {}

    def free(self, physio_id: int, start: datetime, end: datetime) -> bool:
        busy = self.taken.get((physio_id, start.date()), ())
        return all(end <= s or start >= e for s, e in busy)

    def take(self, physio_id: int, start: datetime, end: datetime) -> None:
        self.taken.setdefault((physio_id, start.date()), []).append((start, end))


def seed_diary(context: DemoContext) -> None:
    rng, now = context.rng, context.now
    desk = context.users[FRONT_DESK][0]
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
                start = timezone.make_aware(datetime.combine(day, rng.choice(FUTURE_SLOTS)))
                while start <= now or day.weekday() >= 5:
                    day += timedelta(days=1)
                    start = timezone.make_aware(datetime.combine(day, rng.choice(FUTURE_SLOTS)))
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
