from django.db import migrations

from clinic.roles import CLINIC_ADMIN, grant, revoke

# Only the Clinic admin archives patients (and brings them back).
ARCHIVE_ROLE_PERMISSIONS = {CLINIC_ADMIN: ["clinic.archive_patient"]}


def grant_archive_permission(apps, schema_editor):
    grant(apps, ARCHIVE_ROLE_PERMISSIONS)


def revoke_archive_permission(apps, schema_editor):
    revoke(apps, ARCHIVE_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_patient_revision_and_archive"),
    ]

    operations = [migrations.RunPython(grant_archive_permission, revoke_archive_permission)]
