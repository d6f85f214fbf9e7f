from django.db import migrations

from clinic.roles import DIARY_ROLE_PERMISSIONS, grant, revoke


def grant_diary_permissions(apps, schema_editor):
    grant(apps, DIARY_ROLE_PERMISSIONS)


def revoke_diary_permissions(apps, schema_editor):
    revoke(apps, DIARY_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_appointment_no_overlap"),
    ]

    operations = [migrations.RunPython(grant_diary_permissions, revoke_diary_permissions)]
