"""A patient is in one place at a time: no two active appointments of one patient overlap,
enforced by PostgreSQL as migration 0005 does for the physio's.

The same exclusion constraint with equality on the patient instead of the practitioner
(tstzrange(start, "end", '[)'), booked, arrived and attended; btree_gist is there since
0005). On SQLite it does nothing: `clinic.scheduling` checks inside the write transaction
that `transaction_mode=IMMEDIATE` serialises.

A live clinic may already hold clashes, booked by front desks at the same moment before
this constraint (the race it closes). PostgreSQL cannot add the constraint over them, and
which booking stands is the clinic's decision, not the upgrade's: so the migration first
looks for them and, if it finds any, stops with the list and changes nothing. The front
desk cancels the extra booking of each pair (or marks it "did not attend") in the diary,
then `migrate` is run again.
"""

import importlib

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import migrations, models
from django.db.models import Exists, OuterRef
from django.utils import timezone

no_overlap = importlib.import_module("clinic.migrations.0005_appointment_no_overlap")

ACTIVE = ["booked", "arrived", "attended"]

PATIENT_NO_OVERLAP = ExclusionConstraint(
    name="appointment_patient_no_overlap",
    expressions=[
        ("patient", RangeOperators.EQUAL),
        (no_overlap.TsTzRange("start", "end", models.Value("[)")), RangeOperators.OVERLAPS),
    ],
    condition=models.Q(status__in=ACTIVE),
    violation_error_message="The patient already has an appointment at this time.",
)


def _described(appointment) -> str:
    physio = appointment.practitioner
    name = f"{physio.first_name} {physio.last_name}".strip() or physio.username
    start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
    return (
        f"{appointment.get_kind_display()} with {name} on {start:%a %-d %b %Y %H:%M}–"
        f"{end:%H:%M} ({appointment.get_status_display().lower()}, appointment {appointment.pk})"
    )


def patient_clashes(apps) -> list[str]:
    """Each pair of active appointments of one patient that overlap, described for the
    front desk."""
    Appointment = apps.get_model("clinic", "Appointment")
    active = Appointment.objects.filter(status__in=ACTIVE)
    later = active.filter(
        patient=OuterRef("patient"),
        start__lt=OuterRef("end"),
        end__gt=OuterRef("start"),
        pk__gt=OuterRef("pk"),
    )
    clashes = []
    related = ("patient", "practitioner")
    for first in active.filter(Exists(later)).select_related(*related).order_by("start", "pk"):
        others = active.filter(
            patient=first.patient_id, start__lt=first.end, end__gt=first.start, pk__gt=first.pk
        )
        for other in others.select_related(*related).order_by("start", "pk"):
            patient = first.patient
            clashes.append(
                f"{patient.identifier} {patient.given_name} {patient.family_name}: "
                f"{_described(first)} and {_described(other)}"
            )
    return clashes


def refuse_existing_clashes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # no constraint to add there
    clashes = patient_clashes(apps)
    if clashes:
        raise RuntimeError(
            "Some patients are booked in two places at once, which the diary now refuses "
            "(constraint appointment_patient_no_overlap). Nothing was changed. In the diary, "
            "cancel the extra booking of each pair below, or mark it as not attended, then "
            "run migrate again. Where both appointments are recorded as seen (arrived or "
            "attended), the diary cannot change either: the Clinic admin decides which one "
            "did not take place as booked, and the database administrator sets its status "
            "to 'cancelled' with a reason.\n" + "\n".join(f"- {clash}" for clash in clashes)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0016_one_line_takeover_and_addition_reasons"),
    ]

    operations = [
        migrations.RunPython(refuse_existing_clashes, migrations.RunPython.noop, elidable=True),
        no_overlap.AddConstraintOnPostgreSQL("appointment", PATIENT_NO_OVERLAP),
    ]
