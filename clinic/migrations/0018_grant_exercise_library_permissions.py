"""The exercise library's rights, given to the clinic's roles: every physio reads it, the
Clinic admin curates it in the Django admin. (Granted by the plugin's own migration
before the plugin owned its migrations; granting again changes nothing there.)"""

from django.db import migrations

from clinic.roles import EXERCISE_ROLE_PERMISSIONS, grant, revoke


def grant_exercise_permissions(apps, schema_editor):
    grant(apps, EXERCISE_ROLE_PERMISSIONS)


def revoke_exercise_permissions(apps, schema_editor):
    revoke(apps, EXERCISE_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0017_appointment_patient_no_overlap"),
        ("treatments", "0008_seed_exercise_library"),
    ]

    operations = [migrations.RunPython(grant_exercise_permissions, revoke_exercise_permissions)]
