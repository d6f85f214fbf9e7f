"""A large clinic for the outcome benchmarks, seeded once per run with PostgreSQL's COPY.

`BENCH_PATIENTS` patients (default 2,000 for a quick run; 100,000 is the full-size
clinic), each with one or two episodes of 2-8 visits and about ten scores over them,
interventions, working diagnoses and a few adverse events. Only the outcome benchmarks
(`bench_outcomes.py`) ask for it: the pure benchmarks in this folder do not touch the
database. This file is only collected with `tests/bench` (`make bench`); the default run
ignores the folder (pyproject's addopts).
"""

import io
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

import pytest

BENCH_PATIENTS = int(os.environ.get("BENCH_PATIENTS", "2000"))
SEED = 20240501
PHYSIOS = ("bench_physio1", "bench_physio2", "bench_physio3", "bench_physio4", "bench_physio5")
DIAGNOSES = (
    "lumbar_referred",
    "lumbar_radicular",
    "sij",
    "myofascial_trigger_points",
    "piriformis_syndrome",
    "proximal_hamstring_tendinopathy",
    "ischiogluteal_bursitis",
)
KINDS = (
    "spinal_mobilization",
    "spinal_manipulation",
    "dry_needling",
    "soft_tissue_therapy",
    "electrotherapy",
    "stretching",
    "core_stability",
    "exercise_programme",
    "education",
)


def is_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class _Copy:
    """Rows for one table, written with COPY in one go.

    Columns added to the model since this seeding was written (NOT NULL, with a Python
    default such as a revision number or an empty reason) get that default in every row.
    """

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        self.table, self.buffer, self.count = table, io.StringIO(), 0
        defaults = _missing_defaults(table, columns)
        self.columns = (*columns, *defaults)
        self.tail = "".join("\t" + str(value) for value in defaults.values())

    def add(self, *values) -> None:
        self.count += 1
        self.buffer.write(
            "\t".join("\\N" if value is None else str(value) for value in values) + self.tail + "\n"
        )

    def flush(self, cursor) -> None:
        columns = ", ".join(self.columns)
        with cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
            copy.write(self.buffer.getvalue())


def _missing_defaults(table: str, columns: tuple[str, ...]) -> dict[str, object]:
    """The NOT NULL columns of `table` that `columns` leaves out, with the model's default."""
    from django.apps import apps

    model = next(model for model in apps.get_models() if model._meta.db_table == table)
    missing = {}
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null:
            continue
        value = field.get_default()
        if value is None or isinstance(value, dict | list | bool):
            raise ValueError(f"{table}.{field.column} needs a value in the bench seeding")
        missing[field.column] = value
    return missing


def seed_clinic(patients: int, *, seed: int = SEED) -> dict:
    """COPY a clinic of `patients` patients into the (empty) test database."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from assessments.models import EpisodeMeasureSummary
    from assessments.summaries import rebuild_summaries
    from assessments.triggers import unguarded
    from clinic.roles import CLINIC_ADMIN, PHYSIOTHERAPIST
    from tests.factories import UserFactory
    from treatments.models import EpisodeInterventionKind
    from treatments.summaries import rebuild_intervention_kinds

    rng = random.Random(seed)
    physio_group = Group.objects.get(name=PHYSIOTHERAPIST)
    physio_ids = []
    for username in PHYSIOS:
        user = UserFactory(username=username)
        user.groups.add(physio_group)
        physio_ids.append(user.pk)
    admin = UserFactory(username="bench_admin", is_staff=True)
    admin.groups.add(Group.objects.get(name=CLINIC_ADMIN))

    now = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    today = now.date()
    patient = _Copy(
        "clinic_patient",
        ("id", "identifier", "given_name", "family_name", "date_of_birth", "sex", "phone",
         "email", "address", "referrer", "contact_consent", "created_at", "updated_at"),
    )  # fmt: skip
    episode = _Copy(
        "clinic_episodeofcare",
        ("id", "patient_id", "complaint", "side", "physio_id", "status", "opened_on",
         "closed_on", "discharge_reason", "discharge_notes"),
    )  # fmt: skip
    visit = _Copy(
        "clinic_visit",
        ("id", "episode_id", "practitioner_id", "starts_at", "kind", "notes", "status",
         "signed_by_id", "signed_at"),
    )  # fmt: skip
    measurement = _Copy(
        "assessments_measurement",
        ("id", "patient_id", "episode_id", "visit_id", "measure_code", "value", "unit",
         "scoring_version", "missing_items", "raw", "scored_at"),
    )  # fmt: skip
    diagnosis = _Copy(
        "assessments_workingdiagnosis",
        ("id", "episode_id", "source_code", "is_main", "was_suggested", "confirmed_by_id",
         "confirmed_at", "withdrawn_at"),
    )  # fmt: skip
    intervention = _Copy(
        "treatments_deliveredintervention",
        ("id", "visit_id", "kind", "params", "notes", "recorded_by_id", "created_at",
         "updated_at", "removed_at"),
    )  # fmt: skip
    adverse = _Copy(
        "treatments_adverseevent",
        ("id", "intervention_id", "event_type", "severity", "action_taken", "recorded_by_id",
         "recorded_at"),
    )  # fmt: skip
    ids = dict.fromkeys(("episode", "visit", "measurement", "diagnosis", "intervention", "ae"), 0)

    def next_id(name: str) -> int:
        ids[name] += 1
        return ids[name]

    for patient_id in range(1, patients + 1):
        dob = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
        patient.add(
            patient_id, f"B{patient_id:07d}", f"Given{patient_id}", f"Family{patient_id % 5000}",
            dob, "female" if patient_id % 2 else "male", "07700 900000", "", "", "", "t",
            now.isoformat(), now.isoformat(),
        )  # fmt: skip
        for _ in range(1 if rng.random() < 0.8 else 2):
            episode_id = next_id("episode")
            physio_id = rng.choice(physio_ids)
            opened = today - timedelta(days=rng.randrange(10, 3 * 365))
            visits = rng.randint(2, 8)
            days = sorted({rng.randrange(0, 120) for _ in range(visits * 2)})[:visits]
            days[0] = 0
            last_day = opened + timedelta(days=days[-1])
            discharged = last_day < today - timedelta(days=30) and rng.random() < 0.8
            episode.add(
                episode_id, patient_id, "Buttock pain", rng.choice(("left", "right")), physio_id,
                "discharged" if discharged else "open", opened,
                last_day if discharged else None, "goals_met" if discharged else "", "",
            )  # fmt: skip
            sources = rng.sample(DIAGNOSES, 1 if rng.random() < 0.7 else 2)
            for source in sources:
                withdrawn = now.isoformat() if rng.random() < 0.05 else None
                main = "t" if source == sources[0] else "f"
                diagnosis.add(
                    next_id("diagnosis"), episode_id, source, main, "t", physio_id,
                    now.isoformat(), withdrawn,
                )  # fmt: skip
            kinds = rng.sample(KINDS, rng.randint(1, 3))
            responder = rng.random()  # how well this episode goes
            start_nprs = rng.randint(3, 9)
            start_odi = round(rng.uniform(15, 70), 1)
            with_lefs, with_psfs = rng.random() < 0.3, rng.random() < 0.3
            start_lefs, start_psfs = rng.randint(20, 60), round(rng.uniform(1, 6), 2)
            for number, day in enumerate(days):
                visit_id = next_id("visit")
                starts_at = datetime.combine(
                    opened + timedelta(days=day), datetime.min.time(), tzinfo=UTC
                ) + timedelta(hours=9 + rng.randrange(0, 8))
                visit.add(
                    visit_id, episode_id, physio_id, starts_at.isoformat(),
                    "initial" if number == 0 else "follow_up", "", "draft", None, None,
                )  # fmt: skip
                progress = number / max(1, visits - 1) * responder
                scores = [("nprs", round(_clamp(start_nprs - 5 * progress + rng.gauss(0, 1), 0, 10)), "points")]  # fmt: skip
                if number in (0, visits // 2, visits - 1):
                    scores.append(("odi", round(_clamp(start_odi * (1 - 0.6 * progress) + rng.gauss(0, 4), 0, 100), 1), "%"))  # fmt: skip
                if with_lefs and number in (0, visits - 1):
                    scores.append(("lefs", round(_clamp(start_lefs + 20 * progress + rng.gauss(0, 3), 0, 80)), "points"))  # fmt: skip
                if with_psfs and number in (0, visits - 1):
                    scores.append(("psfs", round(_clamp(start_psfs + 4 * progress + rng.gauss(0, 1), 0, 10), 2), "points"))  # fmt: skip
                for code, value, unit in scores:
                    measurement.add(
                        next_id("measurement"), patient_id, episode_id, visit_id, code, value,
                        unit, "1", 0, "{}", starts_at.isoformat(),
                    )  # fmt: skip
                if number == 0:
                    continue
                for kind in rng.sample(kinds, rng.randint(1, len(kinds))):
                    intervention_id = next_id("intervention")
                    removed = now.isoformat() if rng.random() < 0.02 else None
                    intervention.add(
                        intervention_id, visit_id, kind, "{}", "", physio_id,
                        starts_at.isoformat(), starts_at.isoformat(), removed,
                    )  # fmt: skip
                    if rng.random() < 0.01:
                        adverse.add(
                            next_id("ae"), intervention_id, "Soreness", "mild", "Advice",
                            physio_id, starts_at.isoformat(),
                        )  # fmt: skip

    tables = (patient, episode, visit, measurement, diagnosis, intervention, adverse)
    # The visits go in signed, then their scores and interventions: a bulk load of a whole
    # clinic, for which the database's guards on signed records are lifted (one
    # transaction), as for `restore`.
    with unguarded(reason="benchmark clinic"), connection.cursor() as cursor:
        raw = cursor.cursor
        for table in tables:
            table.flush(raw)
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table.table}))"
            )
    # COPY sends no signal: the per-episode rows the outcome report reads are built from
    # the loaded scores and interventions in one set-based pass each, as a bulk loader must.
    started = time.perf_counter()
    rebuild_summaries()
    rebuild_intervention_kinds()
    summaries_seconds = time.perf_counter() - started
    derived = (EpisodeMeasureSummary._meta.db_table, EpisodeInterventionKind._meta.db_table)
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would after a bulk load (the visibility map lets counts use
        # index-only scans), and fresh statistics for the planner. Outside a transaction.
        for name in (*(table.table for table in tables), *derived):
            cursor.execute(f"VACUUM (ANALYZE) {name}")
    counts = {table.table: table.count for table in tables}
    counts["summaries built (s)"] = round(summaries_seconds, 1)
    return counts


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if not is_postgresql():
        yield None
        return
    with django_db_blocker.unblock():
        started = time.perf_counter()
        counts = seed_clinic(BENCH_PATIENTS)
        seconds = time.perf_counter() - started
        print(
            f"\nseeded {BENCH_PATIENTS:,} patients in {seconds:.1f} s: "
            + ", ".join(f"{table.split('_', 1)[-1]} {count:,}" for table, count in counts.items())
        )
    yield counts
