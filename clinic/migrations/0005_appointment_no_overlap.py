"""No two active appointments of one practitioner overlap: enforced by PostgreSQL.

An exclusion constraint over tstzrange(start, "end", '[)') (half-open, so back-to-back
appointments are allowed) with equality on the practitioner, for the statuses that hold
the physio's time. It needs the btree_gist extension (for `=` on a bigint in a GiST index).

SQLite has neither, so both operations do nothing there: `clinic.scheduling` checks inside
a write transaction that `transaction_mode=IMMEDIATE` serialises. The constraint is not in
the model's state (Appointment.Meta), so `makemigrations --check` is clean on both.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


NO_OVERLAP = ExclusionConstraint(
    name="appointment_no_overlap",
    expressions=[
        ("practitioner", RangeOperators.EQUAL),
        (TsTzRange("start", "end", models.Value("[)")), RangeOperators.OVERLAPS),
    ],
    condition=models.Q(status__in=["booked", "arrived", "attended"]),
    violation_error_message="The physio already has an appointment at this time.",
)


class AddConstraintOnPostgreSQL(migrations.operations.base.Operation):
    """Add a constraint in the database on PostgreSQL only, leaving the model state alone."""

    reversible = True

    def __init__(self, model_name: str, constraint):
        self.model_name = model_name
        self.constraint = constraint

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_constraint(model, self.constraint)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_constraint(model, self.constraint)

    def describe(self):
        return f"Add {self.constraint.name} to {self.model_name} (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_appointments_and_working_hours"),
    ]

    operations = [
        # CreateExtension does nothing on other databases.
        BtreeGistExtension(),
        AddConstraintOnPostgreSQL("appointment", NO_OVERLAP),
    ]
